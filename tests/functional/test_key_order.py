"""Keys read one at a time (flashcards.ui.key_order), and never stuck behind a lost key."""

from __future__ import annotations

from textual.events import Key
from textual.widgets import Input

import flashcards.ui.key_order as key_order
from flashcards.ui.key_order import KeysInOrder

from ..conftest import settle


class Counter(KeysInOrder):
    BINDINGS = [("x", "count"), ("down", "leave")]

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def compose(self):
        yield Input(id="field")

    def action_count(self) -> None:
        self.count += 1

    def action_leave(self) -> None:
        self.screen.set_focus(None)


async def test_a_key_typed_ahead_goes_where_the_key_before_sent_the_focus():
    app = Counter()
    async with app.run_test() as pilot:
        app.query_one(Input).focus()
        await settle(pilot)
        for key in ("a", "down", "x", "x"):  # typed in one burst
            app.post_message(Key(key, key if len(key) == 1 else None))
        await settle(pilot)
        assert app.query_one(Input).value == "a" and app.count == 2


async def test_the_keyboard_goes_on_when_a_key_is_never_seen_through(monkeypatch):
    app = Counter()
    async with app.run_test() as pilot:
        app.screen.set_focus(None)
        await settle(pilot)
        monkeypatch.setattr(key_order, "STUCK_SECONDS", 0.0)
        real_after = Counter._after
        monkeypatch.setattr(Counter, "_after", lambda self, node: None)  # its widget vanished
        await pilot.press("x")
        monkeypatch.setattr(Counter, "_after", real_after)
        await pilot.press("x", "x")
        await settle(pilot)
        assert app.count == 3
