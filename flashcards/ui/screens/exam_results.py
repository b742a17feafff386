"""An exam's results: the score against the threshold, weakest decks and topics first, and every
missed question with its answer."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Markdown, Static

from ...study.exam import ExamResult, ExamSession
from ...terminal_text import inert
from ..widgets.keybar import KeyBar
from .base import BaseScreen


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


def _one_line(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


class ExamResultsScreen(BaseScreen):
    DEFAULT_CSS = """
    ExamResultsScreen #headline { padding: 1 1 0 1; height: auto; }
    ExamResultsScreen VerticalScroll { height: 1fr; padding: 0 1; }
    ExamResultsScreen DataTable { height: auto; margin: 1 0 0 0; }
    ExamResultsScreen .section { text-style: bold; margin-top: 1; }
    """
    BINDINGS = [
        Binding("r", "send_missed", "Send missed cards to today's review", id="results.review"),
        Binding("q,escape", "home", "Home", id="results.home"),
    ]

    def __init__(self, session: ExamSession, result: ExamResult) -> None:
        super().__init__()
        self.session = session
        self.result = result
        self.sent = False

    def compose(self) -> ComposeResult:
        result = self.result
        verdict = "[b green]PASSED[/]" if result.passed else "[b red]NOT PASSED[/]"
        yield Static(
            f"[b]{result.score:.0%}[/b]  {verdict}  (pass mark {result.threshold:.0%})  ·  "
            f"{result.correct:g} of {result.count} right  ·  time {_duration(result.seconds)}  ·  "
            f"seed {self.session.seed}",
            id="headline",
        )
        with VerticalScroll():
            yield Static("By deck, weakest first", classes="section")
            yield DataTable(id="by-deck", cursor_type="none", zebra_stripes=True)
            yield Static("By topic, weakest first", classes="section")
            yield DataTable(id="by-topic", cursor_type="none", zebra_stripes=True)
            yield Static(f"Missed ({len(result.missed)})", classes="section")
            yield Markdown(self._missed_markdown(), id="missed")
        yield KeyBar()

    def on_mount(self) -> None:
        for table_id, groups in (
            ("#by-deck", self.result.by_deck),
            ("#by-topic", self.result.by_topic),
        ):
            table = self.query_one(table_id, DataTable)
            table.add_columns("Score", "Right", "Name")
            for group in groups:
                table.add_row(
                    f"{group.score:.0%}", f"{group.credit:g}/{group.asked}", Text(inert(group.name))
                )

    def _missed_markdown(self) -> str:
        """Each missed question with its full answer: this is what is worth reading now."""
        if not self.result.missed:
            return "Nothing missed."
        blocks = []
        for number, (question, given) in enumerate(self.result.missed, 1):
            block = f"**{number}. {inert(_one_line(question.card.front, 200))}**\n\n"
            block += inert(question.expected)
            if given and question.kind != "basic":
                block += f"\n\n*You answered: {inert(_one_line(given, 80))}*"
            blocks.append(block)
        return "\n\n---\n\n".join(blocks)

    def action_send_missed(self) -> None:
        if self.sent or not self.result.missed:
            self.notify("Nothing to send." if not self.result.missed else "Already sent.")
            return
        self.sent = True
        self.send()

    @work(thread=True, exclusive=True, exit_on_error=False, group="results")
    def send(self) -> None:
        moved = self.session.send_missed_to_review()
        self.app.call_from_thread(
            self.notify, f"{moved} card{'s' * (moved != 1)} added to today's review."
        )

    def on_worker_failed(self) -> None:
        self.sent = False

    def action_home(self) -> None:
        self.app.pop_to_home()
