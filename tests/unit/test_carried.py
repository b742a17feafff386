"""Review schedules carried over from another tool become FSRS state at the first import, and
the doctor's replay of the log starts from them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from flashcards.convert.model import Schedule
from flashcards.maintenance.doctor import examine
from flashcards.review_rules import CardState
from flashcards.storage.tables import CardRow, ReviewRow
from flashcards.study.carried import carry_schedules, memory_from_sm2

pytestmark = pytest.mark.engines

cards_t = CardRow.__table__
reviews_t = ReviewRow.__table__

DECK = """\
<!-- id: obs-a -->
Q: What does NDCG divide each gain by?
A: log2(rank + 1)

<!-- id: obs-b -->
Q: What does MRR average?
A: 1 / rank of the first relevant result

<!-- id: obs-c -->
Q: Never scheduled?
A: Stays new.
"""


def card(workspace, explicit_id: str):
    with workspace.collection.read() as conn:
        return conn.execute(select(cards_t).where(cards_t.c.explicit_id == explicit_id)).one()


def carry(workspace, schedules):
    return carry_schedules(
        workspace.collection, schedules, workspace.clock.now(), workspace.today()
    )


def test_a_schedule_becomes_a_review_card_due_on_its_date(make_workspace):
    workspace = make_workspace({"d.md": DECK})
    result = carry(
        workspace,
        {
            "obs-a": Schedule(date(2026, 1, 20), 21, 250),
            "obs-b": Schedule(date(2026, 1, 7), 4, 130),
        },
    )
    assert (result.carried, result.kept, result.refused) == (2, 0, 0)
    a = card(workspace, "obs-a")
    assert a.state == CardState.REVIEW and a.reps == 0
    # Due at the start of that study day: 04:00 in Berlin, 03:00 UTC in winter.
    assert a.due == datetime(2026, 1, 20, 3, 0, tzinfo=UTC)
    assert a.last_review == a.due - timedelta(days=21)
    # A card that SM-2 kept for 21 days at 250% is about that stable; a lower ease is harder.
    assert a.stability == pytest.approx(21.0, rel=0.05)
    b = card(workspace, "obs-b")
    assert b.difficulty > a.difficulty
    assert card(workspace, "obs-c").state == CardState.NEW
    with workspace.collection.read() as conn:
        logged = conn.execute(select(reviews_t).where(reviews_t.c.card_id == a.id)).one()
    assert (logged.rating, logged.state_before, logged.scheduled_days) == (
        0,
        CardState.MANUAL,
        21.0,
    )
    assert examine(workspace.collection, workspace.config).healthy


def test_carried_once_and_the_doctor_replays_answers_from_it(make_workspace, clock):
    workspace = make_workspace({"d.md": DECK}, new_per_day=0)
    carry(workspace, {"obs-b": Schedule(date(2026, 1, 5), 4, 250)})  # due today
    session = workspace.review_session()
    shown = session.next_card()
    assert shown is not None and shown.id == card(workspace, "obs-b").id
    assert session.answer(3).saved
    answered = card(workspace, "obs-b")
    assert answered.reps == 1 and answered.stability > 4
    assert examine(workspace.collection, workspace.config).healthy
    again = carry(workspace, {"obs-b": Schedule(date(2026, 3, 1), 60, 250)})
    assert (again.carried, again.kept) == (0, 1)
    assert card(workspace, "obs-b").stability == answered.stability


def test_out_of_range_schedules_leave_the_card_new(make_workspace):
    workspace = make_workspace({"d.md": DECK})
    result = carry(workspace, {"obs-a": Schedule(date(2026, 1, 9), 0, 250)})
    assert result.refused == 1 and card(workspace, "obs-a").state == CardState.NEW
    assert memory_from_sm2(1.0, 10, None) is None
