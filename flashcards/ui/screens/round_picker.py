"""Choosing a mock design round: interrupted attempts to resume first, then every round with
its last score and date, the never-tried and the weakest first."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from ...rounds.steps import format_duration
from ...study.rounds import AttemptRecord, RoundSummary, list_rounds, resume_round, start_round
from ...terminal_text import inert
from ..widgets.keybar import KeyBar
from .base import BaseScreen


class RoundPickerScreen(BaseScreen):
    DEFAULT_CSS = """
    RoundPickerScreen #title { text-style: bold; padding: 0 1; background: $primary; }
    RoundPickerScreen #about { padding: 1 1 0 1; height: auto; color: $text-muted; }
    RoundPickerScreen DataTable { height: 1fr; margin: 1 0 0 0; }
    """
    BINDINGS = [
        Binding("enter", "choose", "Start or resume", id="rounds.start", priority=True),
        Binding("q,escape", "home", "Home", id="rounds.home"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    @dataclass
    class Loaded(Message):
        rounds: list[RoundSummary]
        unfinished: list[AttemptRecord]

    def __init__(self, minutes: float | None = None) -> None:
        super().__init__()
        self.minutes = minutes
        self.rounds: list[RoundSummary] = []
        self.unfinished: list[AttemptRecord] = []

    def compose(self) -> ComposeResult:
        yield Static("Mock design rounds", id="title")
        yield Static(
            "A 45-minute interview, step by step, against the clock and a rubric. "
            "Never-tried and weakest rounds first.",
            id="about",
        )
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("Round", "Last score", "Last tried", "Tries", "Best", "Time"):
            table.add_column(label)
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="round-list")
    def load(self) -> None:
        workspace = self.app.workspace
        self.post_message(self.Loaded(*list_rounds(workspace.collection, workspace.clock.now)))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        self.rounds, self.unfinished = message.rounds, message.unfinished
        table = self.query_one(DataTable)
        table.clear()
        zone = self.app.workspace.zone
        for attempt in self.unfinished:
            run = attempt.run
            table.add_row(
                Text("▶ Resume: " + inert(attempt.title), style="bold"),
                "unfinished",
                attempt.saved_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                "",
                "",
                f"{format_duration(run.elapsed())} of {format_duration(run.budget_seconds)}",
                key=f"attempt-{attempt.id}",
            )
        for summary in self.rounds:
            last = "never tried" if summary.last_score is None else f"{summary.last_score:.0%}"
            when = (
                summary.last_at.astimezone(zone).strftime("%Y-%m-%d")
                if summary.last_at is not None
                else ""
            )
            best = "" if summary.best is None else f"{summary.best:.0%}"
            table.add_row(
                Text(inert(summary.title)),
                last,
                when,
                str(summary.attempts),
                best,
                format_duration(summary.round.budget_seconds),
                key=f"round-{summary.id}",
            )
        if not self.rounds:
            self.query_one("#about", Static).update(
                "No rounds yet: import a .round.md file with `flashcards import PATH`."
            )

    def action_choose(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        kind, _, number = key.partition("-")
        if kind == "attempt":
            attempt = next(a for a in self.unfinished if a.id == int(number))
            self.app.open_round(resume_round(attempt), attempt.round_id)
        else:
            summary = next(s for s in self.rounds if s.id == int(number))
            self.begin(summary)

    @work(thread=True, exclusive=True, exit_on_error=False, group="round-start")
    def begin(self, summary: RoundSummary) -> None:
        workspace = self.app.workspace
        run = start_round(workspace.collection, summary, workspace.clock.now, self.minutes)
        self.app.call_from_thread(self.app.open_round, run, summary.id)

    def action_home(self) -> None:
        self.app.leave_rounds()

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self, "Mock rounds: keys"))
