"""Other tools' card files converted into our Markdown decks, which are then imported as usual,
so the Markdown stays the source of truth. Headless: no interface, no database.

Each format has its module (`obsidian`, `hashcards`, `delimited` for CSV/TSV, `anki_text`,
`anki_package` with the optional `anki` extra);
`FORMATS` is the registry and `detect_format` tells them apart by extension and content."""

from __future__ import annotations

from pathlib import Path

from .anki_text import looks_like_anki_text
from .model import Conversion, ConvertedCard, ConvertedDeck, Schedule, Skip

__all__ = [
    "CONVERTED_FORMATS",
    "FORMATS",
    "Conversion",
    "ConvertedCard",
    "ConvertedDeck",
    "Schedule",
    "Skip",
    "detect_format",
    "source_suffixes",
]

FORMATS = ("markdown", "obsidian", "hashcards", "csv", "anki-text", "anki")
CONVERTED_FORMATS = FORMATS[1:]  # every format but our own goes through a conversion
_BY_SUFFIX = {
    ".md": "markdown",
    ".csv": "csv",
    ".tsv": "csv",
    ".apkg": "anki",
    ".colpkg": "anki",
}


def source_suffixes(fmt: str) -> tuple[str, ...]:
    """The files of this format that a folder given as input contributes."""
    if fmt in ("markdown", "obsidian", "hashcards"):
        return (".md",)
    if fmt == "anki":
        return (".apkg", ".colpkg")
    return (".csv", ".tsv", ".txt")


def detect_format(path: Path) -> str:
    """`csv` for `.csv`/`.tsv`, `anki` for `.apkg`/`.colpkg`, `anki-text` for a `.txt` file
    that starts with Anki's `#key:value` headers; `markdown` (our own decks) for everything
    else, folders included."""
    if path.is_dir():
        return "markdown"
    suffix = path.suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if suffix == ".txt":
        try:
            with path.open("rb") as handle:
                head = handle.read(4096).decode("utf-8", errors="replace")
        except OSError:
            return "markdown"
        return "anki-text" if looks_like_anki_text(head) else "markdown"
    return "markdown"
