"""Mock rounds on screen: the list, the round with its clock, steps, notes and questions, the
results with marks to confirm; snapshots at two sizes; and a round resumed after a kill."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect
import pytest
from textual.widgets import DataTable, Input, SelectionList, Static, TextArea

from flashcards.deck_import import import_paths
from flashcards.storage.rounds import attempts_of, unfinished_attempts
from flashcards.study.rounds import find_round, start_round
from flashcards.ui.app import FlashcardsApp
from flashcards.ui.screens.round import RoundScreen
from flashcards.ui.screens.round_picker import RoundPickerScreen
from flashcards.ui.screens.round_results import RoundResultsScreen

from ..conftest import burst, settle, settled, wait_for, write_deck
from ..unit.test_rounds import DECK, ROUND


@pytest.fixture
def workspace(make_workspace, tmp_path):
    workspace = make_workspace({"metrics.md": DECK})
    write_deck(tmp_path / "rounds", "vrec.round.md", ROUND)
    outcome = import_paths(workspace.collection, [str(tmp_path / "rounds")], workspace.clock.now())
    assert outcome.errors == []
    return workspace


def round_app(workspace, minutes=None) -> FlashcardsApp:
    summary = find_round(workspace.collection, "vrec")
    run = start_round(workspace.collection, summary, workspace.clock.now, minutes)
    return FlashcardsApp(workspace, start="round", round_run=run, round_id=summary.id)


async def test_home_m_lists_rounds_never_tried_first_and_starts_one(workspace):
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, RoundPickerScreen)
        table = app.screen.query_one(DataTable)
        assert table.get_row_at(0)[1:4] == ["never tried", "", "0"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RoundScreen)
        assert app.screen.run.round.title == "Video recommendation"


async def test_notes_steps_questions_and_the_clock(workspace):
    clock = workspace.clock
    app = round_app(workspace, minutes=9)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press(*"watch time")
        assert screen.run.steps[0].notes == "watch time"
        clock.advance(seconds=400)  # past the first step's 300 s budget
        step = screen.query_one("#step")
        await wait_for(pilot, lambda: step.has_class("over"), what="the next tick of the clock")
        await pilot.press("pagedown")
        assert screen.run.current == 1 and screen.query_one(TextArea).text == ""
        assert not screen.query_one("#step").has_class("over")
        await pilot.press("pageup")
        assert screen.query_one(TextArea).text == "watch time"
        await pilot.press("tab")
        assert screen.query_one(Input).has_focus
        await pilot.press(*"how many users", "enter")
        reply = str(screen.query_one("#reply").render())
        assert "500M daily users" in reply
        await pilot.press(*"which region", "enter")
        reply = str(screen.query_one("#reply").render())
        assert "State an assumption and go on" in reply
        assert "500M daily users" in reply  # what was learnt before stays in sight
        assert [q.facts != () for q in screen.run.questions] == [True, False]
        await pilot.press("f2")  # the whole prompt and every fact learnt, over the round
        brief = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "Design the video recommendations" in brief and "500M daily users" in brief
        assert "100 ms" not in brief  # latency was never asked for
        await pilot.press("escape")
        assert app.screen is screen


async def test_notes_and_questions_typed_ahead_land_where_they_were_typed(workspace):
    app = round_app(workspace, minutes=9)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        # In one burst: notes with a slip put right, the next step, its notes, a question and
        # the start of another.
        notes = [*"watch tiem", "backspace", "backspace", *"me"]
        burst(app, *notes, "pagedown", *"ranking", "tab", *"how many users", "enter", *"whi")
        await settle(pilot)
        assert [step.notes for step in screen.run.steps[:2]] == ["watch time", "ranking"]
        assert [question.text for question in screen.run.questions] == ["how many users"]
        assert screen.query_one(Input).value == "whi"
        assert "500M daily users" in str(screen.query_one("#reply").render())


async def test_time_running_out_brings_the_results(workspace):
    app = round_app(workspace, minutes=2)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        workspace.clock.advance(seconds=121)
        await wait_for(pilot, lambda: isinstance(app.screen, RoundResultsScreen), what="results")
        await settle(pilot)
        assert isinstance(app.screen, RoundResultsScreen)


async def test_results_marks_can_be_changed_and_are_kept(workspace):
    app = round_app(workspace)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"watch time")
        await pilot.press("ctrl+f", "y")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RoundResultsScreen)
        first = screen.query(SelectionList).first()
        assert sorted(first.selected) == [0]  # watch time suggested; scale not
        assert str(first.get_option_at_index(1).prompt).startswith("missed")
        assert "score 40%" in str(screen.query_one("#headline").render())
        first.focus()
        await pilot.press("down", "space")  # the person says scale was covered too
        await settle(pilot)
        assert sorted(first.selected) == [0, 1]
        assert str(first.get_option_at_index(1).prompt).startswith("covered")
        assert "score 60%" in str(screen.query_one("#headline").render())
        transcript = screen.outcome.transcript
    with workspace.collection.read() as conn:
        (attempt,) = attempts_of(conn, 1, workspace.clock.now)
    assert attempt.score == pytest.approx(0.6)
    assert "- [x] Asks for the **scale** _(marked by hand)_" in transcript.read_text()


async def test_results_send_missed_cards_to_review_or_an_exam(workspace):
    from flashcards.ui.screens.exam import ExamScreen

    app = round_app(workspace)
    said: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kw: (said.append(message), notify(message, **kw))[1]
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f", "y")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "3 cards added to today's review." in said
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExamScreen)
        assert len(app.screen.session.questions) == 3


async def test_pausing_keeps_the_round_to_resume(workspace):
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"ranking", "escape", "y")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert str(table.get_row_at(0)[0]).startswith("▶ Resume: Video recommendation")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one(TextArea).text == "ranking"


def test_round_screen_snapshot(workspace, snap_compare):
    keys = settled(*"Objective: watch time", "tab", *"how many users", "enter")
    assert snap_compare(round_app(workspace), run_before=keys, terminal_size=(100, 30))


def test_round_screen_narrow_snapshot(workspace, snap_compare):
    assert snap_compare(round_app(workspace), run_before=settled(), terminal_size=(60, 20))


def test_round_results_snapshot(workspace, snap_compare):
    # The transcript's path is on screen: the same one in every run.
    folder = Path(tempfile.gettempdir()) / "flashcards-snapshot" / "rounds"
    workspace.transcripts_dir = lambda: folder
    keys = settled(*"watch time, QPS", "pagedown", *"ranking", "ctrl+f", "y")
    assert snap_compare(round_app(workspace), run_before=keys, terminal_size=(100, 40))


def notes_saved() -> bool:
    """Whether the round being taken in another process has saved the notes typed."""
    try:
        with contextlib.closing(sqlite3.connect(os.environ["FLASHCARDS_DB"])) as db:
            return any("watch time" in s for (s,) in db.execute("SELECT steps FROM round_attempt"))
    except sqlite3.OperationalError:  # busy being written
        return False


def wait_until(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not come about in {timeout}s"
        time.sleep(0.05)


@pytest.mark.slow
def test_a_round_killed_mid_way_is_resumed_with_its_notes(tmp_path):
    write_deck(tmp_path, "metrics.md", DECK)
    write_deck(tmp_path, "vrec.round.md", ROUND)
    env = {**os.environ, "TERM": "xterm-256color"}
    imported = subprocess.run(
        [sys.executable, "-m", "flashcards", "import", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert imported.returncode == 0, imported.stderr
    child = pexpect.spawn(
        sys.executable, ["-m", "flashcards", "round", "vrec"], env=env, dimensions=(30, 100)
    )
    try:
        child.expect("Step 1/2", timeout=30)
        child.send("the objective is watch time")
        child.expect("watch time", timeout=10)
        wait_until(notes_saved, "the notes saved")  # at most two seconds after they were typed
        os.kill(child.pid, signal.SIGKILL)
        child.expect(pexpect.EOF, timeout=10)
    finally:
        child.close(force=True)
    child = pexpect.spawn(
        sys.executable, ["-m", "flashcards", "round"], env=env, dimensions=(30, 100)
    )
    try:
        child.expect("Resume: Video recommendation", timeout=30)
        child.send("\r")
        child.expect("the objective is watch time", timeout=10)
        child.send("\x06")  # ctrl+f
        child.expect("Finish the round now", timeout=10)
        child.send("y")
        child.expect("score", timeout=10)
        child.send("q")
        child.expect(pexpect.EOF, timeout=10)
    finally:
        child.close(force=True)
    listed = subprocess.run(
        [sys.executable, "-m", "flashcards", "round", "--list", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    (entry,) = json.loads(listed.stdout)
    assert entry["attempts"] == 1 and entry["best"] == pytest.approx(0.4)


def test_unfinished_attempts_are_listed_newest_first(workspace):
    collection, clock = workspace.collection, workspace.clock
    summary = find_round(collection, "vrec")
    start_round(collection, summary, clock.now)
    clock.advance(minutes=5)
    second = start_round(collection, summary, clock.now)
    with collection.read() as conn:
        listed = unfinished_attempts(conn, clock.now)
    assert [a.id for a in listed] == [second.attempt_id, second.attempt_id - 1]


async def test_pausing_a_round_started_from_the_command_line_ends_the_program(workspace):
    from flashcards.study.rounds import list_rounds

    app = round_app(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press(*"two towers", "escape", "y")
        await pilot.pause()
        assert app.return_code == 0  # the app has exited, back to the shell
    _rounds, unfinished = list_rounds(workspace.collection, workspace.clock.now)
    assert [a.run.steps[0].notes for a in unfinished] == ["two towers"]
