"""The home screen: its figures are what the next review shows, and they follow the clock."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.widgets import DataTable, Static

from flashcards.ui.app import FlashcardsApp
from flashcards.ui.screens.home import HomeScreen

from ..conftest import basic_deck, settle, wait_for

DECKS = {name: basic_deck(5, name.upper(), name) for name in ("a", "b", "c")}


def summary(app) -> str:
    return str(app.screen.query_one("#summary", Static).render())


def new_column(app) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


async def test_the_total_is_what_study_all_brings_and_says_what_waits(make_workspace):
    app = FlashcardsApp(make_workspace(DECKS, new_per_day=7))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert new_column(app) == ["5", "5", "5"]  # each deck, studied alone
        text = summary(app)
        assert "Study all: 7 new" in text
        assert "New cards: 7 a day over all decks; 8 more wait for later days." in text


async def test_home_refreshes_when_a_learning_card_comes_due(make_workspace, clock, monkeypatch):
    monkeypatch.setattr(HomeScreen, "CLOCK_CHECK_SECONDS", 0.05)
    workspace = make_workspace({"d.md": basic_deck(3)})
    session = workspace.review_session()
    session.next_card()
    session.answer(1)  # Again: due again at 09:01 local
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "1 learning · " in summary(app) and "next due: today 09:01" in summary(app)
        clock.advance(minutes=2)
        await wait_for(pilot, lambda: "1 learning (1 now)" in summary(app), what="the refresh")
        assert "next due: now" in summary(app)


async def test_home_refreshes_when_the_study_day_rolls_over(make_workspace, clock, monkeypatch):
    monkeypatch.setattr(HomeScreen, "CLOCK_CHECK_SECONDS", 0.05)
    workspace = make_workspace({"d.md": basic_deck(5)}, new_per_day=2)
    session = workspace.review_session()
    while session.next_card() is not None:
        session.answer(4)
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert new_column(app) == ["0"] and "Study all: 0 new" in summary(app)
        clock.instant = datetime(2026, 1, 6, 3, 0, tzinfo=UTC)  # 04:00 in Berlin: a new day
        await wait_for(pilot, lambda: new_column(app) == ["2"], what="the new day's figures")
        assert "Study all: 2 new" in summary(app)
