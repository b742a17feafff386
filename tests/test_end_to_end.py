"""The real `flashcards` command in a pseudo-terminal: import, review with the keyboard, quit."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pexpect
import pytest

from .conftest import basic_deck, write_deck

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


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
