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

    Skipped with FLASHCARDS_NO_BUILTIN=1. Built-in cards carry explicit ids, so a new version
    of a card updates it in place and its history stays."""
    if os.environ.get("FLASHCARDS_NO_BUILTIN") == "1":
        return None
    folder = builtin_decks_dir()
    if not folder.is_dir():
        return None
    outcome = import_paths(collection, [str(folder)], now, builtin=True)
    # A half-broken set is never imported; the test suite keeps one from shipping.
    return outcome.report
