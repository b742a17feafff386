"""Our side of each comparison, through the same public functions the program uses."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flashcards.deck_import import import_paths
from flashcards.scheduling.queue import overview, plan_queue
from flashcards.storage import Collection
from flashcards.workspace import Workspace

__all__ = ["answer_cards", "import_time", "open_time", "queue_and_counts"]


def import_time(decks: Path, database: Path) -> float:
    """What `flashcards import` does once the collection is open: read, check, write."""
    collection = Collection(str(database))
    try:
        start = time.perf_counter()
        outcome = import_paths(collection, [str(decks)], datetime.now(UTC))
        if outcome.errors:
            raise RuntimeError(f"generated deck has errors: {outcome.errors[:3]}")
        return time.perf_counter() - start
    finally:
        collection.close()


def open_workspace(database: Path | str, config: Path) -> Workspace:
    return Workspace.open(str(database), config, seed=False)


def answer_cards(database: Path | str, config: Path, ratings: list[int]) -> float:
    """Answer cards one by one through the review session; seconds for all of them."""
    workspace = open_workspace(database, config)
    try:
        session = workspace.review_session()  # plans today's queue
        start = time.perf_counter()
        for rating in ratings:
            if session.next_card() is None:
                raise RuntimeError("our queue ran dry")
            session.answer(rating)
        return time.perf_counter() - start
    finally:
        workspace.close()


def queue_and_counts(database: Path | str, config: Path) -> float:
    """The home screen's counts and today's queue, on a freshly opened collection."""
    workspace = open_workspace(database, config)
    try:
        start = time.perf_counter()
        day, now = workspace.today(), workspace.clock.now()
        with workspace.collection.read() as conn:
            overview(conn, workspace.config, day, now)
            plan_queue(conn, workspace.config, day, now)
        return time.perf_counter() - start
    finally:
        workspace.close()


def open_time(database: Path | str, config: Path) -> float:
    start = time.perf_counter()
    workspace = open_workspace(database, config)
    elapsed = time.perf_counter() - start
    workspace.close()
    return elapsed


@dataclass(frozen=True, slots=True)
class StatsTiming:
    drawn: float  # seconds from the key to the last frame painted
    settled: float  # ... to Textual's test pilot finding the app idle


def stats_screen(database: Path | str, config: Path) -> StatsTiming:
    """From pressing `t` on the settled home screen to the statistics screen fully drawn
    (headless Textual, 120x40): the time of the last frame the app paints, with its figures
    computed off the interface thread and on screen. The pilot's own wait for idleness (it
    sleeps in 20 ms steps until one passes with almost no CPU used) is reported apart: it
    only says when the harness noticed that nothing more was going to change."""
    import asyncio

    from flashcards.ui.app import FlashcardsApp
    from flashcards.ui.screens.stats import StatsScreen

    frames: list[float] = []

    class TimedApp(FlashcardsApp):
        def _display(self, screen, renderable) -> None:
            # Textual's one place where a finished frame goes to the terminal (headless, it
            # is composed and then dropped); a frame held back by a batch update is not one.
            if renderable is not None and not self._batch_count:
                frames.append(time.perf_counter())
            super()._display(screen, renderable)

    workspace = open_workspace(database, config)

    async def measure() -> StatsTiming:
        app = TimedApp(workspace)
        async with app.run_test(size=(120, 40)) as pilot:
            # Settled: the home screen's figures shown, and the work it starts once they are
            # (the background preload) finished too.
            home = app.screen
            while home.deck_count is None or not all(w.is_finished for w in app.workers):
                await app.workers.wait_for_complete()
                await pilot.pause()
            frames.clear()
            start = time.perf_counter()
            await pilot.press("t")
            await app.workers.wait_for_complete()
            await pilot.pause()
            settled = time.perf_counter() - start
            if not isinstance(app.screen, StatsScreen) or "#decks" not in app.screen.tables:
                raise RuntimeError("the statistics screen did not show its figures")
            return StatsTiming(frames[-1] - start, settled)

    try:
        return asyncio.run(measure())
    finally:
        workspace.close()


def index_for_search(database: Path) -> float:
    """Seconds to bring the search's text indexes up to date after the import (what the first
    text search after an import does)."""
    from flashcards.search import update_text_index

    collection = Collection(str(database))
    try:
        start = time.perf_counter()
        update_text_index(collection)
        return time.perf_counter() - start
    finally:
        collection.close()


SEARCHES = (
    "drift",  # text in front or back
    '"the drift monitor"',
    "tag:ranking",
    "is:due",
    "r<0.8",
    "lapses>3 -is:suspended",
    "deck:*2* is:review",
)


def search_times(database: Path | str, config: Path) -> list[float]:
    """The browser's search (ids in due order, off the interface thread) for each query."""
    from flashcards.search import search

    workspace = open_workspace(database, config)
    try:
        day, now = workspace.today(), workspace.clock.now()
        times = []
        for query in SEARCHES:
            start = time.perf_counter()
            search(workspace.collection, query, day, now)
            times.append(time.perf_counter() - start)
        return times
    finally:
        workspace.close()
