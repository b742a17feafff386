"""The exams' figures: every finished exam with its decks and score, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from ..storage.collection import Collection
from ..storage.statistics import finished_exams

__all__ = ["ExamFigures", "exam_figures", "exam_history"]


@dataclass(frozen=True, slots=True)
class ExamFigures:
    started_at: datetime
    decks: list[str]
    count: int
    correct: float  # partly right counts one half
    score: float
    passed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "decks": self.decks,
            "count": self.count,
            "correct": self.correct,
            "score": round(self.score, 4),
            "passed": self.passed,
        }


def exam_figures(conn: Connection) -> list[ExamFigures]:
    """Every finished exam, oldest first."""
    return [
        ExamFigures(e.started_at, e.decks, e.count, e.correct, e.score, e.passed)
        for e in finished_exams(conn)
    ]


def exam_history(collection: Collection) -> list[ExamFigures]:
    """Every finished exam, oldest first, read on a connection of its own."""
    with collection.read() as conn:
        return exam_figures(conn)
