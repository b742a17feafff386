"""The decks shipped with the program: seeded into a new collection, updated in place later."""

from __future__ import annotations

import os
from datetime import datetime

from .deck_import import import_paths
from .locations import builtin_decks_dir
from .storage import Collection, ImportReport

__all__ = ["sync_builtin_decks"]


def sync_builtin_decks(collection: Collection, now: datetime) -> ImportReport | None:
    """Import the built-in decks; files unchanged since the last time are only hashed.

    Skipped when the collection's setting says so (`flashcards decks builtin off`), and with
    FLASHCARDS_NO_BUILTIN=1 (a collection created that way keeps the built-in decks off). A
    built-in deck the person removed is not added again. Built-in cards carry explicit ids, so
    a new version of a card updates it in place and its history stays."""
    from .study.decks import builtin_enabled, keep_builtin_off_if_new, removed_builtin_files

    if os.environ.get("FLASHCARDS_NO_BUILTIN") == "1":
        keep_builtin_off_if_new(collection)
        return None
    if not builtin_enabled(collection):
        return None
    folder = builtin_decks_dir()
    if not folder.is_dir():
        return None
    with collection.read() as conn:
        removed = removed_builtin_files(conn)
    paths = [str(folder)]
    if removed:
        files = sorted(folder.rglob("*.md"))
        paths = [str(f) for f in files if str(f.resolve()) not in removed]
        if not paths:
            return None
    outcome = import_paths(collection, paths, now, builtin=True)
    # A half-broken set is never imported; the test suite keeps one from shipping.
    return outcome.report
