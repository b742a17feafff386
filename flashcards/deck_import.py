"""Importing deck files into a collection, as `flashcards import`, the editor's re-import and
the built-in decks do it: files exactly as they were last imported are not parsed again;
otherwise everything is checked, then written in one transaction."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from .deck import DeckError, DeckFile, is_round_file, nothing_found, parse_files, read_files
from .deck.identity import trailing_match
from .storage import Collection, ImportConflict, ImportReport
from .storage.importer import import_decks_in, relocate_decks, unchanged_import
from .storage.rounds import (
    RoundReport,
    import_rounds,
    known_card_names,
    round_sources,
    rounds_unchanged,
)

__all__ = ["ImportOutcome", "import_paths", "same_titles"]


@dataclass(slots=True)
class ImportOutcome:
    report: ImportReport | None = None  # None when there were errors and nothing was written
    errors: list[DeckError] = field(default_factory=list)
    rounds: RoundReport | None = None
    warnings: list[str] = field(default_factory=list)  # imported all the same, but look
    empty: list[str] = field(default_factory=list)  # named but held no cards: a likely typo


def import_paths(
    collection: Collection,
    paths: list[str],
    now: datetime,
    *,
    builtin: bool = False,
    builtin_root: Path | None = None,
    roots: tuple[Path, ...] = (),
    linkable: frozenset[str] = frozenset(),
    progress: Callable[[str], None] | None = None,
) -> ImportOutcome:
    """Import the deck files under `paths`; with any error, write nothing and say why. A file
    in `builtin_root` (by default the built-in decks' folder) is placed relative to it, as a
    built-in deck, however it was named (the editor's re-import of one built-in file); a file
    named on its own in one of `roots` is placed relative to it (the folder of converted decks).
    `linkable`: card ids that rounds may link to besides those of the files and the collection
    (the cards of built-in decks the person removed)."""
    progress = progress or (lambda _stage: None)
    progress("reading decks")
    files, errors = read_files(paths)
    if errors:
        return ImportOutcome(errors=parse_files(files, errors).errors)
    files = _placed(files, builtin_root, roots)
    empty = [str(w) for w in nothing_found(paths, [f.shown for f in files])]
    round_files = [f for f in files if is_round_file(f.path)]
    deck_files = [f for f in files if not is_round_file(f.path)]
    found = unchanged_import(collection, deck_files)
    report, moved = found if found is not None else (None, {})
    if report is not None:
        with collection.read() as conn:
            unchanged = rounds_unchanged(
                conn, {str(f.path): (f.digest, f.place) for f in round_files}
            )
        if unchanged:  # as last imported, decks and rounds: nothing to parse or write
            if moved:  # but where this machine holds them
                with collection.write() as conn:
                    relocate_decks(conn, moved)
            return ImportOutcome(
                report=report, rounds=RoundReport(unchanged=len(round_files)), empty=empty
            )
        loaded = parse_files(round_files)  # only rounds changed: the decks need no parsing
    else:
        progress("checking decks")
        loaded = parse_files(files)
    if loaded.errors:
        return ImportOutcome(errors=loaded.errors)
    if loaded.links:
        with collection.read() as conn:
            known = known_card_names(conn)
        unknown = loaded.unknown_links(known | linkable)
        if unknown:
            return ImportOutcome(errors=unknown)
    if loaded.rounds:
        with collection.read() as conn:
            places = {str(f.path): f.place for f in round_files}
            clashes = _round_clashes(loaded.rounds, round_sources(conn), places)
        if clashes:
            return ImportOutcome(errors=clashes)
    if report is None:
        empty += [str(w) for w in nothing_found([], [], loaded.decks)]
    try:
        with collection.write() as conn:
            if report is None:
                report = import_decks_in(
                    conn, loaded.decks, now, builtin=builtin, progress=progress
                )
            relocate_decks(conn, moved)
            round_report = import_rounds(conn, loaded.rounds, now, builtin=builtin)
    except ImportConflict as conflict:
        return ImportOutcome(errors=conflict.errors)
    files_imported = {deck.file for deck in loaded.decks if deck.cards}
    warnings = same_titles(collection, files_imported)
    return ImportOutcome(report=report, rounds=round_report, warnings=warnings, empty=empty)


def _placed(
    files: list[DeckFile], builtin_root: Path | None, roots: tuple[Path, ...]
) -> list[DeckFile]:
    """The files, those in the built-in decks' folder placed relative to it, and those named
    on their own in one of `roots` relative to that."""
    if builtin_root is None:
        from .locations import builtin_decks_dir

        builtin_root = builtin_decks_dir()
    builtin = _inside(builtin_root)
    others = [inside for inside in map(_inside, roots) if inside]
    placed = []
    for f in files:
        path = str(f.path)  # resolved, as the roots: compared as text, quickly
        if builtin and path.startswith(builtin):
            f = replace(f, place=path[len(builtin) :].replace(os.sep, "/"), builtin=True)
        elif f.place is None:
            root = next((inside for inside in others if path.startswith(inside)), None)
            if root is not None:
                f = replace(f, place=path[len(root) :].replace(os.sep, "/"))
        placed.append(f)
    return placed


def _inside(folder: Path) -> str:
    """The prefix of every resolved path inside `folder` ("" when it cannot be resolved)."""
    try:
        return str(folder.resolve()).rstrip(os.sep) + os.sep
    except (OSError, RuntimeError):
        return ""


def _round_clashes(
    rounds: list, stored: dict[str, str], places: dict[str, str | None]
) -> list[DeckError]:
    """A round whose id another file still holds would replace that round (and be replaced
    by it at its next import): refused, as two cards with one id are. The same file in another
    copy of the folder (the same place: another checkout, another install) is no other file."""
    clashes = []
    for r in rounds:
        other = stored.get(r.key, r.file)
        if other == r.file or not Path(other).is_file():
            continue
        place = places.get(r.file)
        if place is not None and trailing_match(other, place):
            continue
        clashes.append(DeckError(r.path, 1, f"duplicate round id '{r.key}' (first at {other})"))
    return clashes


def same_titles(collection: Collection, files: set[str]) -> list[str]:
    """Warnings for decks among `files` whose title equals another deck's, ignoring case:
    the home screen and `--deck NAME` could not tell them apart."""
    from sqlalchemy import select

    from .storage.tables import decks

    with collection.read() as conn:
        rows = conn.execute(select(decks.c.name, decks.c.file)).all()
    by_title: dict[str, list[tuple[str, str]]] = {}
    for name, file in rows:
        by_title.setdefault(name.casefold(), []).append((name, file))
    warnings = []
    for same in by_title.values():
        if len(same) > 1 and any(file in files for _, file in same):
            listed = "; ".join(f"'{name}' ({file})" for name, file in sorted(same))
            warnings.append(
                f"decks with the same title: {listed}. Give each a distinct `title:` in its "
                "front matter to tell them apart."
            )
    return warnings
