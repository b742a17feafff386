"""The screen's keys along the bottom edge, as Textual's Footer shows them, drawn as text. The
Footer builds a widget per key and builds them twice as a screen opens (once empty, once the
bindings are known), which costs a screen that must appear at once (statistics) about a tenth
of a second; this draws the same keys, clickable, in one widget and one pass.

Unlike the Footer, no key is cut off on a narrow terminal: the command palette's entry (the
least useful) gives way first, then the keys wrap onto a second line, so Help and Quit, which
come last, are always there."""

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
        height: auto;
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
        self._places: list[tuple[int, int, int, str]] = []  # line, first and last cell, key
        self._drawn: tuple[list[Shown], Shown | None] | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen) -> None:
        # Focus moving about changes the bindings often and what is shown seldom: redraw only
        # then (each redraw is a frame).
        if self._shown() != self._drawn:
            self.refresh(layout=True)  # the keys may now take another number of lines

    def on_click(self, event: events.Click) -> None:
        """A click on a key presses it, so it does exactly what pressing it would."""
        for line, start, end, key in self._places:
            if line == event.y and start <= event.x < end:
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

    def get_content_height(self, container, viewport, width: int) -> int:
        keys, palette = self._shown()
        return len(_lines(keys, palette, width)[0])

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key")
        text_style = self.get_component_rich_style("keybar--description")
        self._drawn = keys, palette = self._shown()
        width = self.size.width
        rows, palette_fits = _lines(keys, palette, width)
        self._places = []  # the cells each key's label covers, for clicks
        lines = []
        for number, row in enumerate(rows):
            line = Text(no_wrap=True, overflow="ellipsis")
            for shown in row:
                self._place(line, number, shown, f" {shown.label} ", key_style, text_style)
            if len(row) == 1 and cell_len(line.plain) > width:  # one key wider than the bar
                line.truncate(width, overflow="ellipsis")
            lines.append(line)
        line = lines[-1]
        if palette is not None and palette_fits:
            # Set against a rule on the right, as the Footer does.
            room = max(width - _width(palette, palette=True) - 1, 0)
            line.rstrip()
            line.pad_right(room - cell_len(line.plain))
            line.append("▏", style=self.get_component_rich_style("keybar--rule"))
            self._place(line, len(lines) - 1, palette, f"{palette.label} ", key_style, text_style)
        return Text("\n").join(lines)

    def _place(
        self, line: Text, number: int, shown: Shown, label: str, key_style: Style, text_style: Style
    ) -> None:
        dim = Style(dim=None if shown.enabled else True)
        start = cell_len(line.plain)
        line.append(label, style=key_style + dim)
        line.append(f"{shown.description} ", style=text_style + dim)
        self._places.append((number, start, cell_len(line.plain), shown.key))


def _width(shown: Shown, *, palette: bool = False) -> int:
    """Cells a key takes: ' k Description ' (the palette's entry: 'k Description ')."""
    return cell_len(f"{'' if palette else ' '}{shown.label} {shown.description} ")


def _lines(keys: list[Shown], palette: Shown | None, width: int) -> tuple[list[list[Shown]], bool]:
    """The keys on each line, and whether the palette's entry still fits on the last."""
    rows: list[list[Shown]] = [[]]
    used = 0
    for shown in keys:
        cells = _width(shown)
        if rows[-1] and used + cells > width:
            rows.append([])
            used = 0
        rows[-1].append(shown)
        used += cells
    fits = palette is not None and len(rows) == 1 and used + _width(palette, palette=True) < width
    return rows, fits
