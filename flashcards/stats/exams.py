"""The exams' figures: every finished exam with its decks and score, oldest first."""

from __future__ import annotations

import json

from sqlalchemy import select

from ..storage.collection import Collection
from ..storage.tables import exams as exams_t

__all__ = ["exam_history"]


def exam_history(collection: Collection) -> list[dict]:
    """Every finished exam, oldest first, as `flashcards stats --json` prints them."""
    with collection.read() as conn:
        rows = conn.execute(
            select(exams_t)
            .where(exams_t.c.finished_at.is_not(None))
            .order_by(exams_t.c.started_at, exams_t.c.id)
        ).all()
    return [
        {
            "started_at": row.started_at.isoformat(),
            "decks": json.loads(row.decks),
            "count": row.count,
            "correct": row.correct,
            "score": round(row.score, 4),
            "passed": row.passed,
        }
        for row in rows
    ]
