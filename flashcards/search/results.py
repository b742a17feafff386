"""What the browser shows of the cards a search found: one row per card for the table, and a
card's full detail with its review history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..review_rules import is_manual
from ..scheduling.recall import retrievability
from ..storage.cards import fetch_cards
from ..storage.collection import Collection
from ..storage.records import CardRecord
from ..storage.tables import cards, decks, reviews

__all__ = ["BrowserRow", "CardDetail", "HistoryEntry", "card_detail", "fetch_rows"]

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class BrowserRow:
    """One card as a line of the browser's table."""

    id: int
    front: str  # as stored; the screen shortens it to one line
    deck_name: str
    state: int
    due: datetime
    interval: timedelta | None  # from the last review to the due date; None for a new card
    retrievability: float | None  # None for a card never reviewed
    reps: int
    lapses: int
    suspended: bool
    leech: bool
    buried: bool
    source_file: str
    source_line: int


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of a card's review log (rating 0 with state_before 4: a manual change)."""

    reviewed_at: datetime
    rating: int
    state_before: int
    interval_before: float  # days
    scheduled_days: float  # days
    duration_ms: int | None
    stability: float | None
    difficulty: float | None

    @property
    def manual(self) -> bool:
        return is_manual(self.rating, self.state_before)


@dataclass(frozen=True, slots=True)
class CardDetail:
    card: CardRecord
    retrievability: float | None
    interval: timedelta | None
    history: tuple[HistoryEntry, ...]  # oldest first


def _interval(due: datetime, last_review: datetime | None) -> timedelta | None:
    return None if last_review is None else due - last_review


def fetch_rows(
    collection: Collection,
    ids: Sequence[int],
    now: datetime,
    parameters: Sequence[float] | None = None,
) -> list[BrowserRow]:
    """The rows for a page of card ids, in the order of `ids` (ids no longer found are left
    out)."""
    columns = (
        cards.c.id,
        cards.c.front,
        decks.c.name,
        decks.c.file,
        cards.c.source_line,
        cards.c.state,
        cards.c.due,
        cards.c.last_review,
        cards.c.stability,
        cards.c.reps,
        cards.c.lapses,
        cards.c.suspended,
        cards.c.leech,
        cards.c.buried_until,
    )
    found: dict[int, BrowserRow] = {}
    with collection.read() as conn:
        for start in range(0, len(ids), _CHUNK):
            statement = (
                select(*columns)
                .join(decks, decks.c.id == cards.c.deck_id)
                .where(cards.c.id.in_(list(ids[start : start + _CHUNK])))
            )
            for row in conn.execute(statement):
                found[row.id] = BrowserRow(
                    id=row.id,
                    front=row.front,
                    deck_name=row.name,
                    state=row.state,
                    due=row.due,
                    interval=_interval(row.due, row.last_review),
                    retrievability=retrievability(row.stability, row.last_review, now, parameters),
                    reps=row.reps,
                    lapses=row.lapses,
                    suspended=row.suspended,
                    leech=row.leech,
                    buried=row.buried_until is not None and row.buried_until > now,
                    source_file=row.file,
                    source_line=row.source_line,
                )
    return [found[card_id] for card_id in ids if card_id in found]


def card_detail(
    collection: Collection,
    card_id: int,
    now: datetime,
    parameters: Sequence[float] | None = None,
) -> CardDetail | None:
    """A card with its memory state now and its whole review history; None if it is gone."""
    with collection.read() as conn:
        card = fetch_cards(conn, [card_id]).get(card_id)
        if card is None:
            return None
        rows = conn.execute(
            select(
                reviews.c.reviewed_at,
                reviews.c.rating,
                reviews.c.state_before,
                reviews.c.interval_before,
                reviews.c.scheduled_days,
                reviews.c.duration_ms,
                reviews.c.stability,
                reviews.c.difficulty,
            )
            .where(reviews.c.card_id == card_id)
            .order_by(reviews.c.reviewed_at, reviews.c.id)
        )
        history = tuple(HistoryEntry(*row) for row in rows)
    return CardDetail(
        card=card,
        retrievability=retrievability(card.stability, card.last_review, now, parameters),
        interval=_interval(card.due, card.last_review),
        history=history,
    )
