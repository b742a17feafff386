"""The decks a collection holds, and the person's choices about them: listing, hiding (kept
and scheduled, but left out of home, "study all" and exams), removing (after a backup that
keeps their history), and whether the built-in decks are added and updated.

The choices live in the collection's `meta` table, so they stick to the collection whatever
the environment or machine: `hidden_decks` (a JSON list of deck keys, see
flashcards.deck.identity), `builtin_decks` ("on"/"off") and `removed_builtin_decks` (keys of
built-in decks never to be added again; before schema 9, their absolute paths)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, delete, func, select

from ..storage.collection import Collection
from ..storage.deck_lists import HIDDEN, REMOVED_BUILTIN, key_list, read_meta, write_meta
from ..storage.tables import cards as cards_t
from ..storage.tables import decks as decks_t
from ..storage.tables import exam_answers as answers_t
from ..storage.tables import reviews as reviews_t
from ..storage.totals import recount

__all__ = [
    "DeckSummary",
    "UnknownDeck",
    "builtin_enabled",
    "deck_by_id",
    "find_deck",
    "hidden_deck_keys",
    "keep_builtin_off_if_new",
    "list_decks",
    "names_deck",
    "remove_deck",
    "removed_builtin_keys",
    "set_builtin",
    "set_hidden",
]


BUILTIN = "builtin_decks"


class UnknownDeck(Exception):
    """A deck name that matches no deck; the message lists the known ones."""


@dataclass(frozen=True, slots=True)
class DeckSummary:
    id: int
    name: str
    key: str  # the same on every machine (flashcards.deck.identity)
    file: str  # where it was last imported from
    builtin: bool
    hidden: bool
    cards: int  # in use (not retired)
    reviews: int  # answers in its cards' history

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "key": self.key,
            "file": self.file,
            "builtin": self.builtin,
            "hidden": self.hidden,
            "cards": self.cards,
            "reviews": self.reviews,
        }


def hidden_deck_keys(conn: Connection) -> set[str]:
    """The keys of the decks the person hid."""
    return key_list(conn, HIDDEN)


def removed_builtin_keys(conn: Connection) -> set[str]:
    """Keys of the built-in decks the person removed: never added again. (Removed before
    schema 9: their absolute paths.)"""
    return key_list(conn, REMOVED_BUILTIN)


def builtin_enabled(collection: Collection) -> bool:
    """Whether the built-in decks are added to and updated in this collection (on unless the
    person turned them off)."""
    with collection.read() as conn:
        return read_meta(conn, BUILTIN) != "off"


def keep_builtin_off_if_new(collection: Collection) -> None:
    """A collection still without decks or a choice, opened with FLASHCARDS_NO_BUILTIN=1, keeps
    the built-in decks off from then on, with or without the variable."""
    with collection.read() as conn:
        decided = read_meta(conn, BUILTIN) is not None
        empty = conn.execute(select(decks_t.c.id).limit(1)).first() is None
    if not decided and empty:
        set_builtin(collection, False)


def set_builtin(collection: Collection, enabled: bool) -> None:
    with collection.write() as conn:
        write_meta(conn, BUILTIN, "on" if enabled else "off")


def list_decks(collection: Collection) -> list[DeckSummary]:
    """Every deck with cards in use, in file order, hidden ones included (and marked)."""
    in_use = (
        select(cards_t.c.deck_id, func.count().label("cards"))
        .where(cards_t.c.retired.is_(False))
        .group_by(cards_t.c.deck_id)
        .subquery()
    )
    answered = (
        select(cards_t.c.deck_id, func.count().label("reviews"))
        .select_from(reviews_t.join(cards_t, cards_t.c.id == reviews_t.c.card_id))
        .group_by(cards_t.c.deck_id)
        .subquery()
    )
    statement = (
        select(
            decks_t.c.id,
            decks_t.c.name,
            decks_t.c.key,
            decks_t.c.file,
            decks_t.c.builtin,
            in_use.c.cards,
            func.coalesce(answered.c.reviews, 0),
        )
        .join(in_use, in_use.c.deck_id == decks_t.c.id)
        .outerjoin(answered, answered.c.deck_id == decks_t.c.id)
        .order_by(decks_t.c.key)
    )
    with collection.read() as conn:
        hidden = hidden_deck_keys(conn)
        rows = conn.execute(statement).all()
    return [
        DeckSummary(id, name, key, file, bool(builtin), key in hidden, int(cards), int(reviews))
        for id, name, key, file, builtin, cards, reviews in rows
    ]


def names_deck(name: str, title: str, file: str) -> bool:
    """Whether `name`, as a person types it, names this deck: its title ignoring case, or its
    file's name without `.md`."""
    wanted = name.casefold()
    return title.casefold() == wanted or Path(file).stem.casefold() == wanted


def find_deck(collection: Collection, name: str) -> DeckSummary:
    """The one deck `name` names (see `names_deck`). Raises UnknownDeck when none or more
    than one match."""
    decks = list_decks(collection)
    found = [d for d in decks if names_deck(name, d.name, d.file)]
    if not found:
        known = ", ".join(d.name for d in decks) or "none"
        raise UnknownDeck(f"no deck named '{name}'. Known decks: {known}")
    if len(found) > 1:
        files = ", ".join(d.file for d in found)
        raise UnknownDeck(f"'{name}' names {len(found)} decks ({files}): use a file's name")
    return found[0]


def deck_by_id(collection: Collection, deck_id: int) -> DeckSummary:
    """The deck with this id (raises UnknownDeck when it is gone)."""
    for deck in list_decks(collection):
        if deck.id == deck_id:
            return deck
    raise UnknownDeck(f"no deck with id {deck_id}")


def set_hidden(collection: Collection, deck: DeckSummary, hidden: bool) -> bool:
    """Hide or show a deck again; returns whether anything changed."""
    with collection.write() as conn:
        keys = hidden_deck_keys(conn)
        before = deck.key in keys
        if hidden:
            keys.add(deck.key)
        else:
            keys.discard(deck.key)
        write_meta(conn, HIDDEN, json.dumps(sorted(keys)))
    return before != hidden


Made = TypeVar("Made")  # what the backup callback gives back (the backup it made)


def remove_deck(collection: Collection, deck: DeckSummary, backup: Callable[[], Made]) -> Made:
    """Delete a deck with its cards and their history, after `backup()` has kept them (its
    result is returned, to tell the person where). A built-in deck is not added back later."""
    made = backup()  # raises if it cannot be made: then nothing is removed
    with collection.write() as conn:
        ids = select(cards_t.c.id).where(cards_t.c.deck_id == deck.id)
        conn.execute(delete(answers_t).where(answers_t.c.card_id.in_(ids)))
        conn.execute(delete(reviews_t).where(reviews_t.c.card_id.in_(ids)))
        conn.execute(delete(cards_t).where(cards_t.c.deck_id == deck.id))
        conn.execute(delete(decks_t).where(decks_t.c.id == deck.id))
        hidden = hidden_deck_keys(conn) - {deck.key}
        write_meta(conn, HIDDEN, json.dumps(sorted(hidden)))
        if deck.builtin:
            removed = removed_builtin_keys(conn) | {deck.key}
            write_meta(conn, REMOVED_BUILTIN, json.dumps(sorted(removed)))
        recount(conn)  # the day totals and each card's retention, without the removed answers
    return made
