"""Asked before a new exam when one was left unfinished: resume it, finish it as scored so far,
or set it aside for a new one. Dismisses with "resume", "finish", "new", or None (Escape)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ResumeExamScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    ResumeExamScreen { align: center middle; }
    ResumeExamScreen > Vertical {
        width: 64; max-width: 95%; height: auto; border: round $warning;
        background: $surface; padding: 1 2;
    }
    ResumeExamScreen #keys { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("r", "choose('resume')", "Resume the exam", id="resume.resume"),
        Binding("f", "choose('finish')", "Finish it as scored so far", id="resume.finish"),
        Binding(
            "n",
            "choose('new')",
            "Start a new exam (the unfinished one is removed)",
            id="resume.new",
        ),
        Binding("escape", "choose(None)", "Back", id="resume.back"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question)
            yield Static(
                "[b]r[/b] resume    [b]f[/b] finish it as scored so far\n"
                "[b]n[/b] new exam (removes the unfinished one)    [b]Esc[/b] back",
                id="keys",
            )

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
