"""The totals kept as answers are given (review_day, each card's true-retention counts) always
equal a recount of the review log: after answers on several days, undo, manual changes, an
upgrade of an older collection, and `flashcards doctor` after data written around the program."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from flashcards.maintenance.doctor import examine
from flashcards.storage import Collection
from flashcards.storage.tables import CardRow, ReviewDayRow
from flashcards.storage.totals import totals_agree
from flashcards.study.manage import reset_to_new

from ..conftest import basic_deck
from .test_scheduling import ids_by_front, make_review_card

pytestmark = pytest.mark.engines

FIXTURES = Path(__file__).parents[1] / "fixtures"
cards_t = CardRow.__table__
days_t = ReviewDayRow.__table__


def day_rows(workspace) -> dict[int, tuple]:
    with workspace.collection.read() as conn:
        return {row[0]: tuple(row[1:]) for row in conn.execute(select(days_t))}


def recall_counts(workspace, card_id: int) -> tuple[int, int]:
    with workspace.collection.read() as conn:
        return tuple(
            conn.execute(
                select(cards_t.c.recall_passed, cards_t.c.recall_total).where(
                    cards_t.c.id == card_id
                )
            ).one()
        )


def agree(workspace) -> bool:
    with workspace.collection.read() as conn:
        return totals_agree(conn)


def test_answers_undo_and_manual_changes_keep_the_totals_exact(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(4)})
    ids = ids_by_front(workspace)
    review_id = ids["q question 0?"]
    make_review_card(workspace, review_id, clock.now() - timedelta(hours=1), 30)  # mature
    session = workspace.review_session()
    ratings = {review_id: 1}  # the review card lapses; new cards start learning
    for _ in range(4):
        card = session.next_card()
        clock.advance(seconds=20)
        session.answer(ratings.get(card.id, 3))
    assert review_id in {entry.before.id for entry in session._undo}
    today = workspace.today().date.toordinal()
    # learning, review, relearning, milliseconds, young pass/total, mature pass/total
    assert day_rows(workspace) == {today: (3, 1, 0, 80_000, 0, 0, 0, 1)}
    assert recall_counts(workspace, review_id) == (0, 1)  # one Again: a fail
    assert agree(workspace)

    undone = session.undo()  # the last answer (a new card's Good) comes out of the totals
    assert undone.id != review_id
    assert day_rows(workspace) == {today: (2, 1, 0, 60_000, 0, 0, 0, 1)}
    assert agree(workspace)

    reset_to_new(workspace.collection, [undone.id], clock.now(), day=today)  # a manual change
    assert day_rows(workspace)[today] == (2, 1, 0, 60_000, 0, 0, 0, 1)
    assert agree(workspace)

    clock.advance(days=1)
    session = workspace.review_session()
    while (card := session.next_card()) is not None:
        clock.advance(seconds=5)
        session.answer(3)
    assert agree(workspace)
    assert sum(values[0] + values[1] + values[2] for values in day_rows(workspace).values()) > 3


def test_undoing_a_review_restores_the_cards_counts(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(1)})
    card_id = ids_by_front(workspace)["q question 0?"]
    make_review_card(workspace, card_id, clock.now() - timedelta(hours=1), 5)  # young
    session = workspace.review_session()
    session.next_card()
    session.answer(3)
    assert recall_counts(workspace, card_id) == (1, 1)
    today = workspace.today().date.toordinal()
    assert day_rows(workspace)[today][4:6] == (1, 1)  # a young pass
    session.undo()
    assert recall_counts(workspace, card_id) == (0, 0)
    assert day_rows(workspace)[today] == (0, 0, 0, 0, 0, 0, 0, 0)
    assert agree(workspace)


@pytest.mark.sqlite_only  # an older SQLite file
def test_an_older_collection_gets_its_totals_counted_on_upgrade(tmp_path):
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURES / "schema-v3.sqlite3", path)
    collection = Collection(str(path))
    try:
        with collection.read() as conn:
            days = {row[0]: tuple(row[1:]) for row in conn.execute(select(days_t))}
            counts = conn.execute(
                select(cards_t.c.id, cards_t.c.recall_passed, cards_t.c.recall_total).order_by(
                    cards_t.c.id
                )
            ).all()
            assert totals_agree(conn)
    finally:
        collection.close()
    # The fixture's card 1: learnt on two days, then one review (interval 3 days, Good).
    assert days == {
        739600: (1, 0, 0, 8000, 0, 0, 0, 0),
        739601: (1, 0, 0, 6000, 0, 0, 0, 0),
        739618: (0, 1, 0, 5000, 1, 1, 0, 0),
    }
    assert [tuple(row) for row in counts] == [(1, 1, 1), (2, 0, 0)]


@pytest.mark.sqlite_only  # written around the program with sqlite3
def test_doctor_counts_again_what_was_written_around_the_program(make_workspace, clock, tmp_path):
    workspace = make_workspace({"d.md": basic_deck(2)})
    card_id = ids_by_front(workspace)["q question 1?"]
    connection = sqlite3.connect(tmp_path / "collection.sqlite3")
    with connection:
        connection.execute(
            "INSERT INTO review (card_id, rating, reviewed_at, duration_ms, state_before,"
            " interval_before, scheduled_days, day, first_of_day) VALUES (?, 1, 0, 4000, 2, 40,"
            " 9, 739000, 1)",
            (card_id,),
        )
    connection.close()
    report = examine(workspace.collection, workspace.config)
    # The card is still new, though its log now ends with an answer: that is found too.
    assert [f.kind for f in report.findings] == ["state", "totals"]
    fixed = examine(workspace.collection, workspace.config, fix=True)
    assert fixed.fixed[0].startswith(f"card {card_id}: state set from its review log")
    assert fixed.fixed[1:] == ["statistics' totals counted again from the review log"]
    assert examine(workspace.collection, workspace.config).healthy
    assert day_rows(workspace) == {739000: (0, 1, 0, 4000, 0, 0, 0, 1)}
    assert recall_counts(workspace, card_id) == (0, 1)
