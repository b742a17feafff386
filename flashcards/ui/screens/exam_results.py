"""An exam's results: the score against the threshold, weakest decks and topics first, every
missed question with its answer and what was given, and the slips that were forgiven."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Markdown, Static

from ...study.exam import ExamResult, ExamSession
from ...terminal_text import inert
from ..formatting import flattened, minutes_seconds
from ..widgets.keybar import KeyBar
from .base import BaseScreen


class ExamResultsScreen(BaseScreen):
    DEFAULT_CSS = """
    ExamResultsScreen #headline { padding: 1 1 0 1; height: auto; }
    ExamResultsScreen VerticalScroll { height: 1fr; padding: 0 1; }
    ExamResultsScreen DataTable { height: auto; margin: 1 0 0 0; }
    ExamResultsScreen .section { text-style: bold; margin-top: 1; }
    """
    BINDINGS = [
        Binding("r", "send_missed", "Send missed cards to today's review", id="results.review"),
        # An exam started from the command line (`flashcards exam`) ends the program on `q`, as
        # the other commands end; Escape still leads to the home screen.
        Binding("q", "quit_program", "Quit", id="results.quit"),
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
        overruled = ""
        if result.overruled:
            verdicts = "verdict" if result.overruled == 1 else "verdicts"
            overruled = f"  ·  {result.overruled} {verdicts} overruled by you"
        yield Static(
            f"[b]{result.score:.0%}[/b]  {verdict}  (pass mark {result.threshold:.0%})  ·  "
            f"{result.correct:g} of {result.count} right  ·  "
            f"time {minutes_seconds(result.seconds)}  ·  "
            f"seed {self.session.seed}{overruled}",
            id="headline",
        )
        with VerticalScroll():
            yield Static("By deck, weakest first", classes="section")
            yield DataTable(id="by-deck", cursor_type="none", zebra_stripes=True)
            yield Static("By topic, weakest first", classes="section")
            yield DataTable(id="by-topic", cursor_type="none", zebra_stripes=True)
            yield Static(f"Missed ({len(result.missed)})", classes="section")
            yield Markdown(self._missed_markdown(), id="missed")
            if result.forgiven:
                yield Static(
                    f"Right, with a slip forgiven ({len(result.forgiven)})", classes="section"
                )
                yield Markdown(self._forgiven_markdown(), id="forgiven")
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
        for number, outcome in enumerate(self.result.missed, 1):
            question, given = outcome.question, outcome.given
            block = f"**{number}. {inert(flattened(question.card.front, 200))}**\n\n"
            block += inert(question.expected)
            said = []
            if not outcome.answered:
                said.append("Not answered.")
            if given and question.kind == "basic":
                said.append(f"Your notes: {inert(flattened(given, 80))}")
            elif given:
                said.append(f"You answered: {inert(flattened(given, 80))}")
            elif outcome.answered and question.kind == "choice":
                said.append("You picked no option.")
            if outcome.overruled:
                said.append("You overruled the grader: it counted as wrong.")
            if said:
                block += "\n\n*" + " ".join(said) + "*"
            blocks.append(block)
        return "\n\n---\n\n".join(blocks)

    def _forgiven_markdown(self) -> str:
        """Answers accepted with a slip: the expected spelling, to learn it right."""
        lines = []
        for outcome in self.result.forgiven:
            spelled = ", ".join(inert(s) for s in outcome.forgiven)
            lines.append(
                f"- {inert(flattened(outcome.question.card.front, 120))}  \n"
                f"  *You typed {inert(flattened(outcome.given, 60))}; it is spelled {spelled}.*"
            )
        return "\n".join(lines)

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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "quit_program":
            return self.app.start == "exam"
        return True

    def action_quit_program(self) -> None:
        self.app.exit()

    def action_home(self) -> None:
        self.app.pop_to_home()
