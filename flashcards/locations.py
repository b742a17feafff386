"""Where the program keeps its files; every path can be overridden for tests and power users."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = [
    "builtin_decks_dir",
    "config_path",
    "data_dir",
    "default_database",
    "imported_dir",
    "transcripts_dir",
]

APP = "flashcards"


def data_dir() -> Path:
    override = os.environ.get("FLASHCARDS_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP, appauthor=False))


def transcripts_dir() -> Path:
    """Where finished mock rounds are written out as Markdown."""
    return data_dir() / "rounds"


def imported_dir() -> Path:
    """Where `flashcards import` writes the decks it converts from other tools' files."""
    return data_dir() / "imported"


def default_database() -> str:
    """`FLASHCARDS_DB`, else `collection.sqlite3` in the user's data folder."""
    return os.environ.get("FLASHCARDS_DB") or str(data_dir() / "collection.sqlite3")


def config_path() -> Path:
    """`FLASHCARDS_CONFIG`, else `config.toml` in the user's config folder."""
    override = os.environ.get("FLASHCARDS_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "config.toml"


def builtin_decks_dir() -> Path:
    """The decks shipped with the program: inside the installed package, or the repo's `decks/`."""
    packaged = Path(__file__).parent / "builtin_decks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "decks"
