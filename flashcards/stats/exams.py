"""The exams' figures: every finished exam with its decks and score, oldest first."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Connection

from ..storage.collection import Collection
from ..storage.statistics import FinishedExam, finished_exams

__all__ = ["ExamFigures", "exam_figures", "exam_history"]


@dataclass(frozen=True, slots=True)
class ExamFigures(FinishedExam):
    """A finished exam as the statistics show it and `stats --json` writes it."""

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
        ExamFigures(**{field.name: getattr(exam, field.name) for field in fields(exam)})
        for exam in finished_exams(conn)
    ]


def exam_history(collection: Collection) -> list[ExamFigures]:
    """Every finished exam, oldest first, read on a connection of its own."""
    with collection.read() as conn:
        return exam_figures(conn)
