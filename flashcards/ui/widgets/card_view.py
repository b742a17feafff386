"""A card's front and (once revealed) back, rendered as Markdown in a scrolling pane, no wider
than a comfortable reading measure and centred on a wide terminal."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Rule, Static


class CardView(VerticalScroll):
    """Scrolls when a card is longer than the screen."""

    DEFAULT_CSS = """
    CardView { height: 1fr; padding: 0 1; align-horizontal: center; }
    CardView > * { max-width: 100; }
    CardView #topic { color: $text-muted; }
    CardView Rule { margin: 0; color: $primary; }
    CardView #back-rule, CardView #back { display: none; }
    CardView.revealed #back-rule, CardView.revealed #back { display: block; }
    CardView Markdown { margin: 0; padding: 0; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="topic")
        yield Markdown(id="front")
        yield Rule(id="back-rule")
        yield Markdown(id="back")

    async def show(self, topic: str, front: str, back: str | None) -> None:
        self.query_one("#topic", Static).update(topic)
        await self.query_one("#front", Markdown).update(front)
        await self.query_one("#back", Markdown).update(back or "")
        self.set_class(back is not None, "revealed")
        self.scroll_home(animate=False)
