"""Recall as a search condition: `r<0.8` and the like, on stored columns, with the curve from
flashcards/scheduling/recall.py (its one home)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import BigInteger, and_, false, literal, type_coerce

from ..scheduling.recall import curve, elapsed_days, elapsed_days_sql, retrievability
from ..storage.tables import cards
from ..storage.types import to_millis

__all__ = ["elapsed_days", "recall_condition", "retrievability"]


def recall_condition(
    op: str, value: float, now: datetime, parameters: Sequence[float] | None = None
):
    """`R op value` as SQL arithmetic on bound numbers; never-reviewed cards never match.

    R falls as t/S grows, so R < x exactly when t > S·(x^(1/D) − 1)/F: a comparison of the
    elapsed whole days with the stability times a constant, with no function per row."""
    reviewed = and_(
        cards.c.stability.is_not(None),
        cards.c.last_review.is_not(None),
        cards.c.stability > 0,
    )
    if value <= 0:  # R is always above 0
        return reviewed if op in (">", ">=") else false()
    threshold = cards.c.stability * literal(curve(parameters).days_until(value))
    now_ms = literal(to_millis(now), BigInteger)
    elapsed = elapsed_days_sql(type_coerce(cards.c.last_review, BigInteger), now_ms)
    compared = {
        "<": elapsed > threshold,
        "<=": elapsed >= threshold,
        ">": elapsed < threshold,
        ">=": elapsed <= threshold,
    }[op]
    return and_(reviewed, compared)
