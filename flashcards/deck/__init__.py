"""Deck parsing: Markdown text in, cards or located errors out. No database, no interface."""

from .loader import (
    MAX_DECK_BYTES,
    DeckFile,
    LoadResult,
    is_round_file,
    load_paths,
    load_text,
    nothing_found,
    parse_files,
    read_files,
)
from .model import CardKind, Choice, DeckError, ParsedCard, ParsedDeck, normalize_text
from .parser import parse_deck

__all__ = [
    "MAX_DECK_BYTES",
    "CardKind",
    "DeckFile",
    "Choice",
    "DeckError",
    "LoadResult",
    "ParsedCard",
    "ParsedDeck",
    "is_round_file",
    "load_paths",
    "load_text",
    "normalize_text",
    "nothing_found",
    "parse_deck",
    "parse_files",
    "read_files",
]
