"""Building the data the benchmarks run on: deck files, and collections with a year of history
(ours, and Anki's equivalent when the bench extra is installed)."""

from __future__ import annotations

import shutil
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flashcards.deck import load_paths
from flashcards.storage import Collection, import_decks
from flashcards.storage.totals import recount

from . import peer
from .decks import DeckSet, write_decks
from .history import MAX_TEMPLATES, place, simulate, write_ours

__all__ = ["Study", "build_study", "copy_database", "write_config"]

# Daily limits (new, reviews) for both programs. The simulated owner answers everything that
# falls due (about 2,600 cards a day at 100,000 cards), so the review limit must be high for
# the history to be one the program could have made; 9,999 is the highest Anki offers.
LIMITS = (20, 9999)


def write_config(path: Path, new_per_day: int, reviews_per_day: int) -> Path:
    path.write_text(
        f"[limits]\nnew_per_day = {new_per_day}\nreviews_per_day = {reviews_per_day}\n",
        encoding="utf-8",
    )
    return path


def copy_database(source: Path, target: Path) -> Path:
    """Copy a SQLite file (and its write-ahead log, if one was left) to a fresh place."""
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    for suffix in ("-wal",):
        log = Path(f"{source}{suffix}")
        if log.exists():
            shutil.copyfile(log, Path(f"{target}{suffix}"))
    return target


def import_folder(decks: Path, database: Path) -> None:
    loaded = load_paths([str(decks)])
    if loaded.errors:
        raise RuntimeError(f"generated decks have errors: {loaded.errors[:3]}")
    collection = Collection(str(database))
    try:
        import_decks(collection, loaded.decks, datetime.now(UTC))
    finally:
        collection.close()


@dataclass(frozen=True, slots=True)
class Study:
    """A collection with history, ours and (maybe) Anki's, with the same daily limits."""

    decks: DeckSet
    ours: Path
    config: Path
    anki: Path | None
    cards: int
    reviews: int
    seconds: float  # how long building it took


def _recount_totals(database: Path) -> None:
    """The history went straight into the tables: count it into the totals the program keeps
    as answers are given (what `flashcards doctor --fix` would do)."""
    collection = Collection(str(database))
    try:
        with collection.write() as conn:
            recount(conn)
    finally:
        collection.close()


def build_study(folder: Path, cards: int, limits: tuple[int, int], with_peer: bool, log) -> Study:
    """Generate decks of `cards` cards, import them, and give every card about ten answers
    spread over the past year; then build Anki's equivalent."""
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    decks = write_decks(folder / "decks", cards)
    ours = folder / "ours.sqlite3"
    import_folder(decks.folder, ours)
    connection = sqlite3.connect(ours)
    try:
        card_ids = [row[0] for row in connection.execute("SELECT id FROM card ORDER BY id")]
    finally:
        connection.close()
    log(f"  {cards:,} cards imported; simulating histories")
    now = datetime.now(UTC)
    histories = place(simulate(min(cards, MAX_TEMPLATES)), cards, now)
    reviews = write_ours(str(ours), card_ids, histories)
    _recount_totals(ours)
    config = write_config(folder / "config.toml", *limits)
    anki_path = None
    if with_peer:
        log(f"  {reviews:,} reviews written; building Anki's collection")
        anki_path = folder / "anki" / "collection.anki2"
        anki_path.parent.mkdir(exist_ok=True)
        specs = peer.note_specs(ours)
        deck_names = list(dict.fromkeys(spec.deck for spec in specs))
        col, deck_ids = peer.create_collection(anki_path, deck_names, *limits)
        try:
            note_ids = peer.add_notes(col, specs, deck_ids)
            peer.write_history(col, specs, note_ids, dict(zip(card_ids, histories, strict=True)))
        finally:
            col.close()
    return Study(decks, ours, config, anki_path, cards, reviews, time.perf_counter() - started)
