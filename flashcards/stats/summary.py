"""The collection's headline figures, as printed by `flashcards stats`."""

from __future__ import annotations

from ..scheduling.queue import Overview
from ..study.exam import exam_history

__all__ = ["everything", "summary"]


def _headline(states: dict[str, int], today: Overview, exams: list[dict]) -> dict:
    return {
        "cards": sum(states[name] for name in ("new", "learning", "review", "relearning"))
        + states["suspended"],
        "new": states["new"],
        "learning": states["learning"] + states["relearning"],
        "review": states["review"],
        "suspended": states["suspended"],
        "due_today": today.learning + today.due,
        "new_today": today.new,
        "reviews_today": today.reviews_today,
        "streak_days": today.streak_days,
        "exams": exams,
    }


def summary(workspace) -> dict:
    """Cards by state, today's work after limits, and the streak."""
    from .figures import card_states

    with workspace.collection.read() as conn:
        states = card_states(conn, workspace.clock.now())
    return _headline(states, workspace.overview(), exam_history(workspace.collection))


def everything(workspace, days: int = 30, topics: int | None = None) -> dict:
    """The headline figures followed by every statistic (the JSON of `flashcards stats`); with
    `topics`, only that many of the weakest topics."""
    from .figures import collect

    details = collect(workspace, days, topics)
    figures = _headline(details["card_states"], workspace.overview(), details.pop("exams"))
    figures.update(details)
    return figures
