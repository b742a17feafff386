"""The collection's headline figures, as printed by `flashcards stats`."""

from __future__ import annotations

from sqlalchemy import func, select

from ..storage.records import LEARNING, NEW, RELEARNING, REVIEW
from ..storage.tables import CardRow
from ..study.exam import exam_history

__all__ = ["summary"]

cards = CardRow.__table__


def summary(workspace) -> dict:
    """Cards by state, today's work after limits, and the streak."""
    with workspace.collection.read() as conn:
        rows = conn.execute(
            select(cards.c.state, cards.c.suspended, func.count())
            .where(cards.c.retired.is_(False))
            .group_by(cards.c.state, cards.c.suspended)
        ).all()
    by_state = {NEW: 0, LEARNING: 0, REVIEW: 0, RELEARNING: 0}
    suspended = 0
    for state, is_suspended, count in rows:
        if is_suspended:
            suspended += count
        else:
            by_state[state] += count
    today = workspace.overview()
    return {
        "cards": sum(by_state.values()) + suspended,
        "new": by_state[NEW],
        "learning": by_state[LEARNING] + by_state[RELEARNING],
        "review": by_state[REVIEW],
        "suspended": suspended,
        "due_today": today.learning + today.due,
        "new_today": today.new,
        "reviews_today": today.reviews_today,
        "streak_days": today.streak_days,
        "exams": exam_history(workspace.collection),
    }


def everything(workspace, days: int = 30) -> dict:
    """The headline figures followed by every statistic (the JSON of `flashcards stats`)."""
    from .figures import collect

    figures = summary(workspace)
    details = collect(workspace, days)
    details.pop("exams")
    figures.update(details)
    return figures
