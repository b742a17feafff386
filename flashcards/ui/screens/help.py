"""A modal listing every key of the screen underneath, from its own bindings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 64; max-width: 95%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    HelpScreen DataTable { height: auto; max-height: 20; }
    HelpScreen #help-title { text-style: bold; margin-bottom: 1; }
    HelpScreen #help-hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, screen: Screen, title: str) -> None:
        super().__init__()
        self.source = screen
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, id="help-title")
            yield DataTable(cursor_type="none", zebra_stripes=True)
            yield Static("Escape closes this help.", id="help-hint")

    def on_mount(self) -> None:
        self.app.clear_notifications()  # a message left over would be drawn over the help
        table = self.query_one(DataTable)
        table.add_columns("Key", "Does")
        for binding in self.source.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                keys = binding.key_display or ", ".join(
                    _key_name(key) for key in binding.key.split(",")
                )
                # The key bar's description is short; the tooltip, when given, says more.
                table.add_row(keys, binding.tooltip or binding.description)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


def _key_name(key: str) -> str:
    names = {"question_mark": "?", "slash": "/", "space": "Space", "enter": "Enter"}
    return names.get(key, key.capitalize() if len(key) > 1 else key)
