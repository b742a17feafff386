"""Backups of a SQLite collection: made with SQLite's online backup (consistent even while the
program runs), rotated, checked before they are trusted, and restored without ever deleting the
collection they replace."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .database import SCHEMA_VERSION

__all__ = [
    "Backup",
    "BackupError",
    "backup_if_due",
    "backup_folder",
    "check_integrity",
    "list_backups",
    "find_backup",
    "make_backup",
    "restore_advice",
    "restore_backup",
    "SERVER_BACKUPS",
    "SERVER_INTEGRITY",
]

# What applies instead on a PostgreSQL server, where flashcards makes no backups and runs no
# integrity check of its own: both are the server's (and its administrator's) business.
SERVER_BACKUPS = (
    "a collection on a PostgreSQL server is backed up by the server's own means, not by "
    "flashcards: `pg_dump --format=custom DATABASE > cards.dump` saves it and `pg_restore` "
    "brings it back (docs/postgresql.md)"
)
SERVER_INTEGRITY = "the server checks its own pages (PostgreSQL's data checksums, amcheck)"

_STAMP = "%Y%m%d-%H%M%S"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    made_at: datetime  # UTC
    size: int


def backup_folder(collection_path: Path) -> Path:
    return collection_path.parent / "backups"


def check_integrity(path: Path, quick: bool = False) -> list[str]:
    """SQLite's integrity check; an empty list means the file is sound."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            pragma = "quick_check" if quick else "integrity_check"
            rows = [row[0] for row in connection.execute(f"PRAGMA {pragma}")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def list_backups(collection_path: Path) -> list[Backup]:
    """Backups of this collection, newest first."""
    folder = backup_folder(collection_path)
    found = []
    for path in folder.glob(f"{collection_path.stem}-*.sqlite3"):
        stamp = path.stem[-15:]  # YYYYmmdd-HHMMSS, after "-" or "-before-restore-"
        try:
            made_at = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue
        found.append(Backup(path, made_at, path.stat().st_size))
    return sorted(found, key=lambda b: b.made_at, reverse=True)


def find_backup(collection_path: Path, name: Path) -> Path | None:
    """A backup given as a path, or by its bare name in the collection's backup folder."""
    if name.is_file():
        return name
    candidate = backup_folder(collection_path) / name.name
    if name.name == str(name) and candidate.is_file():
        return candidate
    return None


def restore_advice(collection_path: Path) -> str:
    """What to do about a collection too damaged to open: the newest sound backup and the
    command that puts it back, or where backups were looked for."""
    for item in list_backups(collection_path):
        if "-before-restore-" in item.path.name or check_integrity(item.path, quick=True):
            continue
        when = item.made_at.astimezone().strftime("%Y-%m-%d %H:%M")
        return (
            f"The newest backup is {item.path} (made {when}): put it back with "
            f"`flashcards restore {item.path.name}` (the damaged file is kept), or see the "
            "others with `flashcards restore`."
        )
    return (
        f"No backup of it was found in {backup_folder(collection_path)}; "
        "`flashcards doctor` says what it can still read."
    )


def _copy(source: Path, target: Path) -> None:
    """Copy a live database consistently, into a temporary file renamed into place."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        target_db = sqlite3.connect(partial)
        try:
            source_db.backup(target_db)
            target_db.execute("PRAGMA journal_mode = DELETE")
        finally:
            target_db.close()
    finally:
        source_db.close()
    os.replace(partial, target)


def make_backup(collection_path: Path, now: datetime, keep: int, before: str = "") -> Backup:
    """Back the collection up now and keep the newest `keep` daily backups. A backup made
    `before` a change ("remove": `{stem}-before-remove-{stamp}`) is kept out of that rotation.
    A collection that fails the quick integrity check is never backed up: it would push good
    backups out."""
    problems = check_integrity(collection_path, quick=True)
    if problems:
        raise BackupError(
            f"the collection {collection_path} is damaged ({problems[0]}); it was not backed "
            "up. Restore a backup with `flashcards restore`."
        )
    folder = backup_folder(collection_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        label = f"before-{before}-" if before else ""
        stamp = now.astimezone(UTC).strftime(_STAMP)
        target = folder / f"{collection_path.stem}-{label}{stamp}.sqlite3"
        _copy(collection_path, target)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"could not write a backup in {folder}: {exc}") from exc
    daily = [b for b in list_backups(collection_path) if "-before-" not in b.path.name]
    for old in daily[max(keep, 1) :]:
        old.path.unlink(missing_ok=True)
    return Backup(target, now.astimezone(UTC), target.stat().st_size)


def backup_if_due(collection_path: Path, now: datetime, same_day, keep: int) -> Backup | None:
    """The automatic backup: at most one per study day (`same_day(a, b)` says whether two
    instants fall on the same one)."""
    if keep <= 0 or not collection_path.exists():
        return None
    existing = list_backups(collection_path)
    if existing and same_day(existing[0].made_at, now):
        return None
    return make_backup(collection_path, now, keep)


def restore_backup(collection_path: Path, backup: Path, now: datetime) -> Path | None:
    """Put a backup in the collection's place. The current collection is first kept as a
    backup of its own (copied byte for byte if it is too damaged to open); returns that copy."""
    problems = check_integrity(backup)
    if problems:
        raise BackupError(f"{backup} is damaged ({problems[0]}): choose another backup")
    version = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        schema = version.execute("PRAGMA user_version").fetchone()[0]
    finally:
        version.close()
    if schema > SCHEMA_VERSION:
        raise BackupError(f"{backup} was made by a newer flashcards: upgrade first")
    kept = None
    folder = backup_folder(collection_path)
    folder.mkdir(parents=True, exist_ok=True)
    if collection_path.exists():
        stamp = now.astimezone(UTC).strftime(_STAMP)
        kept = folder / f"{collection_path.stem}-before-restore-{stamp}.sqlite3"
        if check_integrity(collection_path, quick=True):
            # Too damaged to read through SQLite: keep the bytes, and the log beside them.
            kept.write_bytes(collection_path.read_bytes())
            wal = Path(str(collection_path) + "-wal")
            if wal.exists():
                Path(str(kept) + "-wal").write_bytes(wal.read_bytes())
        else:
            _copy(collection_path, kept)
    staged = collection_path.with_name(collection_path.name + ".restoring")
    staged.write_bytes(backup.read_bytes())
    # The old write-ahead log belongs to the old file: applied to the restored one it would
    # corrupt it.
    for suffix in ("-wal", "-shm"):
        Path(str(collection_path) + suffix).unlink(missing_ok=True)
    os.replace(staged, collection_path)
    return kept
