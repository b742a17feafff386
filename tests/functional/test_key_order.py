"""Keys typed ahead (flashcards.ui.typed_ahead): typed in one burst, as a fast typist (or any
typist while the app is busy drawing) delivers them, each still acts where the keys before it
sent the focus, in the order typed. The browser's and the exam's own bursts are tested with
them (test_browser_app.py, test_exam_app.py)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from textual.app import App
from textual.widgets import Input, Markdown

from flashcards.storage.tables import ReviewRow
from flashcards.ui.app import FlashcardsApp
from flashcards.ui.screens.browser import BrowserScreen
from flashcards.ui.screens.card_detail import CardDetailScreen
from flashcards.ui.screens.review import ReviewScreen
from flashcards.ui.typed_ahead import TextField, caught_up

from ..conftest import basic_deck, burst, settle
from .test_browser_app import DECKS, open_browser, searched


async def test_a_query_typed_ahead_of_the_browser_goes_to_its_field(make_workspace):
    app = FlashcardsApp(make_workspace(DECKS))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, "slash", *"ndcg", "down", "enter")  # from the home screen: search, open
        await settle(pilot)
        assert isinstance(app.screen, CardDetailScreen)
        assert "NDCG" in app.screen.query_one("#front", Markdown).source
        browser = app.screen_stack[-2]
        assert isinstance(browser, BrowserScreen)
        assert browser.query_one(Input).value == "ndcg"


async def test_editing_keys_typed_ahead_act_in_order_with_the_characters(make_workspace):
    app = FlashcardsApp(make_workspace(DECKS))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot)
        burst(app, *"ndgc", "backspace", "backspace", *"cg", "home", "delete", "n")
        await searched(pilot, screen)
        assert screen.query_one(Input).value == "ndcg"
        assert len(screen.rows) == 1


async def test_a_rating_typed_right_after_the_reveal_rates_the_card_shown(make_workspace):
    workspace = make_workspace({"s.md": basic_deck(3)})
    app = FlashcardsApp(workspace, start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, "space", "3")  # show the answer, then Good
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen) and app.screen.session.done == 1
        with workspace.collection.read() as conn:
            ratings = conn.execute(select(ReviewRow.__table__.c.rating)).scalars().all()
        assert ratings == [3]


class OneField(App):
    def compose(self):
        yield TextField(id="field")


async def test_a_field_removed_while_its_keys_are_waited_for_holds_nothing_up():
    # A key that waits for a field must not wait forever for one that is gone: the keyboard
    # would stop.
    app = OneField()
    async with app.run_test():
        field = app.query_one(TextField)
        removed = field.remove()
        await asyncio.wait_for(caught_up(field), timeout=5)
        await removed
        await asyncio.wait_for(caught_up(field), timeout=5)
