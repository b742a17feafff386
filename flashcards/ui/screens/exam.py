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

from ...review_rules import topic_label
from ...rounds.steps import format_duration
from ...study.exam import CORRECT, PARTLY, WRONG, ExamResult, ExamSession
from ...terminal_text import inert
from ..typed_ahead import TextField, caught_up, skip_if_typing
from ..widgets.card_view import CardView
from ..widgets.keybar import KeyBar
from .base import BaseScreen
from .confirm import ConfirmScreen


def _verdict(credit: float) -> str:
    if credit >= 1.0:
        return "[b green]✓ Correct[/]"
    if credit > 0:
        return f"[b yellow]◐ Partly right ({credit:.0%})[/]"
    return "[b red]✗ Wrong[/]"


class ExamScreen(BaseScreen):
    DEFAULT_CSS = """
    ExamScreen #status { height: 1; padding: 0 1; background: $accent; color: $text; }
    ExamScreen #inputs { height: auto; padding: 0 1; }
    ExamScreen #inputs Input { margin: 0; }
    ExamScreen #feedback { height: auto; padding: 0 1; }
    ExamScreen #keys { height: 1; padding: 0 1; background: $panel; }
    """
    # Every key is a priority binding, run as it is read, so that keys typed ahead act in
    # order (flashcards.ui.typed_ahead); a letter or digit is text while a field has the focus.
    BINDINGS = [
        Binding("o", "overrule", "Overrule", id="exam.overrule", priority=True),
        Binding("question_mark", "help", "Help", key_display="?", id="exam.help", priority=True),
        Binding("1", "key(1)", "Option 1 / correct", show=False, id="exam.1", priority=True),
        Binding("2", "key(2)", "Option 2 / partly", show=False, id="exam.2", priority=True),
        Binding("3", "key(3)", "Option 3 / wrong", show=False, id="exam.3", priority=True),
        Binding("4", "key(4)", "Option 4", show=False, id="exam.4", priority=True),
        Binding("5", "key(5)", "Option 5", show=False, id="exam.5", priority=True),
        Binding("6", "key(6)", "Option 6", show=False, id="exam.6", priority=True),
        Binding("enter", "confirm", "Confirm / next", id="exam.confirm", priority=True),
        Binding("tab", "app.focus_next", show=False, priority=True),  # between the blanks
        Binding("shift+tab", "app.focus_previous", show=False, priority=True),
        Binding("ctrl+f", "finish", "Finish now", id="exam.finish", priority=True),
        Binding("escape", "quit_exam", "Quit", id="exam.quit", priority=True),
    ]

    @dataclass
    class Finished(Message):
        result: ExamResult

    def __init__(
        self, session: ExamSession, note: str | None = None, finish_at_once: bool = False
    ) -> None:
        super().__init__()
        self.session = session
        self.note = note
        self.finish_at_once = finish_at_once  # an unfinished exam, finished as scored so far
        # A resumed exam goes on at its first unanswered question.
        unanswered = [i for i in range(len(session.questions)) if i not in session.answers]
        self.index = unanswered[0] if unanswered else 0
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
        if self.finish_at_once or len(self.session.answers) == len(self.session.questions):
            self.finish()
            return
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
        timer = f"  ·  {format_duration(round(left))} left" if left is not None else ""
        self.query_one("#status", Static).update(
            f"Exam  ·  question {self.index + 1} of {total}{timer}"
        )

    async def show_question(self) -> None:
        self.phase = "ask"
        self.chosen = set()
        self.refresh_bindings()  # no verdict to overrule now
        self.update_status()
        question = self.question
        card = question.card
        self.topic = inert(topic_label(card.deck_name, card.topic))
        await self.query_one(CardView).show(self.topic, self._front(), None)
        self.query_one("#feedback", Static).update("")
        inputs = self.query_one("#inputs", Vertical)
        await inputs.remove_children()
        if question.kind == "cloze":
            several = len(card.answers) > 1
            fields = [
                TextField(placeholder=f"blank {n + 1}" if several else "your answer")
                for n in range(len(card.answers))
            ]
            await inputs.mount_all(fields)
            self.set_focus(fields[0])
            keys = "type the missing text · [b]Enter[/b] submit"
        elif question.kind == "basic":
            notes = TextField(placeholder="notes (optional)")
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
            picked = number - 1 in self.chosen
            mark = "x" if picked else " "
            suffix = ""
            if reveal and option.correct:
                suffix = " ✓"
            elif reveal and picked:
                suffix = " ✗"
            lines.append(f"{number}. \\[{mark}\\] {inert(option.text)}{suffix}")
        return text + "\n\n" + "\n".join(lines)

    # Answering -------------------------------------------------------------------------------

    async def typed(self) -> None:
        """Wait until the answer fields hold every key typed into them so far."""
        for field in self.query(Input):
            await caught_up(field)

    async def action_key(self, number: int) -> None:
        skip_if_typing(self)
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
        await self.typed()
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
            await asyncio.to_thread(grade)
        except TimeoutError:
            self.finish()
            return
        except Exception as error:  # noqa: BLE001 - a storage failure is a message, not a crash
            from ...study.failures import explain_failure

            self.phase = previous
            message = explain_failure(error)
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
        self.show_feedback()

    def show_feedback(self) -> None:
        """The verdict with the expected answer; for a typed answer, a forgiven slip and the key
        that overrules the grader."""
        question = self.question
        answer = self.session.answers[self.index]
        text = _verdict(answer.credit)
        if question.kind != "basic":
            text += f"  ·  answer: {inert(question.expected)}"
        if answer.overruled:
            grader = "right" if (answer.machine_credit or 0.0) >= CORRECT else "wrong"
            text += f"\n[i]You overruled the grader, which had it {grader}.[/i]"
        elif answer.forgiven:
            spelled = ", ".join(inert(s) for s in answer.forgiven)
            text += f"\n[i]A slip was forgiven: it is spelled [b]{spelled}[/b].[/i]"
        self.query_one("#feedback", Static).update(text)
        keys = "[b]Enter[/b] next question"
        if answer.machine_credit is not None:
            if answer.overruled:
                claim = "the grader was right"
            elif answer.machine_credit < CORRECT:
                claim = "I was right"
            else:
                claim = "I was wrong"
            keys += f"    [b]o[/b] {claim}"
        self.query_one("#keys", Static).update(keys + "    [b]^F[/b] finish    [b]Esc[/b] quit")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "overrule":
            answer = self.session.answers.get(self.index)
            return (
                self.phase == "feedback"
                and answer is not None
                and answer.machine_credit is not None
            )
        return True

    async def action_overrule(self) -> None:
        """Overrule a typed answer's verdict, "I was right" or "I was wrong"; again, and the
        grader's verdict stands."""
        skip_if_typing(self)
        if self.finishing or not self.check_action("overrule", ()):
            return
        self.phase = "saving"
        try:
            await asyncio.to_thread(self.session.overrule, self.index)
        except Exception as error:  # noqa: BLE001 - a storage failure is a message, not a crash
            from ...study.failures import explain_failure

            message = explain_failure(error)
            self.notify(message, title="The verdict was not changed", severity="error")
        self.phase = "feedback"
        self.show_feedback()

    def action_help(self) -> None:
        skip_if_typing(self)
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self, "Exam: keys"))

    async def advance(self) -> None:
        """On to the next question not yet answered (a resumed exam has some), or the end."""
        later = [
            i
            for i in range(self.index + 1, len(self.session.questions))
            if i not in self.session.answers
        ]
        if not later:
            self.finish()
            return
        self.index = later[0]
        await self.show_question()

    # Ending ----------------------------------------------------------------------------------

    async def action_finish(self) -> None:
        if self.finishing:
            return
        await self.typed()  # a basic question's notes are kept as typed
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
                self.app.pop_to_home()

        if self.session.answers:
            question = (
                "Quit the exam? Your answers are kept: [b]x[/b] on the home screen or "
                "[b]flashcards exam --resume[/b] resumes it, or finishes it as scored so far."
            )
        else:
            question = "Quit the exam? Nothing has been answered yet, so nothing is kept."
        self.app.push_screen(ConfirmScreen(question), decided)

    def finish(self) -> None:
        if self.finishing:
            return
        self.finishing = True
        if self.question.kind == "basic" and self.phase in ("ask", "graded"):
            notes = self.query(Input)
            if notes and notes.first().value.strip():
                self.session.keep_notes(self.index, notes.first().value)
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
