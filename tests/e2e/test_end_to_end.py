"""The real `flashcards` command in a pseudo-terminal: import, review with the keyboard, quit."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pexpect
import pytest

from ..conftest import basic_deck, write_deck

pytestmark = [
    pytest.mark.slow,  # every test here starts a process of its own
    pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal"),
]


PINNED = {"FLASHCARDS_NOW": "2026-01-05T08:00:00+00:00"}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flashcards", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **PINNED},
    )


def test_review_in_a_terminal_then_quit(tmp_path):
    deck = write_deck(tmp_path, "deck.md", basic_deck(3, "Terminal", "tty"))
    assert cli("import", str(deck)).returncode == 0
    env = {**os.environ, **PINNED, "TERM": "xterm-256color"}
    child = pexpect.spawn(
        sys.executable, ["-m", "flashcards", "review"], env=env, dimensions=(24, 80), timeout=30
    )
    try:
        child.expect("tty question 0")
        for number in range(3):
            child.send(" ")
            child.expect(f"tty answer {number}")
            child.send("4")  # Easy: graduates at once, so the card does not come back today
            if number < 2:
                child.expect(f"tty question {number + 1}")
        child.expect("Nothing more is due now")
        child.send("q")  # back home
        child.expect("Streak: ")
        child.send("q")  # quit
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    figures = json.loads(cli("stats", "--json").stdout)
    assert figures["reviews_today"] == 3
    assert figures["review"] == 3 and figures["new"] == 0


def test_an_exam_killed_mid_way_is_resumed_then_q_ends_the_program(tmp_path):
    import signal

    deck = write_deck(tmp_path, "deck.md", basic_deck(3, "Terminal", "tty"))
    assert cli("import", str(deck)).returncode == 0
    env = {**os.environ, **PINNED, "TERM": "xterm-256color"}

    def spawn(*args: str) -> pexpect.spawn:
        return pexpect.spawn(
            sys.executable, ["-m", "flashcards", *args], env=env, dimensions=(24, 80), timeout=30
        )

    child = spawn("exam", "--count", "3", "--seed", "1")
    try:
        child.expect("question 1 of 3")
        child.send("\r")  # show the answer
        child.expect("How did you do")
        child.send("1")  # correct
        child.expect("Correct")
        child.kill(signal.SIGKILL)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert json.loads(cli("stats", "--json").stdout)["exams"] == []  # no result yet

    child = spawn("exam", "--resume")
    try:
        child.expect("Resumed the exam started")
        child.expect("question 2 of 3")
        child.send("\x06")  # Ctrl+F: finish now
        child.expect("2 unanswered")
        child.send("y")
        child.expect("1 of 3 right")
        child.send("q")  # the command's own exam: q ends the program
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    [exam] = json.loads(cli("stats", "--json").stdout)["exams"]
    assert (exam["count"], exam["correct"]) == (3, 1.0)
    assert "no unfinished exam" in cli("exam", "--resume").stderr
