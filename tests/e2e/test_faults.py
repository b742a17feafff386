"""Faults: the process killed mid-review or mid-exam, two programs on one collection, a full
disk and a read-only collection. Nothing answered is lost; nothing is half-written."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pexpect
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from flashcards.storage import Collection
from flashcards.storage.tables import CardRow, ReviewRow
from flashcards.workspace import Workspace

from ..conftest import basic_deck, write_deck

PINNED = {"FLASHCARDS_NOW": "2026-01-05T08:00:00+00:00"}


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flashcards", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **PINNED, **(env or {})},
    )


def count(db: Path, table: str, where: str = "1") -> int:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}").fetchone()[0]
    finally:
        connection.close()


def spawn(*args: str) -> pexpect.spawn:
    env = {**os.environ, **PINNED, "TERM": "xterm-256color"}
    return pexpect.spawn(
        sys.executable, ["-m", "flashcards", *args], env=env, dimensions=(24, 80), timeout=30
    )


@pytest.mark.slow
def test_sigkill_during_review_loses_nothing_answered(tmp_path, isolated):
    deck = write_deck(tmp_path, "d.md", basic_deck(5, "Kill", "kill"))
    assert cli("import", str(deck)).returncode == 0
    child = spawn("review")
    try:
        child.expect("kill question 0")
        child.send(" ")
        child.expect("kill answer 0")
        child.send("4")
        child.expect("kill question 1")
        child.send(" ")
        child.expect("kill answer 1")
        child.send("3")
        child.expect("kill question 2")  # the second answer is stored before this appears
        child.send(" ")  # the third card is in flight: shown, not answered
        child.expect("kill answer 2")
        os.kill(child.pid, signal.SIGKILL)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    db = isolated / "collection.sqlite3"
    assert count(db, "review") == 2
    assert count(db, "card", "reps = 1") == 2 and count(db, "card", "state = 0") == 3
    assert cli("doctor").returncode == 0  # the stored states agree with the review log


@pytest.mark.slow
def test_sigkill_during_an_exam_keeps_the_answers_given(tmp_path, isolated):
    deck = write_deck(tmp_path, "d.md", basic_deck(4, "Exam", "exam"))
    assert cli("import", str(deck)).returncode == 0
    child = spawn("exam", "--seed", "1", "--count", "4")
    try:
        for _ in range(2):
            child.expect("exam question")
            child.send("\r")  # show the answer
            child.expect("How did you do")
            child.send("1")  # correct
            child.expect("Correct")
            child.send("\r")  # next question
        child.expect("question 3 of 4")
        os.kill(child.pid, signal.SIGKILL)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    db = isolated / "collection.sqlite3"
    assert count(db, "exam_answer", "credit = 1.0") == 2
    assert count(db, "review") == 0  # an exam never touches the review log


def test_two_programs_answer_the_same_card(make_workspace, tmp_path, clock):
    first = make_workspace({"d.md": basic_deck(3)})
    second = Workspace(
        Collection(str(tmp_path / "collection.sqlite3")), first.config, clock, first.zone
    )
    try:
        mine, theirs = first.review_session(), second.review_session()
        shared = mine.next_card()
        assert theirs.next_card().id == shared.id
        assert mine.answer(3).saved
        result = theirs.answer(4)
        assert not result.saved  # told, not overwritten
        following = theirs.next_card()
        assert following is not None and following.id != shared.id
        with first.collection.read() as conn:
            assert conn.execute(select(func.count()).select_from(ReviewRow.__table__)).scalar() == 1
    finally:
        second.close()


def test_two_programs_writing_at_once_never_fail(make_workspace, tmp_path, clock):
    """Answers from two connections interleave under SQLite's lock; every one is kept."""
    base = make_workspace({"d.md": basic_deck(60)}, new_per_day=100)
    path = str(tmp_path / "collection.sqlite3")
    errors: list[BaseException] = []
    saved = [0, 0]

    def study(slot: int) -> None:
        workspace = Workspace(Collection(path), base.config, clock, base.zone)
        try:
            session = workspace.review_session()
            while session.next_card() is not None:
                if session.answer(4).saved:
                    saved[slot] += 1
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            workspace.close()

    threads = [threading.Thread(target=study, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with base.collection.read() as conn:
        reviews = conn.execute(select(func.count()).select_from(ReviewRow.__table__)).scalar()
        answered = conn.execute(
            select(func.count()).select_from(CardRow.__table__).where(CardRow.__table__.c.reps == 1)
        ).scalar()
    assert reviews == saved[0] + saved[1] == answered == 60


@pytest.fixture
def full_disk():
    """Every new SQLite connection may not grow its file: SQLITE_FULL, as on a full disk."""

    def limit(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {max(pages, 1)}")

    event.listen(Engine, "connect", limit)
    yield
    event.remove(Engine, "connect", limit)


def run_main(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    from flashcards.cli.main import main

    monkeypatch.setattr(sys, "argv", ["flashcards", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    return exit_info.value.code, capsys.readouterr().err


@pytest.mark.slow
def test_a_full_disk_gets_a_sentence_and_writes_nothing(
    tmp_path, isolated, monkeypatch, capsys, full_disk
):
    first = write_deck(tmp_path, "a.md", basic_deck(3, "A", "a"))
    assert cli("import", str(first)).returncode == 0  # a subprocess: no size limit there
    db = isolated / "collection.sqlite3"
    before = count(db, "card")
    big = write_deck(tmp_path, "b.md", basic_deck(3000, "B", "b"))
    monkeypatch.setenv("FLASHCARDS_NOW", PINNED["FLASHCARDS_NOW"])
    code, err = run_main(monkeypatch, capsys, "import", str(big))
    assert code == 1
    assert "the disk is full: nothing was written" in err and "Traceback" not in err
    assert count(db, "card") == before


@pytest.mark.slow
def test_a_read_only_collection_gets_a_sentence(tmp_path, isolated):
    deck = write_deck(tmp_path, "a.md", basic_deck(2))
    assert cli("import", str(deck)).returncode == 0
    db = isolated / "collection.sqlite3"
    before = db.read_bytes()
    more = write_deck(tmp_path, "b.md", basic_deck(2, "B", "b"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flashcards",
            "--db",
            f"sqlite:///file:{db}?mode=ro&uri=true",
            "import",
            str(more),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, **PINNED},
    )
    assert not (tmp_path / "file:").exists()  # the URI is not mistaken for a relative folder
    assert result.returncode == 1
    assert "the collection is read-only: nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert count(db, "card") == 2 and db.read_bytes() == before


async def test_database_errors_in_the_app_are_notified_not_raised(
    make_workspace, monkeypatch, notified
):
    import sqlalchemy.exc

    from flashcards.ui.app import FlashcardsApp
    from flashcards.ui.screens.review import ReviewScreen

    workspace = make_workspace({"d.md": basic_deck(2)})

    def refuse(*args, **kwargs):
        raise sqlalchemy.exc.OperationalError(
            "UPDATE", {}, sqlite3.OperationalError("database or disk is full")
        )

    app = FlashcardsApp(workspace, start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        monkeypatch.setattr("flashcards.study.session.record_answer", refuse)
        await pilot.press("space", "3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert any("disk is full" in m for m in notified.sent)
        assert app.screen.session.current is not None  # still on screen: it can be answered
        assert not app.screen.busy
    with workspace.collection.read() as conn:
        assert conn.execute(select(func.count()).select_from(ReviewRow.__table__)).scalar() == 0
