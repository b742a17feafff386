"""FSRS-6's forgetting curve R(t, S) = (1 + F·t/S)^D, with D = −w20 and F = 0.9^(1/D) − 1:
evaluated for one card, and turned into a condition on stored columns for a search."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fsrs.scheduler import DEFAULT_PARAMETERS
from sqlalchemy import BigInteger, and_, false, func, literal, type_coerce

from ..storage.tables import CardRow
from ..storage.types import to_millis

__all__ = ["elapsed_days", "recall_condition", "retrievability"]

cards = CardRow.__table__
DAY_MS = 86_400_000


def _curve(parameters: Sequence[float] | None) -> tuple[float, float]:
    decay = -(parameters or DEFAULT_PARAMETERS)[20]
    return decay, 0.9 ** (1 / decay) - 1


def elapsed_days(last_review: datetime, now: datetime) -> int:
    """Whole days since the last review, as the `fsrs` package counts them."""
    return max(0, (now - last_review).days)


def retrievability(
    stability: float | None,
    last_review: datetime | None,
    now: datetime,
    parameters: Sequence[float] | None = None,
) -> float | None:
    """The probability of recalling the card at `now`; None for a card never reviewed."""
    if stability is None or last_review is None or stability <= 0:
        return None
    decay, factor = _curve(parameters)
    return (1 + factor * elapsed_days(last_review, now) / stability) ** decay


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
    decay, factor = _curve(parameters)
    threshold = cards.c.stability * literal((value ** (1 / decay) - 1) / factor)
    now_ms = literal(to_millis(now), BigInteger)
    elapsed = func.max(now_ms - type_coerce(cards.c.last_review, BigInteger), 0) // DAY_MS
    compared = {
        "<": elapsed > threshold,
        "<=": elapsed >= threshold,
        ">": elapsed < threshold,
        ">=": elapsed <= threshold,
    }[op]
    return and_(reviewed, compared)
