"""Changing cards by hand from the browser: suspend, unsuspend, reset to new, reschedule to
today. Each call is one transaction; a reset or a reschedule leaves a manual entry in the
card's review log (rating 0, state_before 4) so its history shows what happened."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from ..review_rules import CardState
from ..storage.collection import Collection
from ..storage.tables import cards, reviews

__all__ = [
    "send_to_today",
    "all_suspended",
    "reschedule_today",
    "reset_to_new",
    "suspend",
    "unsuspend",
]

FRONT_OF_NEW_ORDER = -1  # a deck's imported cards take positions 0, 1, 2, ...
_CHUNK = 500


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    ids = list(dict.fromkeys(ids))
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _set_suspended(collection: Collection, ids: Sequence[int], now: datetime, value: bool) -> int:
    changed = 0
    with collection.write() as conn:
        for chunk in _chunks(ids):
            result = conn.execute(
                update(cards)
                .where(
                    cards.c.id.in_(chunk),
                    cards.c.retired.is_(False),
                    cards.c.suspended.is_(not value),
                )
                .values(suspended=value, modified_at=now)
            )
            changed += result.rowcount
    return changed


def suspend(collection: Collection, ids: Sequence[int], now: datetime) -> int:
    """Take cards out of study; returns how many were not suspended before."""
    return _set_suspended(collection, ids, now, True)


def unsuspend(collection: Collection, ids: Sequence[int], now: datetime) -> int:
    """Bring suspended cards back into study (a leech keeps its leech mark)."""
    return _set_suspended(collection, ids, now, False)


def all_suspended(collection: Collection, ids: Sequence[int]) -> bool:
    """Whether every one of these cards (still in use) is suspended: then `s` unsuspends."""
    with collection.read() as conn:
        for chunk in _chunks(ids):
            active = conn.execute(
                select(cards.c.id)
                .where(
                    cards.c.id.in_(chunk),
                    cards.c.retired.is_(False),
                    cards.c.suspended.is_(False),
                )
                .limit(1)
            ).first()
            if active is not None:
                return False
    return True


def _manual_entry(card_id: int, now: datetime, day: int, interval_before: float, row) -> dict:
    return {
        "card_id": card_id,
        "rating": 0,
        "reviewed_at": now,
        "duration_ms": None,
        "state_before": CardState.MANUAL,
        "interval_before": interval_before,
        "scheduled_days": 0.0,
        "day": day,
        "first_of_day": False,
        "stability": row.stability if row is not None else None,
        "difficulty": row.difficulty if row is not None else None,
    }


def _interval_days(row) -> float:
    if row.last_review is None:
        return 0.0
    return max(0.0, (row.due - row.last_review).total_seconds() / 86400)


def _read(conn: Connection, chunk: list[int]):
    return conn.execute(
        select(
            cards.c.id,
            cards.c.state,
            cards.c.due,
            cards.c.last_review,
            cards.c.stability,
            cards.c.difficulty,
            cards.c.reps,
            cards.c.lapses,
            cards.c.leech,
        ).where(cards.c.id.in_(chunk), cards.c.retired.is_(False))
    ).all()


def reset_to_new(collection: Collection, ids: Sequence[int], now: datetime, *, day: int = 0) -> int:
    """Forget the cards' schedule: new again (FSRS state cleared, reps and lapses 0, due now,
    leech mark cleared). The review history stays, with a manual entry added. Cards that are
    already new and never answered are left alone. `day` is the study day (date.toordinal())
    written on the log entries. Returns how many cards changed."""
    changed = 0
    with collection.write() as conn:
        for chunk in _chunks(ids):
            rows = [
                row
                for row in _read(conn, chunk)
                if not (
                    row.state == CardState.NEW
                    and row.reps == 0
                    and row.lapses == 0
                    and not row.leech
                )
            ]
            if not rows:
                continue
            conn.execute(
                update(cards)
                .where(cards.c.id.in_([row.id for row in rows]))
                .values(
                    state=CardState.NEW,
                    step=None,
                    stability=None,
                    difficulty=None,
                    last_review=None,
                    due=now,
                    reps=0,
                    lapses=0,
                    leech=False,
                    buried_until=None,
                    modified_at=now,
                )
            )
            conn.execute(
                insert(reviews),
                [_manual_entry(row.id, now, day, _interval_days(row), None) for row in rows],
            )
            changed += len(rows)
    return changed


def reschedule_today(
    collection: Collection, ids: Sequence[int], now: datetime, *, day: int = 0
) -> int:
    """Make the cards due now: learning and review cards keep their memory state and become
    due now; new cards move to the front of their deck's new cards. Buried cards are unburied.
    Each card gets a manual entry in its review log. Returns how many cards changed."""
    changed = 0
    with collection.write() as conn:
        for chunk in _chunks(ids):
            rows = _read(conn, chunk)
            if not rows:
                continue
            studied = [row.id for row in rows if row.state != CardState.NEW]
            new = [row.id for row in rows if row.state == CardState.NEW]
            if studied:
                conn.execute(
                    update(cards)
                    .where(cards.c.id.in_(studied))
                    .values(due=now, buried_until=None, modified_at=now)
                )
            if new:
                conn.execute(
                    update(cards)
                    .where(cards.c.id.in_(new))
                    .values(position=FRONT_OF_NEW_ORDER, buried_until=None, modified_at=now)
                )
            conn.execute(
                insert(reviews),
                [_manual_entry(row.id, now, day, _interval_days(row), row) for row in rows],
            )
            changed += len(rows)
    return changed


def send_to_today(collection: Collection, ids: Sequence[int], now: datetime) -> int:
    """Bring cards into today's study without touching their memory state or the review log
    (what an exam's or a round's misses ask for): studied cards become due now, new cards go
    to the front of their deck's new cards. Returns how many cards were named."""
    if not ids:
        return 0
    with collection.write() as conn:
        for chunk in _chunks(ids):
            conn.execute(
                update(cards)
                .where(cards.c.id.in_(chunk), cards.c.state != CardState.NEW)
                .values(due=now, buried_until=None, modified_at=now)
            )
            conn.execute(
                update(cards)
                .where(cards.c.id.in_(chunk), cards.c.state == CardState.NEW)
                .values(position=FRONT_OF_NEW_ORDER, buried_until=None, modified_at=now)
            )
    return len(ids)
