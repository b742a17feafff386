"""Where the program keeps its files; every path can be overridden for tests and power users."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

__all__ = [
    "DatabaseChoice",
    "builtin_decks_dir",
    "choose_database",
    "config_path",
    "data_dir",
    "default_database",
    "imported_dir",
    "missing_collection",
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


@dataclass(frozen=True, slots=True)
class DatabaseChoice:
    """Where the collection is, and who said so: "--db", "FLASHCARDS_DB" or "" (the default)."""

    location: str
    source: str = ""

    @property
    def explicit(self) -> bool:
        return bool(self.source)

    @property
    def file(self) -> Path | None:
        """The SQLite file, for a plain path or a sqlite:/// URL; None for other databases."""
        if "://" not in self.location:
            return Path(self.location).expanduser()
        if self.location.startswith("sqlite:///") and ":memory:" not in self.location:
            database = self.location.removeprefix("sqlite:///")
            if database.startswith("file:"):
                database = database.removeprefix("file:").split("?", 1)[0]
            return Path(database) if database else None
        return None


def choose_database(option: str | None) -> DatabaseChoice:
    """The collection named by `--db`, else by `FLASHCARDS_DB`, else the default one."""
    if option:
        return DatabaseChoice(option, "--db")
    if os.environ.get("FLASHCARDS_DB"):
        return DatabaseChoice(os.environ["FLASHCARDS_DB"], "FLASHCARDS_DB")
    return DatabaseChoice(default_database())


def missing_collection(choice: DatabaseChoice, *, writes: bool, create: bool) -> str | None:
    """Why a collection must not be created here, or None when it exists or may be created.

    A new collection is created only where that is clearly meant: at the default location; or
    at a path given with --db or FLASHCARDS_DB when `--create` is given or the command writes
    decks into it (`import`), and in both cases only in a folder that already exists. A typo in
    a path therefore never looks like a collection whose progress has gone."""
    path = choice.file
    if path is None or path.exists() or not choice.explicit:
        return None
    if (create or writes) and path.parent.is_dir():
        return None
    if not path.parent.is_dir():
        reason = f"no collection at {path}: the folder {path.parent} does not exist"
    else:
        reason = f"no collection at {path}"
    return (
        f"{reason} (the path comes from {choice.source}). Check the path; to start a new "
        f"collection there, make sure its folder exists and run `flashcards --db {path} "
        "--create` (or `flashcards --db PATH import DECKS`)."
    )


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
