"""The Textual app. `FlashcardsApp(workspace)` builds it without running it (tests, snapshots)."""

from __future__ import annotations

import os
import shlex
import subprocess

from textual import work
from textual.app import App, SuspendNotSupported
from textual.binding import Binding

from ..workspace import Workspace
from .screens.review import ReviewScreen

# The home and exam screens are imported where they are first shown: `flashcards review`
# needs neither before its first card is on screen.

__all__ = ["FlashcardsApp"]


class FlashcardsApp(App):
    TITLE = "flashcards"
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True)]

    def __init__(
        self,
        workspace: Workspace,
        start: str = "home",
        deck_ids: list[int] | None = None,
        exam=None,
        note: str | None = None,
        round_run=None,
        round_id: int | None = None,
        minutes: float | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.start = start
        self.start_deck_ids = deck_ids
        self.start_exam_session = exam
        self.start_note = note
        self.start_round_run = round_run  # a RoundRun begun by `flashcards round TITLE`
        self.start_round_id = round_id
        self.start_minutes = minutes  # `flashcards round --minutes`, for the one picked
        self._preloaded = False

    def on_mount(self) -> None:
        for warning in self.workspace.warnings:
            self.notify(warning, severity="warning", timeout=10)
        # Started on a review or an exam, the home screen is built when it is first wanted
        # (`pop_to_home`), not beneath: the first card comes up sooner.
        if self.start == "review":
            self.start_review(self.start_deck_ids)
        elif self.start == "exam":
            from .screens.exam import ExamScreen

            self.push_screen(ExamScreen(self.start_exam_session, self.start_note))
        elif self.start == "round" and self.start_round_run and self.start_round_id is not None:
            self.open_round(self.start_round_run, self.start_round_id)
        elif self.start == "round":
            self.open_round_picker()
        else:
            from .screens.home import HomeScreen

            self.push_screen(HomeScreen())

    def preload(self) -> None:
        """Once the home screen is up, import the statistics screen and the browser in the
        background (plotext alone takes about 80 ms to import) and compile the statistics'
        statements, so that `t` and `/` do not make the user wait for them."""
        if not self._preloaded:
            self._preloaded = True
            self._import_screens()

    @work(thread=True, exit_on_error=False, group="preload")
    def _import_screens(self) -> None:
        import importlib

        for module in (".screens.stats", ".screens.browser", "..stats.figures", "..search"):
            importlib.import_module(module, __package__)
        from ..stats.figures import compile_statements

        compile_statements(self.workspace.collection.engine.dialect)

    def start_exam(
        self, deck_ids: list[int] | None = None, card_ids: list[int] | None = None
    ) -> None:
        """An exam with the default settings (20 questions, no time limit); on `card_ids`,
        one question for each of those cards. When an exam was left unfinished, first ask
        whether to resume it, finish it as scored so far, or start anew."""
        from ..study.exam import discard_exam, unfinished_exam

        left = unfinished_exam(self.workspace.collection)
        if left is None:
            self._new_exam(deck_ids, card_ids)
            return
        from .formatting import local_when
        from .screens.exam_resume import ResumeExamScreen

        when = local_when(left.started_at, self.workspace.zone, self.workspace.clock.now())
        question = f"Resume the exam started {when} ({left.answered}/{left.count} answered)?"

        def chosen(choice: str | None) -> None:
            if choice == "new":
                discard_exam(self.workspace.collection, left.exam_id)
                self._new_exam(deck_ids, card_ids)
            elif choice in ("resume", "finish"):
                self.resume_exam(left.exam_id, finish=choice == "finish")

        self.push_screen(ResumeExamScreen(question), chosen)

    def resume_exam(self, exam_id: int, finish: bool = False) -> None:
        """Go on with an unfinished exam where it was left, or show its results as scored."""
        from ..study.exam import resume_exam
        from .screens.exam import ExamScreen

        workspace = self.workspace
        session = resume_exam(workspace.collection, workspace.config, workspace.clock, exam_id)
        self.push_screen(ExamScreen(session, finish_at_once=finish))

    def _new_exam(self, deck_ids: list[int] | None, card_ids: list[int] | None = None) -> None:
        from ..study.exam import ExamError, ExamSpec

        spec = ExamSpec(deck_ids=deck_ids)
        if card_ids:
            spec = ExamSpec(card_ids=tuple(card_ids), count=len(card_ids))
        try:
            session, note = self.workspace.new_exam(spec)
        except ExamError as exc:
            self.notify(str(exc), severity="error")
            return
        from .screens.exam import ExamScreen

        self.push_screen(ExamScreen(session, note))

    def open_round_picker(self) -> None:
        from .screens.round_picker import RoundPickerScreen

        self.push_screen(RoundPickerScreen(self.start_minutes))

    def open_round(self, run, round_id: int) -> None:
        """Show a round in progress (new or resumed) in place of the list it was chosen from."""
        from .screens.round import RoundScreen
        from .screens.round_picker import RoundPickerScreen

        if isinstance(self.screen, RoundPickerScreen):
            self.switch_screen(RoundScreen(run, round_id))
        else:
            self.push_screen(RoundScreen(run, round_id))

    def start_review(self, deck_ids: list[int] | None) -> None:
        self.push_screen(ReviewScreen(deck_ids))

    def open_in_editor(self, file: str, line: int) -> bool:
        """Hand the terminal to $VISUAL / $EDITOR at the file's line; True once it has closed."""
        editor = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")
        command = [*editor, f"+{line}", file]
        try:
            try:
                with self.suspend():
                    subprocess.run(command, check=False)
            except SuspendNotSupported:
                if not self.is_headless:
                    self.notify("This terminal cannot hand over to an editor.", severity="error")
                    return False
                subprocess.run(command, check=False)  # headless: no terminal to hand over
        except OSError as exc:
            self.notify(f"Could not start the editor {editor[0]}: {exc}", severity="error")
            return False
        return True

    def leave_rounds(self) -> None:
        """Done with the rounds: back to the shell when `flashcards round` started the app,
        else home."""
        if self.start == "round":
            self.exit()
        else:
            self.pop_to_home()

    def pop_to_home(self) -> None:
        from .screens.home import HomeScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
        if not isinstance(self.screen, HomeScreen):
            self.push_screen(HomeScreen())
