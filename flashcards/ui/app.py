"""The Textual app. `FlashcardsApp(workspace)` builds it without running it (tests, snapshots)."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from ..workspace import Workspace
from .screens.home import HomeScreen
from .screens.review import ReviewScreen

__all__ = ["FlashcardsApp"]


class FlashcardsApp(App[None]):
    TITLE = "flashcards"
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True)]

    def __init__(
        self,
        workspace: Workspace,
        start: str = "home",
        deck_ids: list[int] | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.start = start
        self.start_deck_ids = deck_ids

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())
        if self.start == "review":
            self.start_review(self.start_deck_ids)

    def start_review(self, deck_ids: list[int] | None) -> None:
        self.push_screen(ReviewScreen(deck_ids))

    def pop_to_home(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
