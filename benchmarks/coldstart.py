"""Cold start to the first card: launch a program in a pseudo-terminal and time how long it
takes until a given text is on the screen."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from datetime import datetime
from pathlib import Path

from flashcards.clock import FixedClock
from flashcards.workspace import Workspace

__all__ = [
    "first_card",
    "first_deck",
    "home_command",
    "ours_command",
    "peer_command",
    "time_to_text",
]

ROWS, COLUMNS = 40, 120
# CSI and OSC sequences, and the single-character escapes Textual writes.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def first_card(database: Path, config: Path, now: datetime) -> tuple[int, str]:
    """The card `flashcards review` shows first at `now`, and a piece of its front to look for
    on the screen (plain words from its start, short enough never to be wrapped)."""
    workspace = Workspace.open(str(database), config, FixedClock(now), seed=False)
    try:
        card = workspace.review_session().next_card()
    finally:
        workspace.close()
    if card is None:
        raise RuntimeError("nothing is due: the cold start has no first card to show")
    plain = re.split(r"[*_`{\[<\n]", card.front, maxsplit=1)[0]
    words = plain.split()
    needle = ""
    for word in words:
        if len(needle) + len(word) + 1 > 40:
            break
        needle = f"{needle} {word}".strip()
    if len(needle) < 8:
        raise RuntimeError(f"the first card's front has too little plain text: {card.front!r}")
    return card.id, needle


def first_deck(database: Path, config: Path) -> str:
    """A piece of the first deck's name, which the home screen lists once it is up."""
    workspace = Workspace.open(str(database), config, seed=False)
    try:
        return workspace.decks()[0].name[:20]
    finally:
        workspace.close()


def home_command() -> list[str]:
    return [sys.executable, "-m", "flashcards"]


def ours_command() -> list[str]:
    return [sys.executable, "-m", "flashcards", "review"]


def peer_command(database: Path, card_id: int) -> list[str]:
    return [sys.executable, "-m", "benchmarks.minimal_app", str(database), str(card_id)]


def time_to_text(
    command: list[str], env: dict[str, str], needle: str, cwd: Path, timeout: float = 60.0
) -> float:
    """Seconds from starting `command` in a pseudo-terminal until `needle` is on its screen."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=cwd,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    output = bytearray()
    try:
        while True:
            remaining = timeout - (time.perf_counter() - start)
            if remaining <= 0:
                raise TimeoutError(_tail(output, f"no {needle!r} on screen after {timeout:.0f}s"))
            ready, _, _ = select.select([master], [], [], remaining)
            if not ready:
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # the program ended and closed the terminal
                chunk = b""
            if not chunk:
                raise RuntimeError(_tail(output, f"{command[2:]} exited before showing {needle!r}"))
            output += chunk
            screen = _ESCAPES.sub("", output.decode("utf-8", errors="replace"))
            if needle in screen:
                return time.perf_counter() - start
    finally:
        _stop(process)
        os.close(master)


def _stop(process: subprocess.Popen) -> None:
    """End the program we started (and only it: its own session, by its process id)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _tail(output: bytearray, message: str) -> str:
    screen = _ESCAPES.sub("", output.decode("utf-8", errors="replace"))
    return f"{message}; last output: {screen[-400:]!r}"
