"""The collection's headline figures and every statistic, as printed by `flashcards stats`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..scheduling.queue import Overview
from .figures import Figures, Source, collect

__all__ = ["Summary", "everything"]


@dataclass(frozen=True, slots=True)
class Summary:
    """Today's counts (as the home screen has them) above every statistic."""

    today: Overview
    figures: Figures

    def to_json(self) -> dict[str, Any]:
        """The JSON of `flashcards stats --json`: the headline, then every figure."""
        states, today = self.figures.states, self.today
        details = self.figures.to_json()
        headline = {
            "cards": states.in_use,
            "new": states.new,
            "learning": states.learning + states.relearning,
            "review": states.review,
            "suspended": states.suspended,
            "due_today": today.learning + today.due,
            "new_today": today.new,
            "reviews_today": today.reviews_today,
            "streak_days": today.streak_days,
            "exams": details.pop("exams"),
        }
        return {**headline, **details}


class _Source(Source, Protocol):
    def overview(self) -> Overview: ...


def everything(source: _Source, days: int = 30) -> Summary:
    """The headline figures followed by every statistic."""
    return Summary(source.overview(), collect(source, days))
