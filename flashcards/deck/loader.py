"""Read deck files and folders from disk into parsed decks, checking them as one set."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..rounds.model import ROUND_SUFFIX, ParsedRound
from ..rounds.parser import parse_round
from .model import CardKind, DeckError, ParsedDeck
from .parser import parse_deck

__all__ = [
    "MAX_DECK_BYTES",
    "DeckFile",
    "is_round_file",
    "LoadResult",
    "load_paths",
    "load_text",
    "nothing_found",
    "parse_files",
    "read_files",
]

MAX_DECK_BYTES = 10 * 1024 * 1024


@dataclass(slots=True)
class LoadResult:
    decks: list[ParsedDeck] = field(default_factory=list)
    errors: list[DeckError] = field(default_factory=list)
    rounds: list[ParsedRound] = field(default_factory=list)
    # Card ids that rounds link to and no deck of this set holds: (path, line, id). Whoever
    # knows more cards (the collection, the built-in decks) settles them; see `unknown_links`.
    links: list[tuple[str, int, str]] = field(default_factory=list)

    def card_ids(self) -> set[str]:
        """Every explicit card id of these decks; a cloze paragraph's own id counts too."""
        ids: set[str] = set()
        for deck in self.decks:
            for card in deck.cards:
                if card.explicit_id is not None:
                    ids.add(card.explicit_id)
                    ids.add(card.explicit_id.split("#", 1)[0])
        return ids

    def unknown_links(self, known: set[str]) -> list[DeckError]:
        """Errors for the links that name none of these ids either."""
        return [
            DeckError(path, line, f"no card has the id '{card_id}'")
            for path, line, card_id in self.links
            if card_id not in known
        ]

    @property
    def card_count(self) -> int:
        return sum(len(deck.cards) for deck in self.decks)

    def by_kind(self) -> dict[str, int]:
        counts = {kind.value: 0 for kind in CardKind}
        for deck in self.decks:
            for card in deck.cards:
                counts[card.kind.value] += 1
        return counts


def _deck_files(paths: list[str], errors: list[DeckError]) -> list[tuple[str, Path, str | None]]:
    """Expand folders to their `*.md` files (recursively, sorted); report missing paths. Each
    file comes as named, resolved, and with its place: its path relative to the folder named
    (None for a file named on its own)."""
    files: list[tuple[str, Path, str | None]] = []
    seen: set[Path] = set()

    def add(shown: str, path: Path, place: str | None) -> None:
        try:
            key = path.resolve()
        except (OSError, RuntimeError):
            key = path.absolute()
        if key not in seen:
            seen.add(key)
            files.append((shown, key, place))

    for given in paths:
        path = Path(given)
        if path.is_dir():
            found: list[tuple[Path, str]] = []
            for root, dirs, names in os.walk(
                path,
                onerror=lambda e: errors.append(
                    DeckError(str(e.filename), 0, f"cannot read folder: {e.strerror}")
                ),
            ):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                # The place, from os.walk's strings: pathlib's relative_to per file cost more
                # than the rest of an unchanged import's reading.
                below = Path(root).relative_to(path).as_posix()
                prefix = "" if below == "." else below + "/"
                found.extend((Path(root, n), prefix + n) for n in names if n.endswith(".md"))
            for file, place in sorted(found):
                add(str(file), file, place)
        elif path.exists() or path.is_symlink():
            add(given, path, None)
        else:
            errors.append(DeckError(given, 0, "no such file or folder"))
    return files


def _decode(data: bytes, shown: str) -> str | DeckError:
    if len(data) > MAX_DECK_BYTES:
        size = len(data) / 1024 / 1024
        return DeckError(shown, 0, f"file is {size:.1f} MB; decks are limited to 10 MB")
    if b"\x00" in data:
        return DeckError(shown, 0, "binary file, not a Markdown deck")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return DeckError(shown, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x})")
    return text


def load_text(data: bytes, shown: str) -> ParsedDeck | DeckError:
    """Decode and parse one file's bytes; refuse what is not a UTF-8 text deck."""
    text = _decode(data, shown)
    if isinstance(text, DeckError):
        return text
    return parse_deck(text, shown, default_title=Path(shown).stem)


def load_round_text(data: bytes, shown: str) -> ParsedRound | DeckError:
    """Decode and parse one round file's bytes."""
    text = _decode(data, shown)
    if isinstance(text, DeckError):
        return text
    return parse_round(text, shown, default_title=Path(shown).name.removesuffix(ROUND_SUFFIX))


def is_round_file(path: str | Path) -> bool:
    return str(path).endswith(ROUND_SUFFIX)


@dataclass(frozen=True, slots=True)
class DeckFile:
    """A deck file's bytes as read from disk, before parsing."""

    shown: str  # the path as the user named it
    path: Path  # resolved
    data: bytes
    place: str | None = None  # relative to the folder imported; None for a file named alone
    builtin: bool = False  # in the built-in decks' folder (`place` is relative to it)

    @property
    def digest(self) -> str:
        return hashlib.blake2b(self.data, digest_size=16).hexdigest()


