"""The screen's keys along the bottom edge, as Textual's Footer shows them, drawn as one line of
text. The Footer builds a widget per key and builds them twice as a screen opens (once empty,
once the bindings are known), which costs a screen that must appear at once (statistics) about
a tenth of a second; this draws the same keys, clickable, in one widget and one pass."""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget


class Shown(NamedTuple):
    key: str
    label: str  # how the key is written
    description: str
    enabled: bool


class KeyBar(Widget):
    COMPONENT_CLASSES = {"keybar--key", "keybar--description", "keybar--rule"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
    }
    KeyBar > .keybar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .keybar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyBar > .keybar--rule {
        color: $foreground 20%;
    }
    """
    ALLOW_SELECT = False

    def __init__(self) -> None:
        super().__init__()
        self._places: list[tuple[int, int, str]] = []
        self._drawn: tuple[list[Shown], Shown | None] | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen) -> None:
        # Focus moving about changes the bindings often and what is shown seldom: redraw only
        # then (each redraw is a frame).
        if self._shown() != self._drawn:
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        """A click on a key presses it, so it does exactly what pressing it would."""
        for start, end, key in self._places:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return

    def _shown(self) -> tuple[list[Shown], Shown | None]:
        """The keys shown, and the command palette's (set apart on the right)."""
        keys, actions = [], set()
        bindings = self.screen.active_bindings
        for key, (_node, binding, enabled, _tooltip) in bindings.items():
            if binding.show and binding.action not in actions:
                actions.add(binding.action)
                keys.append(
                    Shown(key, self.app.get_key_display(binding), binding.description, enabled)
                )
        found = bindings.get(self.app.COMMAND_PALETTE_BINDING)
        palette = None
        if self.app.ENABLE_COMMAND_PALETTE and found is not None:
            _node, binding, enabled, _tooltip = found
            palette = Shown(
                binding.key, self.app.get_key_display(binding), binding.description, enabled
            )
        return keys, palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key")
        text_style = self.get_component_rich_style("keybar--description")
        self._drawn = keys, palette = self._shown()
        line = Text(no_wrap=True, overflow="ellipsis")
        self._places = []  # the cells each key's label covers, for clicks
        for shown in keys:
            self._place(line, shown, f" {shown.label} ", key_style, text_style)
        if palette is not None:
            # Set against a rule on the right, as the Footer does.
            room = max(self.size.width - cell_len(f"{palette.label} {palette.description} ") - 1, 0)
            line.rstrip()
            line.truncate(room, overflow="ellipsis", pad=True)
            self._places = [place for place in self._places if place[1] <= room]
            line.append("▏", style=self.get_component_rich_style("keybar--rule"))
            self._place(line, palette, f"{palette.label} ", key_style, text_style)
        return line

    def _place(
        self, line: Text, shown: Shown, label: str, key_style: Style, text_style: Style
    ) -> None:
        dim = Style(dim=None if shown.enabled else True)
        start = cell_len(line.plain)
        line.append(label, style=key_style + dim)
        line.append(f"{shown.description} ", style=text_style + dim)
        self._places.append((start, cell_len(line.plain), shown.key))
