"""What can be done to one deck from the home screen: hide it, or remove it (after asking, and
after a backup that keeps its history). The work is the workspace's; this only asks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from ...terminal_text import inert
from .confirm import ConfirmScreen

if TYPE_CHECKING:
    from textual import getters

    from ..app import FlashcardsApp


class DeckActionsScreen(ModalScreen[str | None]):
    """Dismisses with a note of what was done, or None when nothing was."""

    if TYPE_CHECKING:
        app = getters.app(FlashcardsApp)  # typed as BaseScreen's is

    DEFAULT_CSS = """
    DeckActionsScreen { align: center middle; }
    DeckActionsScreen > Vertical {
        width: 64; max-width: 95%; height: auto; border: round $primary;
        background: $surface; padding: 1 2;
    }
    DeckActionsScreen #keys { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("h", "hide", "Hide", id="deck.hide"),
        Binding("d", "remove", "Remove", id="deck.remove"),
        Binding("escape,q", "cancel", "Cancel", id="deck.cancel"),
    ]

    @dataclass
    class Done(Message):
        note: str

    @dataclass
    class Loaded(Message):
        name: str
        cards: int
        reviews: int

    def __init__(self, deck_id: int) -> None:
        super().__init__()
        self.deck_id = deck_id
        self.deck_name = ""
        self.cards = 0
        self.busy = True  # until the deck is read, and while a change is made

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Deck: …", id="deck", markup=False)
            yield Static(
                "Hide it: it leaves home, study all and exams; its cards stay, and "
                "`flashcards decks unhide NAME` brings it back.\n"
                "Remove it: its cards and their history are deleted, after a backup that "
                "keeps them."
            )
            yield Static("[b]h[/b] hide    [b]d[/b] remove…    [b]Esc[/b] cancel", id="keys")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="deck")
    def load(self) -> None:
        from ...study.decks import deck_by_id

        deck = deck_by_id(self.app.workspace.collection, self.deck_id)
        self.post_message(self.Loaded(deck.name, deck.cards, deck.reviews))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        self.deck_name, self.cards = message.name, message.cards
        line = f"Deck: {inert(message.name)} ({message.cards} cards, {message.reviews} reviews)"
        self.query_one("#deck", Static).update(line)
        self.busy = False

    def action_cancel(self) -> None:
        if not self.busy or not self.deck_name:  # never while a change is being made
            self.dismiss(None)

    def action_hide(self) -> None:
        if not self.busy:
            self.busy = True
            self.change("hide")

    def action_remove(self) -> None:
        if self.busy:
            return
        question = f"Remove the deck '{inert(self.deck_name)}' and its {self.cards} cards?\n\n" + (
            "Their review history goes too; a backup made first keeps it "
            "(`flashcards restore` lists it)."
            if self.app.workspace.makes_backups
            else "Their review history goes too. No backup is made on a PostgreSQL server: "
            "take one with pg_dump first if you may want it back."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.busy = True
                self.change("remove")

        self.app.push_screen(ConfirmScreen(question), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="deck")
    def change(self, action: str) -> None:
        workspace = self.app.workspace
        if action == "hide":
            note = workspace.hide_deck(self.deck_id)
        else:
            made = workspace.remove_deck(self.deck_id)
            note = f"Removed: {self.deck_name}." + (
                f" Its history is kept in {made.path.name}." if made is not None else ""
            )
        self.post_message(self.Done(note))

    @on(Done)
    def done(self, message: Done) -> None:
        self.dismiss(message.note)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.busy = False
            error = event.worker.error
            self.notify(inert(str(error)), title="Nothing was changed", severity="error")
