"""The screen's keys along the bottom edge, as Textual's Footer shows them, drawn as one line of
text. The Footer builds a widget per key and builds them twice as a screen opens (once empty,
once the bindings are known), which costs a screen that must appear at once (statistics) about
a tenth of a second; this draws the same keys, clickable, in one widget and one pass."""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget


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

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        """A click on a key presses it, so it does exactly what pressing it would."""
        for start, end, key in self._places:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key")
        text_style = self.get_component_rich_style("keybar--description")
        line = Text(no_wrap=True, overflow="ellipsis")
        self._places = []  # the cells each key's label covers, for clicks
        shown: set[str] = set()
        bindings = self.screen.active_bindings
        for key, (_node, binding, enabled, _tooltip) in bindings.items():
            if binding.show and binding.action not in shown:
                shown.add(binding.action)
                self._place(line, key, self._label(binding, enabled, key_style, text_style))
        palette = bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if self.app.ENABLE_COMMAND_PALETTE and palette is not None:
            _node, binding, enabled, _tooltip = palette
            # Set against a rule on the right, as the Footer does.
            right = self._label(binding, enabled, key_style, text_style, lead="")
            room = max(self.size.width - cell_len(right.plain) - 1, 0)
            line.rstrip()
            line.truncate(room, overflow="ellipsis", pad=True)
            self._places = [place for place in self._places if place[1] <= room]
            line.append("▏", style=self.get_component_rich_style("keybar--rule"))
            self._place(line, binding.key, right)
        return line

    def _place(self, line: Text, key: str, label: Text) -> None:
        start = cell_len(line.plain)
        line.append_text(label)
        self._places.append((start, start + cell_len(label.plain), key))

    def _label(self, binding, enabled: bool, key_style: Style, text_style: Style, lead=" ") -> Text:
        dim = Style(dim=None if enabled else True)
        return Text.assemble(
            (f"{lead}{self.app.get_key_display(binding)} ", key_style + dim),
            (f"{binding.description} ", text_style + dim),
        )
