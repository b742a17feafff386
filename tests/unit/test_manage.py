"""Manual changes from the browser: suspend, unsuspend, reset to new, reschedule to today."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from flashcards.scheduling.queue import plan_queue
from flashcards.search import card_detail
from flashcards.storage.tables import CardRow, ReviewRow
from flashcards.study import manage
from flashcards.study.manage import (
    all_suspended,
    reschedule_today,
    reset_to_new,
    suspend,
    unsuspend,
)

from ..conftest import NOW, basic_deck

pytestmark = pytest.mark.engines

cards = CardRow.__table__
reviews = ReviewRow.__table__


def card_ids(workspace) -> list[int]:
    with workspace.collection.read() as conn:
        return list(conn.execute(select(cards.c.id).order_by(cards.c.position)).scalars())


def row(workspace, card_id: int):
    with workspace.collection.read() as conn:
        return conn.execute(select(cards).where(cards.c.id == card_id)).one()


def log(workspace, card_id: int):
    with workspace.collection.read() as conn:
        return conn.execute(
            select(reviews).where(reviews.c.card_id == card_id).order_by(reviews.c.id)
        ).all()


def study(workspace, answers: int, rating: int = 3) -> None:
    """Answer the first cards of today's queue through a real session."""
    session = workspace.review_session()
    for _ in range(answers):
        assert session.next_card() is not None
        session.answer(rating)


def test_suspend_and_unsuspend_many_cards(make_workspace):
    workspace = make_workspace({"d.md": basic_deck(4)})
    ids = card_ids(workspace)
    assert suspend(workspace.collection, ids[:3], NOW) == 3
    assert suspend(workspace.collection, ids[:3], NOW) == 0  # already suspended
    assert all_suspended(workspace.collection, ids[:3])
    assert not all_suspended(workspace.collection, ids)
    assert [row(workspace, i).suspended for i in ids] == [True, True, True, False]
    assert unsuspend(workspace.collection, ids, NOW) == 3
    assert not any(row(workspace, i).suspended for i in ids)
    assert log(workspace, ids[0]) == []  # suspending is not a review


def test_unsuspending_a_leech_keeps_its_mark(make_workspace):
    workspace = make_workspace({"d.md": basic_deck(1)})
    (card_id,) = card_ids(workspace)
    with workspace.collection.write() as conn:
        conn.execute(update(cards).values(leech=True, suspended=True))
    unsuspend(workspace.collection, [card_id], NOW)
    assert row(workspace, card_id).leech and not row(workspace, card_id).suspended


def test_reset_to_new_forgets_the_schedule_and_keeps_the_history(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(2)})
    study(workspace, 2, rating=4)  # Easy: both cards become review cards
    first, second = card_ids(workspace)
    with workspace.collection.write() as conn:
        conn.execute(update(cards).where(cards.c.id == first).values(lapses=3, leech=True))
    clock.advance(days=2)
    later = clock.now()
    before = row(workspace, first)
    assert before.state == 2 and before.stability is not None

    assert reset_to_new(workspace.collection, [first], later, day=740_000) == 1

    after = row(workspace, first)
    assert (after.state, after.step, after.stability, after.difficulty) == (0, None, None, None)
    assert (after.reps, after.lapses, after.leech, after.last_review) == (0, 0, False, None)
    assert after.due == later
    entries = log(workspace, first)
    assert [(e.rating, e.state_before) for e in entries] == [(4, 0), (0, 4)]
    manual = entries[-1]
    assert manual.reviewed_at == later and manual.day == 740_000 and not manual.first_of_day
    expected = (before.due - before.last_review).total_seconds() / 86400
    assert manual.interval_before == expected and manual.scheduled_days == 0
    assert row(workspace, second).state == 2  # untouched
    # A card that is already new and never answered is left alone: no log entry.
    assert reset_to_new(workspace.collection, [first], later) == 0
    assert len(log(workspace, first)) == 2


def test_reset_card_is_studied_as_new_again(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(1)})
    study(workspace, 1, rating=4)
    (card_id,) = card_ids(workspace)
    reset_to_new(workspace.collection, [card_id], NOW)
    with workspace.collection.read() as conn:
        plan = plan_queue(conn, workspace.config, workspace.today(), NOW)
    assert list(plan.main) == [card_id]
    detail = card_detail(workspace.collection, card_id, NOW)
    assert [entry.manual for entry in detail.history] == [False, True]
    assert detail.retrievability is None


def test_reschedule_today_makes_reviews_due_now(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(2)})
    study(workspace, 2, rating=4)
    first, second = card_ids(workspace)
    before, other = row(workspace, first), row(workspace, second)
    assert before.due > NOW + timedelta(days=1)
    with workspace.collection.write() as conn:
        conn.execute(
            update(cards).where(cards.c.id == first).values(buried_until=NOW + timedelta(hours=5))
        )

    assert reschedule_today(workspace.collection, [first], NOW, day=7) == 1

    after = row(workspace, first)
    assert after.due == NOW and after.buried_until is None
    assert (after.state, after.stability, after.last_review, after.reps) == (
        before.state, before.stability, before.last_review, before.reps,
    )  # fmt: skip
    manual = log(workspace, first)[-1]
    assert (manual.rating, manual.state_before, manual.scheduled_days) == (0, 4, 0)
    assert manual.stability == before.stability
    with workspace.collection.read() as conn:
        plan = plan_queue(conn, workspace.config, workspace.today(), NOW)
    assert list(plan.main) == [first]
    assert row(workspace, second).due == other.due  # untouched


def test_reschedule_today_puts_new_cards_first_in_their_deck(make_workspace):
    workspace = make_workspace({"d.md": basic_deck(5)}, new_per_day=2)
    ids = card_ids(workspace)
    with workspace.collection.read() as conn:
        plan = plan_queue(conn, workspace.config, workspace.today(), NOW)
    assert list(plan.main) == ids[:2]
    assert reschedule_today(workspace.collection, [ids[4], ids[3]], NOW) == 2
    assert row(workspace, ids[4]).position == -1
    assert [e.state_before for e in log(workspace, ids[4])] == [4]
    with workspace.collection.read() as conn:
        plan = plan_queue(conn, workspace.config, workspace.today(), NOW)
    assert list(plan.main) == [ids[3], ids[4]]


def test_actions_skip_retired_cards_and_unknown_ids(make_workspace):
    workspace = make_workspace({"d.md": basic_deck(2)})
    first, second = card_ids(workspace)
    with workspace.collection.write() as conn:
        conn.execute(update(cards).where(cards.c.id == first).values(retired=True))
    assert suspend(workspace.collection, [first, second, 9999], NOW) == 1
    assert reschedule_today(workspace.collection, [first, 9999], NOW) == 0
    assert log(workspace, first) == []


def test_an_action_on_many_cards_is_one_transaction(make_workspace, monkeypatch):
    workspace = make_workspace({"d.md": basic_deck(3)})
    ids = card_ids(workspace)
    study(workspace, 3, rating=4)
    monkeypatch.setattr(manage, "_CHUNK", 1)  # one statement per card
    calls = {"n": 0}
    original = manage._manual_entry

    def failing(*args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return original(*args)

    monkeypatch.setattr(manage, "_manual_entry", failing)
    with pytest.raises(RuntimeError):
        reset_to_new(workspace.collection, ids, NOW)
    assert [row(workspace, i).state for i in ids] == [2, 2, 2]  # rolled back, all of it
