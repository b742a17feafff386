"""A deck's identity in the collection: a key that names the same deck on every machine.

The key is the deck's `id:` from its front matter when it has one (`id:ranking`); else its
path relative to the folder imported (`ml/ranking.md` for `flashcards import ~/decks`). A
built-in deck's key starts with `builtin/` (`builtin/02-offline-metrics.md`), whatever folder
the program is installed in. Where the file lies on this machine is kept beside the key, and is
no part of it: two machines whose copies of one folder live in different places share one deck,
and one history.

Collections from before schema 9 keyed a deck by its absolute path; such a legacy key is taken
over by the first import of that deck under its new key (see `legacy_tail`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath, PurePosixPath, PureWindowsPath

__all__ = [
    "BUILTIN_PREFIX",
    "EXPLICIT_PREFIX",
    "deck_key",
    "is_legacy",
    "key_place",
    "place_of",
    "trailing_match",
]

BUILTIN_PREFIX = "builtin/"
EXPLICIT_PREFIX = "id:"


def deck_key(place: str, explicit_id: str | None, builtin: bool) -> str:
    """The key of a deck at `place` (its path relative to the folder imported)."""
    key = EXPLICIT_PREFIX + explicit_id if explicit_id else place
    return BUILTIN_PREFIX + key if builtin else key


def is_legacy(key: str) -> bool:
    """Whether a stored key is an absolute path: a deck not imported since schema 9."""
    return PurePosixPath(key).is_absolute() or PureWindowsPath(key).is_absolute()


def key_place(key: str) -> str | None:
    """The place (relative path) a key names, without `builtin/`; None for an `id:` key or a
    legacy one."""
    place = key.removeprefix(BUILTIN_PREFIX)
    if is_legacy(place) or place.startswith(EXPLICIT_PREFIX):
        return None
    return place


def trailing_match(path: str, place: str) -> bool:
    """Whether `place` (a relative path) is the end of `path`, part for part."""
    parts = PurePath(path).parts
    wanted = PurePosixPath(place).parts
    return 0 < len(wanted) <= len(parts) and tuple(parts[-len(wanted) :]) == wanted


def place_of(file: str, known: Iterable[str]) -> tuple[str, str | None]:
    """For a file imported on its own (not from a folder): its place, and the known key it
    takes (None when it takes none). That key is the longest known one whose place ends the
    file's path, so `flashcards import ~/decks/ml/ranking.md` updates the deck `ml/ranking.md`
    that `flashcards import ~/decks` made; with none, the place is the file's name. (A file
    of the built-in decks' folder is placed before this; between a deck of yours and a
    built-in one at the same place, yours is meant.)"""
    best: tuple[tuple[int, bool], str, str] | None = None
    for key in known:
        place = key_place(key)
        if place is None or not trailing_match(file, place):
            continue
        rank = (len(PurePosixPath(place).parts), not key.startswith(BUILTIN_PREFIX))
        if best is None or rank > best[0]:
            best = (rank, place, key)
    if best is None:
        return PurePath(file).name, None
    return best[1], best[2]
