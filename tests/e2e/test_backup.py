"""Automatic and manual backups, restore, damage detection, and `flashcards doctor`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from flashcards.config import Config
from flashcards.storage import CollectionError
from flashcards.storage.backup import list_backups, make_backup
from flashcards.workspace import Workspace

from ..conftest import NOW, basic_deck, write_deck


def cli(*args: str, now: str = "2026-01-05T08:00:00+00:00") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flashcards", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "FLASHCARDS_NOW": now},
    )


def cards(db: Path) -> int:
    connection = sqlite3.connect(db)
    try:
        return connection.execute("SELECT COUNT(*) FROM card").fetchone()[0]
    finally:
        connection.close()


def open_workspace(db: Path, clock, keep: int = 7) -> Workspace:
    config = tmp_config(db.parent, keep)
    return Workspace.open(str(db), config, clock)


def tmp_config(folder: Path, keep: int) -> Path:
    path = folder / "config.toml"
    path.write_text(f"[backup]\nkeep = {keep}\n")
    return path


def test_one_automatic_backup_per_study_day_rotated(tmp_path, clock):
    db = tmp_path / "c.sqlite3"
    open_workspace(db, clock).close()  # a new collection: nothing to back up yet
    assert list_backups(db) == []
    clock.advance(hours=1)
    open_workspace(db, clock, keep=3).close()
    assert len(list_backups(db)) == 1
    clock.advance(hours=5)
    open_workspace(db, clock, keep=3).close()  # same study day
    assert len(list_backups(db)) == 1
    for _ in range(4):
        clock.advance(days=1)
        open_workspace(db, clock, keep=3).close()
    backups = list_backups(db)
    assert len(backups) == 3
    assert backups[0].made_at == clock.now()


@pytest.mark.slow
def test_backup_and_restore_round_trip(tmp_path, isolated):
    db = isolated / "collection.sqlite3"
    first = write_deck(tmp_path, "a.md", basic_deck(2, "A", "a"))
    assert cli("import", str(first)).returncode == 0
    made = cli("backup", now="2026-01-05T09:00:00+00:00")
    assert made.returncode == 0 and "backed up to" in made.stdout
    second = write_deck(tmp_path, "b.md", basic_deck(3, "B", "b"))
    assert cli("import", str(second)).returncode == 0
    assert cards(db) == 5
    listing = cli("restore")
    assert "2026-01-05" in listing.stdout
    backup = next(b for b in list_backups(db) if "before-restore" not in b.path.name)
    restored = cli("restore", "--yes", str(backup.path), now="2026-01-05T10:00:00+00:00")
    assert restored.returncode == 0, restored.stderr
    assert cards(db) == 2
    kept = next(b for b in list_backups(db) if "before-restore" in b.path.name)
    assert cards(kept.path) == 5  # the replaced collection was kept


def damage(db: Path) -> None:
    data = bytearray(db.read_bytes())
    for offset in range(4096, min(len(data), 4096 * 6)):
        data[offset] = 0x5A
    db.write_bytes(bytes(data))


@pytest.mark.slow
def test_a_damaged_collection_is_reported_with_the_way_to_restore(tmp_path, isolated):
    db = isolated / "collection.sqlite3"
    deck = write_deck(tmp_path, "a.md", basic_deck(300))
    assert cli("import", str(deck)).returncode == 0
    assert cli("backup").returncode == 0
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    damage(db)
    before = db.read_bytes()
    result = cli("stats", now="2026-01-06T08:00:00+00:00")  # a new day: the daily check runs
    assert result.returncode == 1
    assert "flashcards restore" in result.stderr and "Traceback" not in result.stderr
    assert db.read_bytes() == before  # never reset, never overwritten
    doctor = cli("doctor")
    assert doctor.returncode == 1 and "integrity" in doctor.stdout
    backup = next(b for b in list_backups(db) if "before-restore" not in b.path.name)
    assert cli("restore", "--yes", str(backup.path)).returncode == 0
    assert cards(db) == 300
    assert cli("doctor").returncode == 0


def test_a_damaged_collection_is_never_backed_up(tmp_path):
    db = tmp_path / "c.sqlite3"
    connection = sqlite3.connect(db)
    connection.execute("CREATE TABLE t (x TEXT)")
    connection.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
    connection.commit()
    connection.close()
    damage(db)
    from flashcards.storage.backup import BackupError

    with pytest.raises(BackupError, match="damaged"):
        make_backup(db, NOW, keep=3)
    assert list_backups(db) == []


def test_opening_a_damaged_collection_raises_with_restore_advice(tmp_path, clock):
    db = tmp_path / "c.sqlite3"
    workspace = open_workspace(db, clock)
    write_deck(tmp_path, "d.md", basic_deck(300))
    workspace.reimport(str(tmp_path / "d.md"))
    workspace.close()
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    damage(db)
    clock.advance(days=1)
    with pytest.raises(CollectionError, match="flashcards restore"):
        open_workspace(db, clock)


def test_doctor_finds_and_fixes_disagreeing_state_and_orphans(make_workspace, clock, tmp_path):
    workspace = make_workspace({"d.md": basic_deck(3)})
    session = workspace.review_session()
    for rating in (3, 3, 3):
        session.next_card()
        session.answer(rating)
        clock.advance(minutes=15)
    db = tmp_path / "collection.sqlite3"
    connection = sqlite3.connect(db)
    connection.execute(
        "UPDATE card SET stability = stability * 3"
        " WHERE id = (SELECT MIN(id) FROM card WHERE reps > 0)"
    )
    connection.execute("PRAGMA foreign_keys = OFF")
    connection.execute(
        "INSERT INTO review (card_id, rating, reviewed_at, state_before, interval_before,"
        " scheduled_days, day, first_of_day) VALUES (9999, 3, 0, 2, 0, 0, 0, 1)"
    )
    connection.commit()
    connection.close()
    from flashcards.maintenance.doctor import examine

    report = examine(workspace.collection, workspace.config)
    kinds = sorted(f.kind for f in report.findings)
    assert kinds == ["orphan", "state", "totals"]  # the orphan was never counted either
    fixed = examine(workspace.collection, workspace.config, fix=True)
    assert any("orphaned review" in change for change in fixed.fixed)
    assert any("state set from its review log" in change for change in fixed.fixed)
    assert examine(workspace.collection, workspace.config).healthy


def test_doctor_accepts_parameters_that_changed_during_the_history(make_workspace, clock):
    from flashcards.maintenance.doctor import examine
    from flashcards.optimizer.store import save_parameter_set

    workspace = make_workspace({"d.md": basic_deck(2)})
    session = workspace.review_session()
    session.next_card()
    session.answer(3)
    clock.advance(days=1)
    fitted = (
        0.3,
        1.5,
        2.5,
        9.0,
        6.0,
        0.8,
        3.0,
        0.01,
        1.8,
        0.15,
        0.8,
        1.5,
        0.06,
        0.25,
        1.6,
        0.6,
        1.9,
        0.5,
        0.09,
        0.07,
        0.2,
    )
    save_parameter_set(workspace.collection, fitted, now=clock.now(), reviews=1)
    workspace.parameters = fitted
    session = workspace.review_session()
    while session.next_card() is not None:
        session.answer(3)
    assert examine(workspace.collection, Config(fuzz=False)).healthy
