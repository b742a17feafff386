"""Home: every deck with today's counts, the totals, the streak and the next due card."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from ...scheduling.queue import Overview
from ...terminal_text import inert
from ..formatting import local_when
from ..widgets.keybar import KeyBar
from .base import BaseScreen


class HomeScreen(BaseScreen):
    DEFAULT_CSS = """
    HomeScreen #title { text-style: bold; padding: 0 1; background: $primary; color: $text; }
    HomeScreen #summary { padding: 1 1 0 1; height: auto; }
    HomeScreen #hint { padding: 0 1; color: $text-muted; height: auto; }
    HomeScreen DataTable { height: 1fr; margin: 1 0 0 0; }
    """
    BINDINGS = [
        Binding("enter", "study_selected", "Study deck", id="home.study", priority=True),
        Binding("a", "study_all", "Study all", id="home.study_all"),
        Binding("x", "exam", "Exam", id="home.exam"),
        Binding("t", "stats", "Statistics", id="home.stats"),
        Binding("slash", "browse", "Browse", key_display="/", id="home.browse"),
        Binding("question_mark", "help", "Help", key_display="?", id="home.help"),
        Binding("r", "refresh", "Refresh", id="home.refresh", show=False),
        Binding("d", "deck_actions", "Hide or remove deck", id="home.deck", show=False),
        Binding("q", "quit", "Quit", id="home.quit"),
    ]

    @dataclass
    class Loaded(Message):
        overview: Overview

    deck_count: int | None = None  # decks with cards in use, once the overview is read

    def compose(self) -> ComposeResult:
        yield Static("flashcards · ML system design interview", id="title")
        yield Static("Loading…", id="summary")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Static("", id="hint")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Deck", key="deck")
        table.add_column("New", key="new")
        table.add_column("Learn", key="learning")
        table.add_column("Due", key="due")
        table.add_column("Cards", key="cards")
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="home")
    def load(self) -> None:
        self.post_message(self.Loaded(self.app.workspace.overview()))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        overview = message.overview
        self.deck_count = len(overview.decks)
        workspace = self.app.workspace
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for counts in overview.decks:
            table.add_row(
                Text(inert(counts.deck.name)),
                str(counts.new),
                str(counts.learning),
                str(counts.due),
                str(counts.total),
                key=str(counts.deck.id),
            )
        if overview.decks:
            table.move_cursor(row=min(cursor, len(overview.decks) - 1))
        streak = overview.streak_days
        next_due = local_when(overview.next_due, workspace.zone, workspace.clock.now())
        self.query_one("#summary", Static).update(
            f"Today: [b]{overview.new}[/b] new · [b]{overview.learning}[/b] learning · "
            f"[b]{overview.due}[/b] due · {overview.reviews_today} answered\n"
            f"Streak: [b]{streak}[/b] day{'s' * (streak != 1)} · next due: {next_due}"
        )
        if not overview.decks:
            hint = "No decks yet: import some with `flashcards import PATH`."
        elif overview.new + overview.learning + overview.due == 0:
            hint = "All done for today."
        else:
            hint = "Enter studies the selected deck; a studies all decks."
        self.query_one("#hint", Static).update(hint)
        self.app.preload()

    def _selected_deck(self) -> int | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value)

    def action_study_selected(self) -> None:
        deck_id = self._selected_deck()
        if deck_id is not None:
            self.app.start_review([deck_id])

    def action_deck_actions(self) -> None:
        from .deck_actions import DeckActionsScreen

        deck_id = self._selected_deck()
        if deck_id is None:
            return

        def done(note: str | None) -> None:
            if note:
                self.notify(inert(note), markup=False)
                self.action_refresh()

        self.app.push_screen(DeckActionsScreen(deck_id), done)

    def action_study_all(self) -> None:
        self.app.start_review(None)

    def action_exam(self) -> None:
        self.app.start_exam(None)

    def action_browse(self) -> None:
        from .browser import BrowserScreen

        self.app.push_screen(BrowserScreen())

    def action_stats(self) -> None:
        from .stats import StatsScreen

        self.app.push_screen(StatsScreen(decks=self.deck_count))

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self, "Home: keys"))

    async def action_quit(self) -> None:
        self.app.exit()
