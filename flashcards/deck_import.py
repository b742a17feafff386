"""Importing deck files into a collection, as `flashcards import`, the editor's re-import and
the built-in decks do it: files exactly as they were last imported are not parsed again;
otherwise everything is checked, then written in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .deck import DeckError, LoadResult, is_round_file, load_paths, parse_files, read_files
from .storage import Collection, ImportConflict, ImportReport
from .storage.importer import import_decks_in, unchanged_import
from .storage.rounds import RoundReport, import_rounds, known_card_names, rounds_unchanged

__all__ = ["ImportOutcome", "import_paths", "settle_links"]


@dataclass(slots=True)
class ImportOutcome:
    report: ImportReport | None = None  # None when there were errors and nothing was written
    errors: list[DeckError] = field(default_factory=list)
    rounds: RoundReport | None = None


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
    round_files = [f for f in files if is_round_file(f.path)]
    deck_files = [f for f in files if not is_round_file(f.path)]
    rounds = parse_files(round_files)  # a few small files: always read
    report = unchanged_import(collection, {str(f.path): f.digest for f in deck_files})
    if report is not None and not rounds.errors:
        loaded = rounds
    else:
        progress("checking decks")
        loaded = parse_files(files)
    if loaded.errors:
        return ImportOutcome(errors=loaded.errors)
    if loaded.links:
        with collection.read() as conn:
            known = known_card_names(conn)
        unknown = loaded.unknown_links(known)
        if unknown:
            return ImportOutcome(errors=unknown)
    if report is not None:  # the decks are as last imported: write only if a round changed
        with collection.read() as conn:
            if rounds_unchanged(conn, loaded.rounds):
                return ImportOutcome(
                    report=report, rounds=RoundReport(unchanged=len(loaded.rounds))
                )
    try:
        with collection.write() as conn:
            if report is None:
                report = import_decks_in(
                    conn, loaded.decks, now, builtin=builtin, progress=progress
                )
            round_report = import_rounds(conn, loaded.rounds, now, builtin=builtin)
    except ImportConflict as conflict:
        return ImportOutcome(errors=conflict.errors)
    return ImportOutcome(report=report, rounds=round_report)


def settle_links(loaded: LoadResult, database: str | None) -> list[DeckError]:
    """Errors for the card ids that rounds link to and that no card has: not in the files
    checked, the built-in decks, or the collection (read only if it already exists)."""
    if not loaded.links:
        return []
    from .locations import builtin_decks_dir

    known = load_paths([str(builtin_decks_dir())]).card_ids()
    if database and any(card_id not in known for _p, _l, card_id in loaded.links):
        from .storage.database import database_url

        url = database_url(database)
        exists = "://" in database or Path(url.removeprefix("sqlite:///")).is_file()
        if exists:
            collection = Collection(database)
            try:
                with collection.read() as conn:
                    known |= known_card_names(conn)
            finally:
                collection.close()
    return loaded.unknown_links(known)
