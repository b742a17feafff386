"""One collection, several programs (machines, or windows): an undo that would throw away
another program's answer is refused, and `doctor` finds and repairs a card whose state
disagrees with its log that way."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update

from flashcards.maintenance.doctor import examine
from flashcards.review_rules import CardState, Rating
from flashcards.storage.tables import CardRow, ReviewRow
from flashcards.storage.totals import recount
from flashcards.study.session import UndoRefused

from ..conftest import basic_deck

pytestmark = pytest.mark.engines

cards = CardRow.__table__
reviews = ReviewRow.__table__


def _card(workspace, card_id: int):
    with workspace.collection.read() as conn:
        return conn.execute(select(cards).where(cards.c.id == card_id)).one()


def _reviews_of(workspace, card_id: int) -> int:
    with workspace.collection.read() as conn:
        return conn.execute(select(func.count()).where(reviews.c.card_id == card_id)).scalar_one()


def test_undo_refuses_a_card_another_machine_answered_since(make_workspace, clock):
    laptop = make_workspace({"d.md": basic_deck(3)})
    desktop = make_workspace({})  # the same collection, opened by a second program
    on_laptop = laptop.review_session()
    card = on_laptop.next_card()
    assert card is not None
    assert on_laptop.answer(Rating.Again).saved
    clock.advance(minutes=30)
    on_desktop = desktop.review_session()
    assert on_desktop.next_card().id == card.id  # a learning card, due again
    assert on_desktop.answer(Rating.Good).saved
    with pytest.raises(UndoRefused, match="answered or changed elsewhere"):
        on_laptop.undo()
    kept = _card(laptop, card.id)
    assert kept.reps == 2 and kept.state != CardState.NEW  # the desktop's answer stands
    assert _reviews_of(laptop, card.id) == 2
    assert not on_laptop.can_undo
    assert examine(laptop.collection, laptop.config).healthy


def test_undo_still_works_when_nobody_else_touched_the_card(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(2)})
    session = workspace.review_session()
    card = session.next_card()
    session.answer(Rating.Good)
    assert session.next_card().id != card.id
    session.bury()  # the second card
    assert session.undo() is not None  # the bury
    assert session.undo().id == card.id  # the answer
    assert _card(workspace, card.id).reps == 0 and _reviews_of(workspace, card.id) == 0
    assert examine(workspace.collection, workspace.config).healthy


def test_doctor_finds_a_new_card_whose_log_ends_with_an_answer_and_fixes_it(make_workspace, clock):
    laptop = make_workspace({"d.md": basic_deck(3)})
    desktop = make_workspace({})
    on_laptop = laptop.review_session()
    card = on_laptop.next_card()
    on_laptop.answer(Rating.Again)
    first_review = max(row.id for row in _log(laptop) if row.card_id == card.id)
    clock.advance(minutes=30)
    on_desktop = desktop.review_session()
    assert on_desktop.next_card().id == card.id
    on_desktop.answer(Rating.Good)
    # What an undo without a guard did (and an older program still does): the card put back
    # as new, the laptop's answer taken out of the log, the desktop's left in it.
    with laptop.collection.write() as conn:
        conn.execute(
            update(cards)
            .where(cards.c.id == card.id)
            .values(
                state=CardState.NEW,
                step=0,
                stability=None,
                difficulty=None,
                reps=0,
                lapses=0,
                last_review=None,
            )
        )
        conn.execute(delete(reviews).where(reviews.c.id == first_review))
        recount(conn)
    report = examine(laptop.collection, laptop.config)
    problems = [f for f in report.findings if f.card_id == card.id]
    assert len(problems) == 1 and problems[0].fixable
    assert "is new, but its review log ends with an answer" in problems[0].message
    fixed = examine(laptop.collection, laptop.config, fix=True)
    assert any(f"card {card.id}" in line for line in fixed.fixed)
    repaired = _card(laptop, card.id)
    assert repaired.state != CardState.NEW and repaired.reps == 1
    assert repaired.stability is not None and repaired.last_review is not None
    assert examine(laptop.collection, laptop.config).healthy


def test_a_card_reset_to_new_after_answers_is_healthy(make_workspace, clock):
    from flashcards.study.manage import reset_to_new

    workspace = make_workspace({"d.md": basic_deck(2)})
    session = workspace.review_session()
    card = session.next_card()
    session.answer(Rating.Good)
    clock.advance(minutes=5)
    assert reset_to_new(workspace.collection, [card.id], clock.now()) == 1
    assert examine(workspace.collection, workspace.config).healthy


def _log(workspace):
    with workspace.collection.read() as conn:
        return conn.execute(select(reviews)).all()
