"""The collection's headline figures, as printed by `flashcards stats`."""

from __future__ import annotations

from ..scheduling.queue import Overview
from .figures import cards_in_use, collect

__all__ = ["everything"]


def _headline(states: dict[str, int], today: Overview, exams: list[dict]) -> dict:
    return {
        "cards": cards_in_use(states),
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


def everything(workspace, days: int = 30) -> dict:
    """The headline figures followed by every statistic (the JSON of `flashcards stats`)."""
    details = collect(workspace, days)
    figures = _headline(details["card_states"], workspace.overview(), details.pop("exams"))
    figures.update(details)
    return figures