def read_files(paths: list[str]) -> tuple[list[DeckFile], list[DeckError]]:
    """Read every deck file under `paths` (folders recursively); problems come back located."""
    errors: list[DeckError] = []
    files: list[DeckFile] = []
    for shown, path, place in _deck_files(paths, errors):
        try:
            if path.stat().st_size > MAX_DECK_BYTES:
                size = path.stat().st_size / 1024 / 1024
                errors.append(
                    DeckError(shown, 0, f"file is {size:.1f} MB; decks are limited to 10 MB")
                )
                continue
            files.append(DeckFile(shown, path, path.read_bytes(), place))
        except OSError as exc:
            errors.append(DeckError(shown, 0, f"cannot read: {exc.strerror or exc}"))
    return files, errors


def parse_files(files: list[DeckFile], errors: list[DeckError] | None = None) -> LoadResult:
    """Parse files already read; errors include duplicates across the whole set."""
    result = LoadResult(errors=list(errors or []))
    for file in files:
        if is_round_file(file.path):
            parsed = load_round_text(file.data, file.shown)
            if isinstance(parsed, DeckError):
                result.errors.append(parsed)
                continue
            parsed.file = str(file.path)
            parsed.digest = file.digest
            result.errors.extend(parsed.errors)
            result.rounds.append(parsed)
            continue
        loaded = load_text(file.data, file.shown)
        if isinstance(loaded, DeckError):
            result.errors.append(loaded)
            continue
        loaded.file = str(file.path)
        loaded.digest = file.digest
        loaded.place = file.place
        loaded.builtin = file.builtin
        result.errors.extend(loaded.errors)
        result.decks.append(loaded)
    _check_duplicates(result)
    _check_rounds(result)
    return result


def nothing_found(
    paths: list[str], shown: list[str], decks: list[ParsedDeck] | None = None
) -> list[DeckError]:
    """Warnings for what was named but holds nothing to study: a folder without `.md` files
    (`shown`: the files found, as named), and a parsed deck file without cards. Most likely a
    mistyped path: never reported as a success."""
    warnings: list[DeckError] = []
    for given in paths:
        folder = Path(given)
        if folder.is_dir() and not any(Path(s).is_relative_to(folder) for s in shown):
            warnings.append(DeckError(given, 0, "no .md deck files in this folder"))
    for deck in decks or []:
        if not deck.cards and not deck.errors:
            warnings.append(DeckError(deck.path, 0, "no cards in this file"))
    return warnings


def load_paths(paths: list[str]) -> LoadResult:
    """Read and parse every deck under `paths`."""
    files, errors = read_files(paths)
    return parse_files(files, errors)


def _check_duplicates(result: LoadResult) -> None:
    """Two cards with the same content or the same explicit id cannot both keep a history; two
    decks with the same `id:` would be one deck."""
    by_fingerprint: dict[str, str] = {}
    by_id: dict[str, str] = {}
    by_deck_id: dict[str, str] = {}
    for deck in result.decks:
        shown = deck.path
        if deck.explicit_id is not None:
            first_deck = by_deck_id.setdefault(deck.explicit_id, shown)
            if first_deck != shown:
                message = f"duplicate deck id '{deck.explicit_id}' (first at {first_deck})"
                result.errors.append(DeckError(shown, 0, message))
        for card in deck.cards:
            here = f"{shown}:{card.line}"
            if card.explicit_id is not None:
                first = by_id.setdefault(card.explicit_id, here)
                if first != here:
                    result.errors.append(
                        DeckError(
                            shown,
                            card.line,
                            f"duplicate id '{card.explicit_id}' (first at {first})",
                        )
                    )
                    continue
            first = by_fingerprint.setdefault(card.fingerprint, here)
            if first != here:
                result.errors.append(
                    DeckError(shown, card.line, f"duplicate card (first at {first})")
                )
    result.errors.sort(key=lambda e: (e.path, e.line))


def _check_rounds(result: LoadResult) -> None:
    """Round and item ids are unique across the set; links to cards of the set are settled."""
    by_round: dict[str, str] = {}
    by_id: dict[str, str] = {}
    cards = result.card_ids()
    for parsed in result.rounds:
        first = by_round.setdefault(parsed.key, f"{parsed.path}:1")
        if first != f"{parsed.path}:1":
            result.errors.append(
                DeckError(parsed.path, 1, f"duplicate round id '{parsed.key}' (first at {first})")
            )
        for step in parsed.steps:
            for item in step.items:
                here = f"{parsed.path}:{item.line}"
                if item.explicit_id is not None:
                    first = by_id.setdefault(item.explicit_id, here)
                    if first != here and not first.startswith(f"{parsed.path}:"):
                        result.errors.append(
                            DeckError(
                                parsed.path,
                                item.line,
                                f"duplicate id '{item.explicit_id}' (first at {first})",
                            )
                        )
                result.links.extend(
                    (parsed.path, item.line, card) for card in item.cards if card not in cards
                )
    result.errors.sort(key=lambda e: (e.path, e.line))
