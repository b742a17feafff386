"""Two programs answering from one collection at the same moment, each with its own deck, the
first answers of each new study day given at once (a barrier): nothing lost, nothing counted
twice. On PostgreSQL both transactions run side by side; on SQLite they wait for each other."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from flashcards.clock import FixedClock
from flashcards.config import Config
from flashcards.review_rules import Rating
from flashcards.storage import Collection
from flashcards.storage.tables import CardRow, DeckRow, ReviewDayRow, ReviewRow
from flashcards.storage.totals import totals_agree
from flashcards.workspace import Workspace

from ..conftest import basic_deck

pytestmark = [pytest.mark.engines, pytest.mark.slow]  # it starts two processes

cards = CardRow.__table__
decks = DeckRow.__table__
reviews = ReviewRow.__table__
review_days = ReviewDayRow.__table__

ZONE = "Europe/Berlin"
DAYS = 4
ANSWERS_PER_DAY = 3
FIRST_MORNING = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


def _answer_from_one_program(location: str, deck_id: int, barrier, results) -> None:
    """A program studying one deck: each day it answers a few cards, each answer given when
    the other program gives its own."""
    saved = 0
    collection = Collection(location)
    try:
        for day in range(DAYS):
            clock = FixedClock(FIRST_MORNING + timedelta(days=day))
            workspace = Workspace(
                collection, Config(fuzz=False, timezone=ZONE), clock, ZoneInfo(ZONE)
            )
            session = workspace.review_session([deck_id])
            for _ in range(ANSWERS_PER_DAY):
                card = session.next_card()
                assert card is not None, "the deck ran out of cards"
                barrier.wait(timeout=60)
                saved += session.answer(Rating.Good).saved
                clock.advance(minutes=1)
    finally:
        collection.close()
    results.put(saved)


def test_two_programs_answering_at_once_lose_and_double_nothing(make_workspace, db_location):
    workspace = make_workspace(
        {"a.md": basic_deck(20, "Alpha", "a"), "b.md": basic_deck(20, "Beta", "b")},
        zone=ZONE,
    )
    with workspace.collection.read() as conn:
        deck_ids = list(conn.execute(select(decks.c.id).order_by(decks.c.name)).scalars())
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    programs = [
        context.Process(target=_answer_from_one_program, args=(db_location, deck, barrier, results))
        for deck in deck_ids
    ]
    for program in programs:
        program.start()
    for program in programs:
        program.join(timeout=180)
        assert program.exitcode == 0
    saved = [results.get(timeout=5) for _ in programs]
    assert saved == [DAYS * ANSWERS_PER_DAY] * 2  # every answer saved: none refused or lost
    with workspace.collection.read() as conn:
        logged = conn.execute(select(func.count()).select_from(reviews)).scalar_one()
        days = conn.execute(
            select(review_days.c.day, review_days.c.learning + review_days.c.review)
        ).all()
        by_card = dict(
            conn.execute(select(reviews.c.card_id, func.count()).group_by(reviews.c.card_id)).all()
        )
        reps = dict(conn.execute(select(cards.c.id, cards.c.reps).where(cards.c.reps > 0)).all())
        assert totals_agree(conn)  # each day's totals equal a recount of the log
    assert logged == sum(saved)
    assert len(days) == DAYS and all(count == 2 * ANSWERS_PER_DAY for _, count in days)
    assert reps == by_card  # every card's answers are its reviews, once each
