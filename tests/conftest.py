"""Every test runs against its own collection, config and data folder, with a fixed clock."""

from __future__ import annotations

import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flashcards.clock import FixedClock
from flashcards.config import Config
from flashcards.deck import load_paths
from flashcards.storage import Collection, import_decks
from flashcards.workspace import Workspace

pytest_plugins = ["tests.postgres"]

# A Monday morning in Berlin (UTC+1 in winter): 09:00 local.
NOW = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory, monkeypatch, engine, request):
    """Keep every test away from the user's home and from each other."""
    home = tmp_path_factory.mktemp("home")
    if engine == "sqlite":
        monkeypatch.setenv("FLASHCARDS_DB", str(home / "collection.sqlite3"))
    else:  # the same database as the test's own collections
        monkeypatch.setenv("FLASHCARDS_DB", request.getfixturevalue("db_location"))
    # A config file named by FLASHCARDS_CONFIG must exist: this one holds only defaults.
    (home / "config.toml").write_text("# defaults\n", encoding="utf-8")
    monkeypatch.setenv("FLASHCARDS_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("FLASHCARDS_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("FLASHCARDS_NO_BUILTIN", "1")
    monkeypatch.delenv("FLASHCARDS_NOW", raising=False)
    monkeypatch.setenv("TZ", "Europe/Berlin")
    return home


def write_deck(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def import_paths(collection: Collection, *paths: Path, now: datetime = NOW):
    loaded = load_paths([str(p) for p in paths])
    assert not loaded.errors, [str(e) for e in loaded.errors]
    return import_decks(collection, loaded.decks, now)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def make_workspace(tmp_path, clock, db_location):
    """Build a workspace on a fresh collection with decks written from text; fuzz off."""
    opened: list[Workspace] = []

    def make(decks: dict[str, str], zone: str = "Europe/Berlin", **settings) -> Workspace:
        from zoneinfo import ZoneInfo

        config = Config(**{"fuzz": False, "timezone": zone, **settings})
        collection = Collection(db_location)
        paths = [write_deck(tmp_path / "decks", name, text) for name, text in decks.items()]
        if paths:
            import_paths(collection, *paths, now=clock.now())
        workspace = Workspace(collection, config, clock, ZoneInfo(zone))
        opened.append(workspace)
        return workspace

    yield make
    for workspace in opened:
        workspace.close()


async def settle(pilot, wait: float = 0.0, timeout: float = 30.0) -> None:
    """Let the app finish its background work and redraw (after an optional pause).

    A worker can start after the others have finished: the screen a key opens is pushed, and
    starts its worker, only once the messages before it have been handled, which on a busy
    machine can be after the first wait. So this goes on until a redraw changes no screen
    and leaves no key unread and no worker running, not just until the workers of the moment
    have finished."""
    from flashcards.ui.typed_ahead import caught_up

    if wait:
        await pilot.pause(wait)
    deadline = time.monotonic() + timeout
    while True:
        screen = pilot.app.screen
        await pilot.app.workers.wait_for_complete()
        finished = {w for w in pilot.app.workers if w.is_finished}
        # Every key typed read, with what its binding does as it is read; then every widget
        # has handled what was sent to it (what those workers sent among it), and the app
        # the keys that came back up from them.
        await caught_up(pilot.app)
        await pilot.pause()
        await caught_up(pilot.app)
        # A worker not finished before the pause may have sent what the pause did not see.
        busy = bool(set(pilot.app.workers) - finished)
        if pilot.app.screen is screen and not busy:
            return
        if time.monotonic() > deadline:
            running = [w for w in pilot.app.workers if not w.is_finished]
            raise AssertionError(f"still running after {timeout}s: {running}")


async def wait_for(pilot, condition, timeout: float = 30.0, what: str = "the condition") -> None:
    """Let the app run until `condition()` holds: for what waits on a timer or on another
    thread (a search waiting for a pause in typing, figures a test holds back), instead of a
    fixed sleep. Unlike `settle` it does not wait for the workers, since one may be held."""
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        if condition():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not come about in {timeout}s")
        await pilot.pause(0.01)


class Notices:
    """The messages apps showed with `notify`: `sent` holds every one in order, `shown` those
    sent since the app last cleared its notifications (as a screen does to keep one message in
    sight, or none over the help)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.shown: list[str] = []


@pytest.fixture
def notified(monkeypatch) -> Notices:
    """A spy on every app's `notify` and `clear_notifications`; the app still shows them."""
    from textual.app import App

    notices = Notices()
    real_notify, real_clear = App.notify, App.clear_notifications

    def notify(app, message, *args, **kwargs):
        notices.sent.append(str(message))
        notices.shown.append(str(message))
        return real_notify(app, message, *args, **kwargs)

    def clear_notifications(app) -> None:
        notices.shown.clear()
        real_clear(app)

    monkeypatch.setattr(App, "notify", notify)
    monkeypatch.setattr(App, "clear_notifications", clear_notifications)
    return notices


def burst(app, *keys: str) -> None:
    """Keys typed in one burst, as a fast typist (or any typist while the app is busy drawing)
    delivers them: all sent before the first is handled."""
    from textual.events import Key

    for key in keys:
        character = key if len(key) == 1 else " " if key == "space" else None
        app.post_message(Key(key, character))


def settled(*keys: str):
    """A snapshot's `run_before`: the app settled, then each key pressed and the app settled
    again, so that no snapshot is taken while a worker or a key is still on its way."""

    async def run(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


def basic_deck(count: int, title: str = "Deck", prefix: str = "q") -> str:
    cards = "\n".join(f"Q: {prefix} question {i}?\nA: {prefix} answer {i}.\n" for i in range(count))
    return f"---\ntitle: {title}\n---\n# Topic\n\n{cards}"
