"""The round's brief in full, over the round: the interviewer's prompt and every fact learnt so
far. On a small terminal the round screen shows only the start of the prompt."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...rounds.run import RoundRun
from ...terminal_text import inert


class RoundBriefScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    RoundBriefScreen { align: center middle; }
    RoundBriefScreen > VerticalScroll {
        width: 90; max-width: 95%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    RoundBriefScreen .heading { text-style: bold; margin-top: 1; }
    RoundBriefScreen #brief-hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [Binding("escape,q,f2", "close", "Close", id="round_brief.close")]

    def __init__(self, run: RoundRun) -> None:
        super().__init__()
        self.run = run

    def compose(self) -> ComposeResult:
        parsed = self.run.round
        asked = {key for question in self.run.questions for key in question.facts}
        facts = [f"• {inert(f.text)}" for f in parsed.facts if f.key in asked]
        with VerticalScroll():
            yield Static(inert(parsed.title), classes="heading")
            yield Static(Text(inert(parsed.prompt)))
            yield Static("What the interviewer has told you", classes="heading")
            yield Static(Text("\n".join(facts) or "Nothing yet: ask about scale, latency, data."))
            yield Static("Escape closes this.", id="brief-hint")

    def action_close(self) -> None:
        self.dismiss(None)
