"""Time never corrupts the schedule or the day counts: a clock that jumps back, a change of
timezone, daylight-saving changes and answers either side of the rollover hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from flashcards.maintenance.doctor import examine
from flashcards.scheduling import study_day
from flashcards.storage.tables import CardRow, ReviewRow
from flashcards.workspace import Workspace

from ..conftest import basic_deck
from .test_scheduling import ids_by_front, make_review_card

pytestmark = pytest.mark.engines

cards_t = CardRow.__table__
reviews_t = ReviewRow.__table__


def answer_next(workspace, rating: int = 3):
    session = workspace.review_session()
    card = session.next_card()
    assert card is not None
    assert session.answer(rating).saved
    return card


def rows(workspace):
    with workspace.collection.read() as conn:
        return conn.execute(select(reviews_t).order_by(reviews_t.c.id)).all()


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]
)
def test_clock_jumping_back_keeps_the_schedule_ordered(make_workspace, clock, zone):
    workspace = make_workspace({"d.md": basic_deck(1)}, zone=zone)
    first = answer_next(workspace, 4)  # graduates: due in days
    clock.advance(hours=-3)  # the clock is set back...
    with workspace.collection.write() as conn:  # ...and the card is rescheduled to "now"
        conn.execute(cards_t.update().where(cards_t.c.id == first.id).values(due=clock.now()))
    answer_next(workspace, 3)
    with workspace.collection.read() as conn:
        card = conn.execute(select(cards_t)).one()
    logged = rows(workspace)
    assert logged[1].reviewed_at >= logged[0].reviewed_at  # never answered before the last time
    assert card.last_review == logged[1].reviewed_at and card.due > card.last_review
    assert card.reps == 2
    assert examine(workspace.collection, workspace.config).healthy


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Los_Angeles", "Australia/Sydney"])
def test_answers_either_side_of_the_rollover_fall_on_different_days(make_workspace, clock, zone):
    workspace = make_workspace({"d.md": basic_deck(4)}, zone=zone, new_per_day=1)
    tz = ZoneInfo(zone)
    before = datetime(2026, 1, 6, 3, 59, tzinfo=tz)
    clock.instant = before.astimezone(UTC)
    answer_next(workspace, 4)
    assert workspace.overview().new == 0  # the one new card of the day is used
    clock.instant = datetime(2026, 1, 6, 4, 1, tzinfo=tz).astimezone(UTC)
    assert workspace.overview().new == 1  # a new day
    answer_next(workspace, 4)
    days = [row.day for row in rows(workspace)]
    assert days[1] - days[0] == 1


def test_a_change_of_timezone_keeps_counts_and_history(make_workspace, clock):
    from flashcards.stats.figures import collect

    berlin = make_workspace({"d.md": basic_deck(3)}, new_per_day=2)
    answer_next(berlin, 4)  # Monday 09:00 in Berlin
    # The person flies to Tokyo: it is Monday 17:00 there, the same study day.
    tokyo = Workspace(berlin.collection, berlin.config, clock, ZoneInfo("Asia/Tokyo"))
    tokyo.config.timezone = "Asia/Tokyo"
    overview = tokyo.overview()
    assert (overview.reviews_today, overview.new) == (1, 1)
    clock.advance(days=1)
    answer_next(tokyo, 4)  # Tuesday in Tokyo
    assert tokyo.overview().streak_days == 2
    assert collect(tokyo).streak.to_json() == {"current": 2, "longest": 2}  # home and stats agree
    assert examine(tokyo.collection, tokyo.config).healthy


def test_daylight_saving_ends_in_the_night_a_25_hour_day(make_workspace, clock):
    berlin = ZoneInfo("Europe/Berlin")
    # Clocks go back from 03:00 to 02:00 on Sunday 25 October 2026.
    saturday = study_day(datetime(2026, 10, 24, 12, 0, tzinfo=UTC), berlin, 4)
    assert saturday.end - saturday.start == timedelta(hours=25)
    workspace = make_workspace({"d.md": basic_deck(3)}, new_per_day=1)
    # 02:30 happens twice that night; both belong to Saturday's study day.
    first = datetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=0).astimezone(UTC)
    second = datetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=1).astimezone(UTC)
    assert second - first == timedelta(hours=1)
    clock.instant = first
    answer_next(workspace, 4)
    clock.instant = second
    assert workspace.overview().new == 0  # still Saturday: the daily new card is spent
    clock.instant = datetime(2026, 10, 25, 4, 0, tzinfo=berlin).astimezone(UTC)
    assert workspace.overview().new == 1


def test_review_due_in_the_skipped_spring_hour(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(1)}, new_per_day=0)
    card_id = next(iter(ids_by_front(workspace).values()))
    berlin = ZoneInfo("Europe/Berlin")
    # 02:30 on 29 March 2026 does not exist in Berlin; the instant still has a study day.
    due = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    make_review_card(workspace, card_id, due, 10)
    clock.instant = datetime(2026, 3, 28, 20, 0, tzinfo=UTC)
    assert workspace.overview().due == 1  # before Sunday's 04:00 rollover: due "today"
    assert study_day(due, berlin, 4).date == study_day(clock.instant, berlin, 4).date
