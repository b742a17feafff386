"""Totals kept as answers are given: each study day's answers (`review_day`) and each card's
true-retention counts (`card.recall_passed`, `card.recall_total`). The statistics read these
instead of the review log; `recount` rebuilds them from the log (for `flashcards doctor`, and
for data written around the program)."""

from __future__ import annotations

import functools

from sqlalchemy import Connection, case, func, insert, select, update

from ..review_rules import CardState, counts_for_retention, is_mature, passes
from .dialect import add_or_insert
from .prepared import Prepared
from .tables import cards, review_days, reviews

__all__ = [
    "add_to_day",
    "count_if",
    "totals_agree",
    "recount",
]


_COUNTS = (
    "learning", "review", "relearning", "duration_ms",
    "young_passed", "young_total", "mature_passed", "mature_total",
)  # fmt: skip


def _day_counts(
    state_before: int,
    rating: int,
    duration_ms: int | None,
    interval_before: float,
    first_of_day: bool,
    sign: int,
) -> dict[str, int]:
    counts = dict.fromkeys(_COUNTS, 0)
    if state_before in (CardState.NEW, CardState.LEARNING):
        counts["learning"] = sign
    elif state_before == CardState.REVIEW:
        counts["review"] = sign
    elif state_before == CardState.RELEARNING:
        counts["relearning"] = sign
    counts["duration_ms"] = sign * (duration_ms or 0)
    if counts_for_retention(state_before, first_of_day):
        group = "mature" if is_mature(interval_before) else "young"
        counts[f"{group}_total"] = sign
        counts[f"{group}_passed"] = sign if passes(rating) else 0
    return counts


@functools.cache
def _add_statement(dialect_name: str) -> Prepared:
    """The day's totals plus an answer's counts, for one engine (dialect.add_or_insert)."""
    upsert = add_or_insert(dialect_name, review_days, "day", _COUNTS)
    return Prepared(upsert, columns=("day", *_COUNTS))


def add_to_day(conn: Connection, answer, sign: int = 1) -> None:
    """Count an answer in its day's totals (`sign` -1: take it out again, for undo). `answer`
    is a `ReviewEntry` or a review row: anything with its day, state_before, rating,
    duration_ms, interval_before and first_of_day."""
    if answer.state_before == CardState.MANUAL:
        return
    counts = _day_counts(
        answer.state_before,
        answer.rating,
        answer.duration_ms,
        answer.interval_before,
        answer.first_of_day,
        sign,
    )
    _add_statement(conn.dialect.name).run(conn, {"day": answer.day, **counts})


def count_if(condition):
    """SUM of 1 over the rows where `condition` holds."""
    return func.sum(case((condition, 1), else_=0))


def _recounted_days():
    """Each day's totals, counted from the review log."""
    # `counts_for_retention`, `is_mature` and `passes` over the log's columns.
    retained = reviews.c.first_of_day.is_(True) & (reviews.c.state_before == CardState.REVIEW)
    young = retained & ~is_mature(reviews.c.interval_before)
    mature = retained & is_mature(reviews.c.interval_before)
    passed = passes(reviews.c.rating)
    return (
        select(
            reviews.c.day,
            count_if(reviews.c.state_before.in_((CardState.NEW, CardState.LEARNING))),
            count_if(reviews.c.state_before == CardState.REVIEW),
            count_if(reviews.c.state_before == CardState.RELEARNING),
            func.coalesce(func.sum(reviews.c.duration_ms), 0),
            count_if(young & passed),
            count_if(young),
            count_if(mature & passed),
            count_if(mature),
        )
        .where(reviews.c.state_before != CardState.MANUAL)
        .group_by(reviews.c.day)
    )


def _recounted_cards():
    """Each card's true-retention counts, counted from the review log."""
    return (
        select(
            reviews.c.card_id,
            count_if(passes(reviews.c.rating)).label("passed"),
            func.count().label("total"),
        )
        .where(reviews.c.first_of_day.is_(True), reviews.c.state_before == CardState.REVIEW)
        .group_by(reviews.c.card_id)
    )


def totals_agree(conn: Connection) -> bool:
    """Whether the kept totals hold exactly what the review log says."""
    kept = {row[0]: tuple(row[1:]) for row in conn.execute(select(review_days))}
    counted = {row[0]: tuple(row[1:]) for row in conn.execute(_recounted_days())}
    if {day: values for day, values in kept.items() if any(values)} != counted:
        return False
    kept_cards = {
        row[0]: (row[1], row[2])
        for row in conn.execute(
            select(cards.c.id, cards.c.recall_passed, cards.c.recall_total).where(
                cards.c.recall_total != 0
            )
        )
    }
    counted_cards = {row[0]: (row[1], row[2]) for row in conn.execute(_recounted_cards())}
    return kept_cards == counted_cards


def recount(conn: Connection) -> None:
    """Rebuild every total from the review log."""
    conn.execute(review_days.delete())
    conn.execute(
        insert(review_days).from_select(["day", *_COUNTS], _recounted_days()),
    )
    retained = _recounted_cards().subquery()
    conn.execute(update(cards).values(recall_passed=0, recall_total=0))
    conn.execute(
        update(cards)
        .where(cards.c.id == retained.c.card_id)
        .values(recall_passed=retained.c.passed, recall_total=retained.c.total)
    )
