"""What `flashcards export` reads of the collection: the cards of the chosen decks with their
schedule, and their answers; and, for reviews coming back from Anki, the cards named by their
lasting identity (`uid`) or explicit id. Plain records only: no row leaves storage."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..deck.model import Choice
from ..review_rules import TOPIC_SEPARATOR, CardState
from .collection import Collection
from .tables import cards, decks, reviews

__all__ = [
    "ExportDeck",
    "ExportedCard",
    "ExportedReview",
    "card_ids_by_explicit_id",
    "card_ids_by_uid",
    "cards_to_export",
    "export_decks",
    "reviews_to_export",
]

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ExportDeck:
    id: int
    name: str
    file: str
    description: str
    tags: tuple[str, ...]
    builtin: bool


@dataclass(frozen=True, slots=True)
class ExportedCard:
    """A card as it is exported: its text, where it lives, and its schedule."""

    id: int
    uid: str  # the card's lasting identity in this collection
    explicit_id: str | None
    deck_id: int
    kind: str  # "basic", "cloze", "choice"
    front: str
    back: str
    choices: tuple[Choice, ...]
    cloze_source: str | None
    cloze_group: str | None
    sibling_key: str | None
    topic: tuple[str, ...]
    tags: tuple[str, ...]
    position: int
    suspended: bool
    state: CardState
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int
    lapses: int


@dataclass(frozen=True, slots=True)
class ExportedReview:
    """One answer of the review log (manual changes are not answers and are left out)."""

    card_id: int
    reviewed_at: datetime
    rating: int
    duration_ms: int | None
    state_before: int
    interval_before: float
    scheduled_days: float


def export_decks(collection: Collection, deck_ids: list[int] | None = None) -> list[ExportDeck]:
    """The decks with these ids (all of them when None), by name."""
    statement = select(decks).order_by(decks.c.name, decks.c.id)
    if deck_ids is not None:
        statement = statement.where(decks.c.id.in_(deck_ids))
    with collection.read() as conn:
        rows = conn.execute(statement).all()
    return [
        ExportDeck(
            row.id, row.name, row.file, row.description, tuple(row.tags.split()), row.builtin
        )
        for row in rows
    ]


def cards_to_export(collection: Collection, deck_ids: list[int]) -> list[ExportedCard]:
    """The cards of these decks that are not retired, in the order of their files."""
    c = cards.c
    statement = (
        select(
            c.id,
            c.uid,
            c.explicit_id,
            c.deck_id,
            c.kind,
            c.front,
            c.back,
            c.choices,
            c.cloze_source,
            c.cloze_group,
            c.sibling_key,
            c.topic,
            c.tags,
            c.position,
            c.suspended,
            c.state,
            c.step,
            c.stability,
            c.difficulty,
            c.due,
            c.last_review,
            c.reps,
            c.lapses,
        )  # fmt: skip
        .where(c.deck_id.in_(deck_ids), c.retired.is_(False))
        .order_by(c.deck_id, c.position, c.id)
    )
    with collection.read() as conn:
        rows = conn.execute(statement).all()
    return [
        ExportedCard(
            id=row.id,
            uid=row.uid,
            explicit_id=row.explicit_id,
            deck_id=row.deck_id,
            kind=row.kind,
            front=row.front,
            back=row.back,
            choices=tuple(Choice(text, bool(ok)) for text, ok in json.loads(row.choices)),
            cloze_source=row.cloze_source,
            cloze_group=row.cloze_group,
            sibling_key=row.sibling_key,
            topic=tuple(row.topic.split(TOPIC_SEPARATOR)) if row.topic else (),
            tags=tuple(row.tags.split()),
            position=row.position,
            suspended=row.suspended,
            state=CardState(row.state),
            step=row.step,
            stability=row.stability,
            difficulty=row.difficulty,
            due=row.due,
            last_review=row.last_review,
            reps=row.reps,
            lapses=row.lapses,
        )
        for row in rows
    ]


def reviews_to_export(collection: Collection, card_ids: list[int] | None) -> list[ExportedReview]:
    """The answers (ratings 1 to 4, not manual changes) of these cards, or of every card when
    `card_ids` is None, oldest first."""
    r = reviews.c
    statement = (
        select(
            r.card_id,
            r.reviewed_at,
            r.rating,
            r.duration_ms,
            r.state_before,
            r.interval_before,
            r.scheduled_days,
        )  # fmt: skip
        .where(r.rating.between(1, 4), r.state_before != CardState.MANUAL)
        .order_by(r.reviewed_at, r.id)
    )
    found: list[ExportedReview] = []
    with collection.read() as conn:
        if card_ids is None:
            chunks: list[list[int] | None] = [None]
        else:
            chunks = [card_ids[i : i + _CHUNK] for i in range(0, len(card_ids), _CHUNK)]
        for chunk in chunks:
            query = statement if chunk is None else statement.where(r.card_id.in_(chunk))
            found.extend(ExportedReview(*row) for row in conn.execute(query))
    found.sort(key=lambda review: review.reviewed_at)
    return found


def _ids_by(collection: Collection, column, keys: Iterable[str]) -> dict[str, int]:
    names = sorted(set(keys))
    found: dict[str, int] = {}
    with collection.read() as conn:
        for start in range(0, len(names), _CHUNK):
            rows = conn.execute(
                select(column, cards.c.id).where(
                    column.in_(names[start : start + _CHUNK]), cards.c.retired.is_(False)
                )
            )
            found.update({key: card_id for key, card_id in rows})
    return found


def card_ids_by_uid(collection: Collection, uids: Iterable[str]) -> dict[str, int]:
    """The cards (not retired) with these lasting identities."""
    return _ids_by(collection, cards.c.uid, uids)


def card_ids_by_explicit_id(collection: Collection, ids: Iterable[str]) -> dict[str, int]:
    """The cards (not retired) with these explicit ids."""
    return _ids_by(collection, cards.c.explicit_id, ids)
