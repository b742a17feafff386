"""FSRS-6's forgetting curve, the one home of it: R(t, S) = (1 + F·t/S)^D with D = −w20 and
F = 0.9^(1/D) − 1, so that R = 0.9 when t = S. Every caller (review, the browser and its
search, the statistics, exams) computes a card's recall here, with the collection's fitted
parameters, the same way the `fsrs` scheduler does: t counts whole days since the last review.
The SQL forms below are built from the same constants, so a search, a statistic and the card
itself never disagree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fsrs.scheduler import DEFAULT_PARAMETERS

__all__ = [
    "DAY_MS",
    "Curve",
    "curve",
    "elapsed_days",
    "elapsed_days_sql",
    "forgetting_curve",
    "recall_sql",
    "retrievability",
    "retrievability_sql",
]

DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class Curve:
    """The curve's two constants for one parameter set: R = (1 + factor·t/S)^decay."""

    decay: float  # D = −w20, negative
    factor: float  # F = 0.9^(1/D) − 1

    def at(self, elapsed_days: float, stability: float) -> float:
        return (1 + self.factor * max(elapsed_days, 0.0) / stability) ** self.decay

    def days_until(self, recall: float) -> float:
        """t/S at which R falls to `recall` (0 < recall ≤ 1): multiply by S for the days."""
        return (recall ** (1 / self.decay) - 1) / self.factor

    def interval_stretch(self, desired_retention: float) -> float:
        """How far past its stability a card is due at this retention (1.0 at 0.9)."""
        return self.days_until(desired_retention)


def curve(parameters: Sequence[float] | None = None) -> Curve:
    """The curve for these FSRS-6 parameters (the collection's fitted set; None: defaults)."""
    decay = -(parameters or DEFAULT_PARAMETERS)[20]
    return Curve(decay, 0.9 ** (1 / decay) - 1)


def forgetting_curve(elapsed_days: float, stability: float, parameters: Sequence[float]) -> float:
    """R after `elapsed_days` (fractional days allowed: the optimizer's own model)."""
    return curve(parameters).at(elapsed_days, stability)


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
    return curve(parameters).at(elapsed_days(last_review, now), stability)


def elapsed_days_sql(last_review_ms, now_ms):
    """SQL: whole days from a stored last review (milliseconds) to `now_ms`, never below 0."""
    from ..storage.dialect import greatest

    return greatest(now_ms - last_review_ms, 0) // DAY_MS


def retrievability_sql(elapsed_days, stability, factor, decay):
    """SQL: the curve for a row, with `factor` and `decay` as bound numbers (`curve()`'s); NULL
    unless the stability is positive (a card never studied), so that nothing is divided by
    zero or raised from a negative base (PostgreSQL fails the statement where SQLite gives
    NULL)."""
    from sqlalchemy import case, func

    studied = case((stability > 0, stability))
    return func.power(1 + elapsed_days * factor / studied, decay)


def recall_sql(last_review_ms, stability, now_ms, factor, decay):
    """SQL: a card's recall at `now_ms` from its stored last review (milliseconds) and its
    stability; NULL for a card never studied."""
    return retrievability_sql(elapsed_days_sql(last_review_ms, now_ms), stability, factor, decay)
