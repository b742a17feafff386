"""A finished round: each step's notes beside its rubric, marks suggested from the notes for the
person to confirm or change, the scores and times, the facts asked and never asked, and the
same round's earlier attempts."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, SelectionList, Static
from textual.widgets.selection_list import Selection

from ...rounds.results import Mark, facts_asked, stored_step_scores
from ...rounds.run import RoundRun
from ...rounds.steps import format_duration
from ...study.rounds import (
    AttemptRecord,
    RoundOutcome,
    earlier_attempts,
    finish_round,
    missed_card_ids,
    record_marks,
    send_missed_to_review,
)
from ...terminal_text import inert
from ..formatting import percent
from ..widgets.keybar import KeyBar
from .base import BaseScreen


class RoundResultsScreen(BaseScreen):
    DEFAULT_CSS = """
    RoundResultsScreen #headline { padding: 0 1; height: auto; background: $primary; }
    RoundResultsScreen #hint { padding: 0 1; height: auto; color: $text-muted; }
    RoundResultsScreen VerticalScroll { height: 1fr; padding: 0 1; max-width: 120; }
    RoundResultsScreen .step { text-style: bold; margin-top: 1; }
    RoundResultsScreen .step.over { color: $warning; }
    RoundResultsScreen .notes { color: $text-muted; padding: 0 0 0 2; }
    RoundResultsScreen SelectionList { height: auto; border: none; padding: 0; }
    RoundResultsScreen .section { text-style: bold; margin-top: 1; }
    RoundResultsScreen DataTable { height: auto; }
    RoundResultsScreen VerticalScroll > Static { width: 100%; max-width: 110; }
    """
    BINDINGS = [
        Binding("r", "send_missed", "Missed cards to review", id="round_results.review"),
        Binding("x", "exam_missed", "Exam on missed", id="round_results.exam"),
        Binding("q,escape", "home", "Done", id="round_results.home"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(self, run: RoundRun, round_id: int) -> None:
        super().__init__()
        self.run = run
        self.round_id = round_id
        self.outcome: RoundOutcome | None = None
        self.sent = False

    def compose(self) -> ComposeResult:
        yield Static("Scoring…", id="headline")
        yield Static(
            "Marks are suggested from your notes: Space toggles an item. Key terms only hint.",
            id="hint",
        )
        yield VerticalScroll(id="results")
        yield KeyBar()

    def on_mount(self) -> None:
        self.finish()

    @work(thread=True, exclusive=True, exit_on_error=False, group="round-results")
    def finish(self) -> None:
        workspace = self.app.workspace
        folder = workspace.transcripts_dir()
        outcome = finish_round(
            workspace.collection, self.run, self.round_id, folder, workspace.zone
        )
        earlier = earlier_attempts(workspace.collection, self.round_id, workspace.clock.now)
        self.app.call_from_thread(self._show, outcome, earlier)

    def _show(self, outcome: RoundOutcome, earlier: list[AttemptRecord]) -> None:
        self.outcome = outcome
        run = outcome.run
        parsed = run.round
        scroll = self.query_one("#results", VerticalScroll)
        widgets: list[Widget] = []
        for index, step in enumerate(run.steps):
            over = step.seconds > step.budget_seconds
            heading = Static(id=f"step-{index}", classes="step over" if over else "step")
            widgets.append(heading)
            notes = step.notes.strip() or "(no notes)"
            widgets.append(Static(Text(inert(notes)), classes="notes"))
            choices = [
                Selection(_item_prompt(mark), number, mark.covered)
                for number, mark in enumerate(outcome.marks)
                if mark.step == index
            ]
            widgets.append(SelectionList(*choices, id=f"marks-{index}"))
        asked, never = facts_asked(parsed, run.questions)
        widgets.append(Static("Facts you asked for", classes="section"))
        widgets.append(
            Static(
                Text(
                    "\n".join(f"✓ {', '.join(f.keywords)}: {f.text}" for f in asked)
                    or "None: a real interviewer expects questions before the design."
                )
            )
        )
        widgets.append(Static("Facts never asked for", classes="section"))
        widgets.append(
            Static(
                Text("\n".join(f"✗ {', '.join(f.keywords)}: {f.text}" for f in never) or "None.")
            )
        )
        widgets.append(Static("This round's attempts, newest first", classes="section"))
        table: DataTable[str] = DataTable(id="attempts", cursor_type="none", zebra_stripes=True)
        widgets.append(table)
        widgets.append(Static(f"Transcript: {outcome.transcript}", id="transcript"))
        scroll.mount_all(widgets)
        table.add_column("When")
        table.add_column("Score")
        for step in run.steps:
            table.add_column(_short(step.name))
        zone = self.app.workspace.zone
        for attempt in earlier:
            scores = [percent(v) for v in stored_step_scores(attempt.run.round, attempt.marks)]
            when = attempt.started_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            table.add_row(when, percent(attempt.score or 0.0), *scores[: len(run.steps)])
        self._refresh_scores()
        first = self.query(SelectionList).first()
        self.set_focus(first)

    @on(SelectionList.SelectedChanged)
    def _marks_changed(self, event: SelectionList.SelectedChanged) -> None:
        if self.outcome is None:
            return
        marks = event.selection_list
        selected = set(marks.selected)
        position = 0
        for number, mark in enumerate(self.outcome.marks):
            if f"marks-{mark.step}" == marks.id:
                mark.covered = number in selected
                marks.replace_option_prompt_at_index(position, _item_prompt(mark))
                position += 1
        self._refresh_scores()
        self.save_marks()

    @work(thread=True, exclusive=True, exit_on_error=False, group="round-marks")
    def save_marks(self) -> None:
        if self.outcome is not None:
            record_marks(self.app.workspace.collection, self.outcome, self.app.workspace.zone)

    def _refresh_scores(self) -> None:
        outcome = self.outcome
        if outcome is None:
            return
        run = outcome.run
        scores = outcome.step_scores
        for index, step in enumerate(run.steps):
            time = f"{format_duration(step.seconds)} of {format_duration(step.budget_seconds)}"
            if step.seconds > step.budget_seconds:
                time += ", over budget"
            self.query_one(f"#step-{index}", Static).update(
                f"{escape(step.name)}: {percent(scores[index])}  ({time})"
            )
        self.query_one("#headline", Static).update(
            f"[b]{escape(run.round.title)}[/b]  ·  score [b]{percent(outcome.score)}[/b]  ·  "
            f"time {format_duration(run.elapsed())} of {format_duration(run.budget_seconds)}  ·  "
            f"{len(run.questions)} question{'s' * (len(run.questions) != 1)} asked"
        )

    def action_send_missed(self) -> None:
        if self.outcome is None:
            return
        if self.sent:
            self.notify("Already sent.")
            return
        self.sent = True
        self.send()

    @work(thread=True, exclusive=True, exit_on_error=False, group="round-send")
    def send(self) -> None:
        workspace = self.app.workspace
        assert self.outcome is not None
        moved = send_missed_to_review(
            workspace.collection, self.outcome.marks, workspace.clock.now()
        )
        message = (
            f"{moved} card{'s' * (moved != 1)} added to today's review."
            if moved
            else "No cards are linked to the items you missed."
        )
        self.app.call_from_thread(self.notify, message)

    def on_worker_failed(self) -> None:
        self.sent = False

    def action_exam_missed(self) -> None:
        if self.outcome is None:
            return
        self.exam()

    @work(thread=True, exclusive=True, exit_on_error=False, group="round-exam")
    def exam(self) -> None:
        assert self.outcome is not None
        ids = missed_card_ids(self.app.workspace.collection, self.outcome.marks)
        self.app.call_from_thread(self._start_exam, ids)

    def _start_exam(self, ids: list[int]) -> None:
        if not ids:
            self.notify("No cards are linked to the items you missed.")
            return
        self.app.start_exam(card_ids=ids)

    def action_home(self) -> None:
        self.app.leave_rounds()

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self, "Round results: keys"))


def _item_prompt(mark: Mark) -> Text:
    """An item as listed for marking: covered or missed said in words, not by colour alone."""
    if mark.covered:
        return Text.assemble(("covered  ", "green"), inert(mark.item.plain))
    return Text.assemble(("missed   ", "red"), inert(mark.item.plain))


def _short(name: str) -> str:
    words = name.split()
    return words[0] if words else name
