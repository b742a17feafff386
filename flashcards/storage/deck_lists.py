"""The person's lists of decks, kept in the collection's `meta` table as JSON lists of deck
keys (flashcards.deck.identity): the decks hidden, and the built-in decks removed (never to be
added again; removed before schema 9, they are named by their absolute paths). An import that
changes a deck's key renames it here in the same transaction."""

from __future__ import annotations

import json

from sqlalchemy import Connection, delete, select

from .tables import meta as meta_t

__all__ = ["HIDDEN", "REMOVED_BUILTIN", "key_list", "read_meta", "rename_deck_keys", "write_meta"]

HIDDEN = "hidden_decks"
REMOVED_BUILTIN = "removed_builtin_decks"


def read_meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(meta_t.c.value).where(meta_t.c.key == key)).scalar()


def write_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute(delete(meta_t).where(meta_t.c.key == key))
    conn.execute(meta_t.insert().values(key=key, value=value))


def key_list(conn: Connection, name: str) -> set[str]:
    """The deck keys of one list (empty when it is missing or unreadable)."""
    try:
        values = json.loads(read_meta(conn, name) or "[]")
    except ValueError:
        return set()
    return {v for v in values if isinstance(v, str)} if isinstance(values, list) else set()


def rename_deck_keys(conn: Connection, renamed: dict[str, str]) -> None:
    """Follow decks whose key changed (old -> new) in the lists."""
    for name in (HIDDEN, REMOVED_BUILTIN):
        keys = key_list(conn, name)
        if keys & renamed.keys():
            write_meta(conn, name, json.dumps(sorted(renamed.get(k, k) for k in keys)))
