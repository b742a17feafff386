"""Importing deck files into a collection, as `flashcards import`, the editor's re-import and
the built-in decks do it: files exactly as they were last imported are not parsed again;
otherwise everything is checked, then written in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .deck import DeckError, parse_files, read_files
from .storage import Collection, ImportConflict, ImportReport, import_decks
from .storage.importer import unchanged_import

__all__ = ["ImportOutcome", "import_paths"]


@dataclass(slots=True)
class ImportOutcome:
    report: ImportReport | None = None  # None when there were errors and nothing was written
    errors: list[DeckError] = field(default_factory=list)


def import_paths(
    collection: Collection,
    paths: list[str],
    now: datetime,
    *,
    builtin: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportOutcome:
    """Import the deck files under `paths`; with any error, write nothing and say why."""
    progress = progress or (lambda _stage: None)
    progress("reading decks")
    files, errors = read_files(paths)
    if errors:
        return ImportOutcome(errors=parse_files(files, errors).errors)
    report = unchanged_import(collection, {str(f.path): f.digest for f in files})
    if report is not None:
        return ImportOutcome(report=report)
    progress("checking decks")
    loaded = parse_files(files)
    if loaded.errors:
        return ImportOutcome(errors=loaded.errors)
    try:
        report = import_decks(collection, loaded.decks, now, builtin=builtin, progress=progress)
    except ImportConflict as conflict:
        return ImportOutcome(errors=conflict.errors)
    return ImportOutcome(report=report)
