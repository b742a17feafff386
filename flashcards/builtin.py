"""The decks shipped with the program: seeded into a new collection, updated in place later."""

from __future__ import annotations

import os
from datetime import datetime

from .deck import load_paths
from .deck.identity import BUILTIN_PREFIX, is_legacy, trailing_match
from .deck_import import ImportOutcome, import_paths
from .locations import builtin_decks_dir
from .storage import Collection

__all__ = ["sync_builtin_decks", "sync_problem"]


def sync_builtin_decks(collection: Collection, now: datetime) -> ImportOutcome | None:
    """Import the built-in decks; files unchanged since the last time are only hashed. None
    when there is nothing to do; else the import's outcome, errors included (then nothing was
    written: a half-broken set is never imported, and `sync_problem` says so to the person).

    Skipped when the collection's setting says so (`flashcards decks builtin off`), and with
    FLASHCARDS_NO_BUILTIN=1 (a collection created that way keeps the built-in decks off). A
    built-in deck the person removed is not added again. Built-in decks are keyed by their
    place in the built-in folder (`builtin/02-offline-metrics.md`), so installs in different
    folders share them; built-in cards carry explicit ids, so a new version of a card updates
    it in place and its history stays."""
    from .study.decks import builtin_enabled, keep_builtin_off_if_new, removed_builtin_keys

    if os.environ.get("FLASHCARDS_NO_BUILTIN") == "1":
        keep_builtin_off_if_new(collection)
        return None
    if not builtin_enabled(collection):
        return None
    folder = builtin_decks_dir()
    if not folder.is_dir():
        return None
    with collection.read() as conn:
        removed = removed_builtin_keys(conn)
    paths = [str(folder)]
    linkable: frozenset[str] = frozenset()
    if removed:
        files = sorted(folder.rglob("*.md"))
        paths = [str(f) for f in files if not _removed(f.relative_to(folder).as_posix(), removed)]
        if not paths:
            return None
        # The built-in rounds still link to the removed decks' cards: not an error.
        gone = [str(f) for f in files if str(f) not in paths]
        linkable = frozenset(load_paths(gone).card_ids())
    return import_paths(
        collection, paths, now, builtin=True, builtin_root=folder, linkable=linkable
    )


def _removed(place: str, removed: set[str]) -> bool:
    """Whether the built-in deck at `place` is one the person removed (by its key, or, removed
    before schema 9, by an absolute path that ends with its place)."""
    if BUILTIN_PREFIX + place in removed:
        return True
    return any(is_legacy(key) and trailing_match(key, place) for key in removed)


def sync_problem(outcome: ImportOutcome | None) -> str | None:
    """What to tell the person when the built-in decks could not be updated."""
    if outcome is None or not outcome.errors:
        return None
    count = len(outcome.errors)
    first = outcome.errors[0]
    more = f" (and {count - 1} more)" if count > 1 else ""
    return (
        f"The built-in decks were not updated: {first}{more}. Your collection is unchanged; "
        "`flashcards check` on the built-in decks' folder lists every problem."
    )
