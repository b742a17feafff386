"""A mock design round in progress: the prompt, the clock, the steps, the notes of the current
step, and questions to the interviewer."""

from __future__ import annotations

from rich.markup import escape
from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static, TextArea

from ...rounds.run import NO_MATCH_REPLY, RoundRun
from ...rounds.steps import format_duration
from ...study.rounds import save_round
from ...terminal_text import inert
from ..typed_ahead import NotesField, TextField, caught_up
from ..widgets.keybar import KeyBar
from .base import BaseScreen
from .confirm import ConfirmScreen

# Notes are saved this long after the last keystroke at most: a crash loses no more.
SAVE_EVERY_SECONDS = 2.0


class RoundScreen(BaseScreen):
    DEFAULT_CSS = """
    RoundScreen #clock { height: 1; padding: 0 1; background: $primary; color: $text; }
    RoundScreen #prompt { height: auto; max-height: 6; padding: 0 1; color: $text-muted; }
    RoundScreen #body { height: 1fr; }
    RoundScreen #steps { width: 34; height: auto; padding: 1 1 0 1; }
    RoundScreen #work { width: 1fr; max-width: 110; }
    RoundScreen #step { height: 1; padding: 0 1; text-style: bold; margin-top: 1; }
    RoundScreen #step.over { color: $error; }
    RoundScreen TextArea { height: 1fr; min-height: 3; }
    RoundScreen #reply { height: auto; max-height: 6; padding: 0 1; }
    RoundScreen.narrow #steps { display: none; }
    RoundScreen.narrow #prompt { max-height: 3; }
    RoundScreen.narrow #reply { max-height: 3; }
    """
    # Every key is a priority binding, run as it is read, so that keys typed ahead act in
    # order (flashcards.ui.typed_ahead); each first lets the fields take what was typed.
    BINDINGS = [
        Binding("enter", "ask", show=False, priority=True),  # in the question; in the notes, a line
        Binding("pagedown,ctrl+n", "next_step", "Next step", key_display="PgDn", priority=True),
        Binding("pageup", "previous_step", "Previous step", key_display="PgUp", priority=True),
        Binding("tab", "switch_field", "Notes/ask", key_display="Tab", priority=True),
        Binding("ctrl+f", "finish", "Finish", key_display="^f", priority=True),
        Binding("f2", "brief", "Prompt and facts", key_display="F2", priority=True),
        Binding("escape", "leave", "Pause", id="round.leave", priority=True),
        Binding("f1", "help", "Help", key_display="F1", priority=True),
    ]

    def __init__(self, run: RoundRun, round_id: int) -> None:
        super().__init__()
        self.run = run
        self.round_id = round_id
        self._dirty = False
        self._done = False

    def compose(self) -> ComposeResult:
        yield Static("", id="clock")
        yield Static(inert(self.run.round.prompt), id="prompt", markup=False)
        with Horizontal(id="body"):
            yield Static("", id="steps")
            with Vertical(id="work"):
                yield Static("", id="step")
                yield NotesField(self.run.steps[self.run.current].notes, id="notes")
                yield Static(
                    "Ask the interviewer below (Tab), e.g. 'How many daily users?'", id="reply"
                )
                yield TextField(placeholder="Ask the interviewer…", id="question")
        yield KeyBar()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(TextArea))
        self._refresh_clock()
        self.set_interval(0.5, self._tick)
        self.set_interval(SAVE_EVERY_SECONDS, self._save_if_changed)
        self._fit(self.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        self.set_class(width < 90, "narrow")

    # The clock

    def _tick(self) -> None:
        if self._done:
            return
        if self.run.timed_out:
            self.notify("Time is up: on to the results.", timeout=4)
            self._finish()
            return
        self._refresh_clock()

    def _refresh_clock(self) -> None:
        run = self.run
        step = run.steps[run.current]
        remaining = run.remaining()
        self.query_one("#clock", Static).update(
            f"[b]{escape(run.round.title)}[/b]  ·  {format_duration(run.elapsed())} of "
            f"{format_duration(run.budget_seconds)}  ·  {format_duration(max(0, remaining))} left"
        )
        label = self.query_one("#step", Static)
        over = run.over_budget()
        label.update(
            f"Step {run.current + 1}/{len(run.steps)}: {escape(step.name)}  ·  "
            f"{format_duration(run.step_seconds())} of {format_duration(step.budget_seconds)}"
            + ("  over budget" if over else "")
        )
        label.set_class(over, "over")
        lines = []
        for index, progress in enumerate(run.steps):
            marker = "▶" if index == run.current else ("✓" if progress.seconds else "·")
            spent = format_duration(run.step_seconds(index))
            budget = format_duration(progress.budget_seconds)
            colour = "red" if run.over_budget(index) else ("bold" if index == run.current else "")
            name = escape(progress.name)
            text = f"{marker} {name}\n   {spent} / {budget}"
            lines.append(f"[{colour}]{text}[/]" if colour else text)
        self.query_one("#steps", Static).update("\n".join(lines))

    # Notes

    @on(TextArea.Changed, "#notes")
    def _notes_changed(self, event: TextArea.Changed) -> None:
        self.run.set_notes(event.text_area.text)
        self._dirty = True

    def _save_if_changed(self) -> None:
        if self._dirty and not self._done:
            self._dirty = False
            self.save()

    @work(thread=True, exclusive=True, exit_on_error=False, group="round-save")
    def save(self) -> None:
        save_round(self.app.workspace.collection, self.run, self.round_id)

    # Moving between steps

    def _show_step(self) -> None:
        notes = self.query_one(TextArea)
        with notes.prevent(TextArea.Changed):
            notes.load_text(self.run.steps[self.run.current].notes)
        notes.move_cursor(notes.document.end)
        self._refresh_clock()
        self._dirty = True

    async def typed(self) -> None:
        """Wait until the notes and the question hold every key typed into them so far; the
        notes are the current step's from then on."""
        notes = self.query_one(TextArea)
        await caught_up(notes)
        await caught_up(self.query_one("#question", Input))
        if not self._done and notes.text != self.run.steps[self.run.current].notes:
            self.run.set_notes(notes.text)
            self._dirty = True

    async def action_next_step(self) -> None:
        await self.typed()
        if self.run.next_step():
            self._show_step()
        elif self.run.on_last_step:
            self.notify("This is the last step: ctrl+f finishes the round.", timeout=3)

    async def action_previous_step(self) -> None:
        await self.typed()
        if self.run.previous_step():
            self._show_step()

    def action_switch_field(self) -> None:
        notes, question = self.query_one(TextArea), self.query_one("#question", Input)
        self.set_focus(question if notes.has_focus else notes)

    # Questions to the interviewer

    async def action_ask(self) -> None:
        """Enter in the question: ask it, once the field holds what was typed."""
        field = self.query_one("#question", Input)
        if self.focused is not field:
            raise SkipAction()
        await caught_up(field)
        text = field.value.strip()
        if not text:
            return
        facts = self.run.ask(text)
        field.value = ""
        answer = " ".join(escape(inert(f.text)) for f in facts) or NO_MATCH_REPLY
        lines = [f"[b]Interviewer:[/b] {answer}"]
        # What was learnt before stays in sight, newest first: the design rests on it.
        earlier = [
            key
            for question in reversed(self.run.questions[:-1])
            for key in question.facts
            if key not in {f.key for f in facts}
        ]
        known = {f.key: f for f in self.run.round.facts}
        for key in dict.fromkeys(earlier):
            lines.append(f"[dim]{escape(inert(known[key].text))}[/]")
        self.query_one("#reply", Static).update("\n".join(lines))
        self._dirty = True

    def action_brief(self) -> None:
        from .round_brief import RoundBriefScreen

        self.app.push_screen(RoundBriefScreen(self.run))

    # Ending

    async def action_finish(self) -> None:
        await self.typed()

        def answered(yes: bool | None) -> None:
            if yes:
                self._finish()

        self.app.push_screen(ConfirmScreen("Finish the round now and see the results?"), answered)

    def _finish(self) -> None:
        if self._done:
            return
        self._done = True
        from .round_results import RoundResultsScreen

        self.app.switch_screen(RoundResultsScreen(self.run, self.round_id))

    async def action_leave(self) -> None:
        await self.typed()

        def answered(yes: bool | None) -> None:
            if yes:
                self._done = True
                self.run.stop()
                # Saved here, not by a worker: the app may be about to exit.
                save_round(self.app.workspace.collection, self.run, self.round_id)
                self.app.notify("Round paused: resume it from the rounds list.", timeout=5)
                self.app.leave_rounds()

        self.app.push_screen(
            ConfirmScreen("Pause the round? Its notes are kept, and it can be resumed later."),
            answered,
        )

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self, "Mock round: keys"))
