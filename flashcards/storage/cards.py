"""Reading and changing cards for study: fetch, answer, restore (undo), bury, suspend."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Connection,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    type_coerce,
    update,
)

from .dialect import greatest
from .prepared import Prepared
from .records import CardRecord, card_columns
from .tables import cards, decks, reviews
from .totals import add_to_day, count_if
from .types import to_millis

__all__ = [
    "ReviewEntry",
    "count_if",
    "active_filter",
    "available_filter",
    "fetch_card",
    "fetch_cards",
    "record_answer",
    "restore_card",
    "set_flags",
]


@dataclass(frozen=True, slots=True)
class ReviewEntry:
    """A review log entry as written when a card is answered."""

    rating: int
    reviewed_at: datetime
    duration_ms: int | None
    state_before: int
    interval_before: float
    scheduled_days: float
    stability: float | None
    difficulty: float | None
    day: int = 0  # the study day, as date.toordinal()
    first_of_day: bool = True  # the card's first answer that study day


def active_filter():
    """Cards that take part in study at all: not retired, not suspended."""
    return and_(cards.c.retired.is_(False), cards.c.suspended.is_(False))


def available_filter(now: datetime | BindParameter[Any]) -> ColumnElement[bool]:
    """Active cards that are not buried at `now` (a time, or a statement's parameter for one)."""
    return and_(
        active_filter(),
        or_(cards.c.buried_until.is_(None), cards.c.buried_until <= now),
    )


# Statements run for every card shown or answered are built once and run as `Prepared`
# statements: on the driver's connection in the review loop, the ordinary way elsewhere.

_FETCH = Prepared(
    select(*card_columns())
    .join(decks, decks.c.id == cards.c.deck_id)
    .where(cards.c.id.in_(bindparam("ids", expanding=True)))
)
_FETCH_ONE = Prepared(
    select(*card_columns())
    .join(decks, decks.c.id == cards.c.deck_id)
    .where(cards.c.id == bindparam("id"))
)


def fetch_cards(conn: Connection, ids: Iterable[int]) -> dict[int, CardRecord]:
    ids = list(ids)
    found: dict[int, CardRecord] = {}
    for start in range(0, len(ids), 500):
        for row in _FETCH.run(conn, {"ids": ids[start : start + 500]}).rows:
            found[row[0]] = CardRecord.from_row(row)
    return found


def fetch_card(conn: Connection, card_id: int) -> CardRecord | None:
    rows = _FETCH_ONE.run(conn, {"id": card_id}).rows
    return CardRecord.from_row(rows[0]) if rows else None


# The answer: the card update, guarded by what was read (parameters `read_*`), setting the
# columns named in ANSWER_SETS; then the review log entry, returning its id.
_ANSWER_SETS = (
    "state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses",
    "leech", "suspended", "modified_at", "recall_passed", "recall_total",
)  # fmt: skip
_UPDATE_ANSWERED = Prepared(
    update(cards).where(
        cards.c.id == bindparam("read_id"),
        cards.c.reps == bindparam("read_reps"),
        cards.c.suspended == bindparam("read_suspended", type_=cards.c.suspended.type),
        cards.c.retired.is_(False),
    ),
    columns=_ANSWER_SETS,
)
_REVIEW_COLUMNS = (
    "card_id", "rating", "reviewed_at", "duration_ms", "state_before", "interval_before",
    "scheduled_days", "day", "first_of_day", "stability", "difficulty",
)  # fmt: skip
_INSERT_REVIEW = Prepared(insert(reviews).returning(reviews.c.id), columns=_REVIEW_COLUMNS)


def record_answer(
    conn: Connection,
    before: CardRecord,
    after: CardRecord,
    entry: ReviewEntry,
    now: datetime,
) -> int | None:
    """Store an answer if the card is still as it was read, and count it in its day's totals;
    return the review's id, or None when another program answered or changed the card in the
    meantime."""
    updated = _UPDATE_ANSWERED.run(
        conn,
        {
            "read_id": before.id,
            "read_reps": before.reps,
            "read_suspended": before.suspended,
            "state": after.state,
            "step": after.step,
            "stability": after.stability,
            "difficulty": after.difficulty,
            "due": after.due,
            "last_review": after.last_review,
            "reps": after.reps,
            "lapses": after.lapses,
            "leech": after.leech,
            "suspended": after.suspended,
            "modified_at": now,
            "recall_passed": after.recall_passed,
            "recall_total": after.recall_total,
        },
    )
    if updated.rowcount != 1:
        return None
    add_to_day(conn, entry)
    return _INSERT_REVIEW.run(
        conn,
        {
            "card_id": before.id,
            "rating": entry.rating,
            "reviewed_at": entry.reviewed_at,
            "duration_ms": entry.duration_ms,
            "state_before": entry.state_before,
            "interval_before": entry.interval_before,
            "scheduled_days": entry.scheduled_days,
            "day": entry.day,
            "first_of_day": entry.first_of_day,
            "stability": entry.stability,
            "difficulty": entry.difficulty,
        },
    ).scalar()


def restore_card(
    conn: Connection,
    record: CardRecord,
    now: datetime,
    review_id: int | None = None,
    *,
    left_reps: int,
    left_at: datetime,
) -> bool:
    """Put a card back exactly as `record` holds it (undo), removing the review it caused and
    taking that answer out of its day's totals; only if the card is still as this program
    left it (`left_reps` answers, changed at `left_at`). Returns False, changing nothing, when
    another program (another machine, another window) answered or changed it since: putting
    it back would silently drop that change."""
    restored = conn.execute(
        update(cards)
        .where(
            cards.c.id == record.id,
            cards.c.reps == left_reps,
            cards.c.modified_at == left_at,
        )
        .values(
            state=record.state,
            step=record.step,
            stability=record.stability,
            difficulty=record.difficulty,
            due=record.due,
            last_review=record.last_review,
            reps=record.reps,
            lapses=record.lapses,
            leech=record.leech,
            suspended=record.suspended,
            buried_until=record.buried_until,
            modified_at=now,
            recall_passed=record.recall_passed,
            recall_total=record.recall_total,
        )
    )
    if restored.rowcount != 1:
        return False
    if review_id is None:
        return True
    review = conn.execute(select(reviews).where(reviews.c.id == review_id)).one_or_none()
    if review is None:
        return True
    add_to_day(conn, review, sign=-1)
    conn.execute(delete(reviews).where(reviews.c.id == review_id))
    return True


def set_flags(conn: Connection, ids: list[int], now: datetime, **flags) -> None:
    """Set `suspended`, `buried_until` or `leech` on cards."""
    conn.execute(update(cards).where(cards.c.id.in_(ids)).values(modified_at=now, **flags))


def overdue_order(now: datetime):
    """Most overdue relative to the card's current interval first (arithmetic on the stored
    milliseconds, hence the coercions)."""
    due = type_coerce(cards.c.due, BigInteger)
    last = type_coerce(func.coalesce(cards.c.last_review, cards.c.due), BigInteger)
    interval = greatest(due - last, 86_400_000)
    return ((literal(to_millis(now), BigInteger) - due) * 1.0 / interval).desc()
