"""An exam: one question at a time, with a countdown when there is a time limit."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from ...study.exam import CORRECT, PARTLY, WRONG, ExamResult, ExamSession
from ...terminal_text import inert
from ..widgets.card_view import CardView
from ..widgets.entry_field import EntryField
from ..widgets.keybar import KeyBar
from .base import BaseScreen
from .confirm import ConfirmScreen

GRADE_WORDS = {CORRECT: "correct", PARTLY: "partly right", WRONG: "wrong"}


def _verdict(credit: float) -> str:
    if credit >= 1.0:
        return "[b green]✓ Correct[/]"
    if credit > 0:
        return f"[b yellow]◐ Partly right ({credit:.0%})[/]"
    return "[b red]✗ Wrong[/]"


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class ExamScreen(BaseScreen):
    DEFAULT_CSS = """
    ExamScreen #status { height: 1; padding: 0 1; background: $accent; color: $text; }
    ExamScreen #inputs { height: auto; padding: 0 1; }
    ExamScreen #inputs Input { margin: 0; }
    ExamScreen #feedback { height: auto; padding: 0 1; }
    ExamScreen #keys { height: 1; padding: 0 1; background: $panel; }
    """
    BINDINGS = [
        Binding("1", "key(1)", "Option 1 / correct", show=False, id="exam.1"),
        Binding("2", "key(2)", "Option 2 / partly", show=False, id="exam.2"),
        Binding("3", "key(3)", "Option 3 / wrong", show=False, id="exam.3"),
        Binding("4", "key(4)", "Option 4", show=False, id="exam.4"),
        Binding("5", "key(5)", "Option 5", show=False, id="exam.5"),
        Binding("6", "key(6)", "Option 6", show=False, id="exam.6"),
        Binding("enter", "confirm", "Confirm / next", id="exam.confirm"),
        Binding("ctrl+f", "finish", "Finish now", id="exam.finish", priority=True),
        Binding("escape", "quit_exam", "Quit the exam", id="exam.quit", priority=True),
    ]

    @dataclass
    class Finished(Message):
        result: ExamResult

    def __init__(self, session: ExamSession, note: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.note = note
        self.index = 0
        self.chosen: set[int] = set()
        self.phase = "ask"  # ask -> (basic) graded -> feedback -> next
        self.finishing = False
        self.topic = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="status")
        yield CardView()
        yield Vertical(id="inputs")
        yield Static("", id="feedback")
        yield Static("", id="keys")
        yield KeyBar()

    async def on_mount(self) -> None:
        if self.note:
            self.notify(self.note)
        if self.session.deadline is not None:
            self.set_interval(1.0, self.tick)
        await self.show_question()

    @property
    def question(self):
        return self.session.questions[self.index]

    def tick(self) -> None:
        if self.session.expired:
            self.notify("Time is up.")
            self.finish()
        else:
            self.update_status()

    def update_status(self) -> None:
        total = len(self.session.questions)
        left = self.session.seconds_left()
        timer = f"  ·  {_clock(left)} left" if left is not None else ""
        self.query_one("#status", Static).update(
            f"Exam  ·  question {self.index + 1} of {total}{timer}"
        )

    async def show_question(self) -> None:
        self.phase = "ask"
        self.chosen = set()
        self.update_status()
        question = self.question
        card = question.card
        self.topic = inert(card.deck_name + (" › " + card.topic if card.topic else ""))
        await self.query_one(CardView).show(self.topic, self._front(), None)
        self.query_one("#feedback", Static).update("")
        inputs = self.query_one("#inputs", Vertical)
        await inputs.remove_children()
        if question.kind == "cloze":
            several = len(card.answers) > 1
            fields = [
                EntryField(
                    self.action_confirm, placeholder=f"blank {n + 1}" if several else "your answer"
                )
                for n in range(len(card.answers))
            ]
            await inputs.mount_all(fields)
            self.set_focus(fields[0])  # at once, not after the keys already queued
            keys = "type the missing text · [b]Enter[/b] submit"
        elif question.kind == "basic":
            notes = EntryField(self.action_confirm, placeholder="notes (optional)")
            await inputs.mount(notes)
            self.set_focus(notes)
            keys = "think (or type notes) · [b]Enter[/b] show the answer"
        else:
            self.set_focus(None)
            several = sum(o.correct for o in question.options) > 1
            hint = " (more than one is right)" if several else ""
            keys = f"[b]1–{len(question.options)}[/b] pick{hint} · [b]Enter[/b] confirm"
        self.query_one("#keys", Static).update(keys + "    [b]^F[/b] finish    [b]Esc[/b] quit")

    def _front(self, reveal: bool = False) -> str:
        question = self.question
        text = inert(question.card.front)
        if question.kind != "choice":
            return text
        lines = []
        for number, option in enumerate(question.options, 1):
            mark = "x" if number - 1 in self.chosen else " "
            suffix = ""
            if reveal:
                suffix = " ✓" if option.correct else ""
            lines.append(f"{number}. \\[{mark}\\] {inert(option.text)}{suffix}")
        return text + "\n\n" + "\n".join(lines)

    # Answering -------------------------------------------------------------------------------

    async def action_key(self, number: int) -> None:
        if self.finishing:
            return
        question = self.question
        if self.phase == "ask" and question.kind == "choice":
            if number <= len(question.options):
                self.chosen ^= {number - 1}
                await self.query_one(CardView).show(self.topic, self._front(), None)
        elif self.phase == "graded" and question.kind == "basic" and number in (1, 2, 3):
            grade = {1: CORRECT, 2: PARTLY, 3: WRONG}[number]
            notes = self.query_one(Input).value
            await self.record(lambda: self.session.answer_basic(self.index, grade, notes))

    async def action_confirm(self) -> None:
        """Enter (from an answer field too): submit the answer typed or chosen, show a basic
        question's answer, or go on from the feedback."""
        if self.finishing:
            return
        question = self.question
        if self.phase == "feedback":
            await self.advance()
        elif self.phase != "ask":
            return
        elif question.kind == "choice":
            chosen = set(self.chosen)
            await self.record(lambda: self.session.answer_choice(self.index, chosen))
        elif question.kind == "cloze":
            typed = [field.value for field in self.query(Input)]
            await self.record(lambda: self.session.answer_cloze(self.index, typed))
        else:
            self.phase = "graded"
            for field in self.query(Input):
                field.disabled = True
            self.set_focus(None)
            await self.query_one(CardView).show(
                self.topic, self._front(), inert(question.card.back)
            )
            self.query_one("#keys", Static).update(
                "How did you do?  [b]1[/b] correct  [b]2[/b] partly  [b]3[/b] wrong"
                "    [b]^F[/b] finish    [b]Esc[/b] quit"
            )

    async def record(self, grade) -> None:
        """Grade and store the answer (off the interface thread: another program may hold the
        collection for a moment); show feedback now, or move on if feedback waits for the end."""
        previous, self.phase = self.phase, "saving"  # keys wait until the answer is stored
        try:
            credit = await asyncio.to_thread(grade)
        except TimeoutError:
            self.finish()
            return
        except Exception as error:  # noqa: BLE001 - a storage failure is a message, not a crash
            from ...storage.errors import describe_failure

            self.phase = previous
            message = describe_failure(error) or f"{type(error).__name__}: {error}"
            self.notify(message, title="The answer was not saved", severity="error")
            return
        if self.app.workspace.config.exam_feedback == "end":
            await self.advance()
            return
        self.phase = "feedback"
        question = self.question
        for field in self.query(Input):
            field.disabled = True
        self.set_focus(None)
        back = inert(question.card.back) if question.card.back else None
        if question.kind == "choice":
            await self.query_one(CardView).show(self.topic, self._front(reveal=True), back)
        elif question.kind == "cloze":
            await self.query_one(CardView).show(self.topic, inert(question.card.front), back)
        expected = "" if question.kind == "basic" else f"  ·  answer: {inert(question.expected)}"
        self.query_one("#feedback", Static).update(_verdict(credit) + expected)
        self.query_one("#keys", Static).update(
            "[b]Enter[/b] next question    [b]^F[/b] finish    [b]Esc[/b] quit"
        )

    async def advance(self) -> None:
        if self.index + 1 >= len(self.session.questions):
            self.finish()
            return
        self.index += 1
        await self.show_question()

    # Ending ----------------------------------------------------------------------------------

    def action_finish(self) -> None:
        if self.finishing:
            return
        unanswered = len(self.session.questions) - len(self.session.answers)
        if unanswered == 0:
            self.finish()
            return

        def decided(yes: bool | None) -> None:
            if yes:
                self.finish()

        self.app.push_screen(
            ConfirmScreen(f"Finish now? {unanswered} unanswered question(s) will count as wrong."),
            decided,
        )

    def action_quit_exam(self) -> None:
        if self.finishing:
            return

        def decided(yes: bool | None) -> None:
            if yes:
                self.session.abandon()
                self.app.pop_to_home()

        self.app.push_screen(ConfirmScreen("Quit the exam? Nothing of it will be saved."), decided)

    def finish(self) -> None:
        if self.finishing:
            return
        self.finishing = True
        self.store()

    @work(thread=True, exclusive=True, exit_on_error=False, group="exam")
    def store(self) -> None:
        self.post_message(self.Finished(self.session.finish()))

    def on_worker_failed(self) -> None:
        self.finishing = False

    @on(Finished)
    def finished(self, message: Finished) -> None:
        from .exam_results import ExamResultsScreen

        self.app.switch_screen(ExamResultsScreen(self.session, message.result))
