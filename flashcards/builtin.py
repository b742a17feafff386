"""The decks shipped with the program: seeded into a new collection, updated in place later."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime

from .deck import load_paths
from .locations import builtin_decks_dir
from .storage import Collection, ImportReport, import_decks

__all__ = ["builtin_fingerprint", "sync_builtin_decks"]

_META_KEY = "builtin_decks_digest"


def builtin_fingerprint() -> str:
    digest = hashlib.blake2b(digest_size=16)
    folder = builtin_decks_dir()
    for path in sorted(folder.glob("*.md")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def sync_builtin_decks(collection: Collection, now: datetime) -> ImportReport | None:
    """Import the built-in decks when they differ from what the collection last saw.

    Skipped with FLASHCARDS_NO_BUILTIN=1. Built-in cards carry explicit ids, so a new version
    of a card updates it in place and its history stays."""
    if os.environ.get("FLASHCARDS_NO_BUILTIN") == "1":
        return None
    folder = builtin_decks_dir()
    if not folder.is_dir():
        return None
    fingerprint = builtin_fingerprint()
    if collection.get_meta(_META_KEY) == fingerprint:
        return None
    loaded = load_paths([str(folder)])
    if loaded.errors:  # never import a half-broken set; the test suite keeps this from shipping
        return None
    report = import_decks(collection, loaded.decks, now, builtin=True)
    collection.set_meta(_META_KEY, fingerprint)
    return report
