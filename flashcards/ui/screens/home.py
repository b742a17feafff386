"""Home: every deck with today's counts, the totals, the streak and the next due card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from ...clock import Clock
from ...scheduling.queue import Overview
from ...terminal_text import inert
from ..formatting import local_when
from ..widgets.keybar import KeyBar
from .base import BaseScreen

DECK_COLUMNS = [
    ("Deck", "deck"),
    ("New", "new"),
    ("Learn", "learning"),
    ("Due", "due"),
    ("Cards", "cards"),
]


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
        Binding("m", "rounds", "Mock round", id="home.rounds"),
        Binding("t", "stats", "Statistics", id="home.stats"),
        # At once (priority) and awaited: the query typed ahead goes to the browser's field.
        Binding("slash", "browse", "Browse", key_display="/", id="home.browse", priority=True),
        Binding("question_mark", "help", "Help", key_display="?", id="home.help"),
        Binding("r", "refresh", "Refresh", id="home.refresh", show=False),
        Binding("d", "deck_actions", "Hide or remove deck", id="home.deck", show=False),
        Binding("q", "quit", "Quit", id="home.quit"),
    ]

    @dataclass
    class Loaded(Message):
        overview: Overview
        day_ends: datetime  # the figures change then: the new day's limits

    deck_count: int | None = None  # decks with cards in use, once the overview is read
    # How often the screen looks at the clock for a learning card coming due or the study day
    # rolling over (a comparison, no database); the workspace's clock, so tests can move it.
    CLOCK_CHECK_SECONDS = 5.0
    refresh_at: datetime | None = None  # when the figures shown change by themselves
    _rows_shown: list[tuple] | None = None

    def compose(self) -> ComposeResult:
        yield Static("flashcards · ML system design interview", id="title")
        yield Static("Loading…", id="summary")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Static("", id="hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.action_refresh()
        self.set_interval(self.CLOCK_CHECK_SECONDS, self._check_clock)

    def _check_clock(self) -> None:
        """Read the figures again once a learning card has come due or a new day has begun."""
        due = self.refresh_at
        if due is not None and self.is_current and self.app.workspace.clock.now() >= due:
            self.refresh_at = None
            self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="home")
    def load(self) -> None:
        workspace = self.app.workspace
        self.post_message(self.Loaded(workspace.overview(), workspace.today().end))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        overview = message.overview
        self.deck_count = len(overview.decks)
        workspace = self.app.workspace
        self.show_decks(overview)
        self.query_one("#summary", Static).update(
            summary_text(overview, workspace.config.new_per_day, workspace.zone, workspace.clock)
        )
        moments = [message.day_ends, overview.next_due]
        self.refresh_at = min(moment for moment in moments if moment is not None)
        if not overview.decks:
            hint = "No decks yet: import some with `flashcards import PATH`."
        elif overview.new + overview.learning + overview.due == 0:
            hint = "All done for today."
        else:
            hint = "Enter studies the selected deck; a studies all decks."
        self.query_one("#hint", Static).update(hint)
        self.app.preload()

    def show_decks(self, overview: Overview) -> None:
        """One row a deck. The table is rebuilt only when a figure has changed: the screen
        reads its figures on opening and on resuming, often twice with the same result, and
        redrawing it flickers. The columns' widths are set from the cells: left to the table
        to measure, a snapshot at 60 columns now and then caught the deck names cut to the
        width of the word "Deck"."""
        rows = [
            (str(c.deck.id), inert(c.deck.name), c.new, c.learning, c.due, c.total)
            for c in overview.decks
        ]
        if rows == self._rows_shown:
            return
        self._rows_shown = rows
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        for index, (label, key) in enumerate(DECK_COLUMNS, start=1):
            width = max([cell_len(label)] + [cell_len(str(row[index])) for row in rows])
            table.add_column(label, key=key, width=width)
        for key, name, *figures in rows:
            table.add_row(Text(name), *(str(figure) for figure in figures), key=key)
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))

    def _selected_deck(self) -> int | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None  # each row is keyed by its deck's id

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

    def action_rounds(self) -> None:
        self.app.open_round_picker()

    async def action_browse(self) -> None:
        from .browser import BrowserScreen

        await self.app.push_screen(BrowserScreen())

    def action_stats(self) -> None:
        from .stats import StatsScreen

        self.app.push_screen(StatsScreen(decks=self.deck_count))

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self, "Home: keys"))

    async def action_quit(self) -> None:
        self.app.exit()


def summary_text(overview: Overview, new_per_day: int, zone: tzinfo, clock: Clock) -> str:
    """The lines above the decks: what "Study all" brings now (the overall limits applied, so
    it is less than the decks' figures added up when a limit holds cards back), the streak,
    and when the next card comes due."""
    learning = f"[b]{overview.learning}[/b] learning"
    if overview.learning_now:
        learning += f" ({overview.learning_now} now)"
    lines = [
        f"Study all: [b]{overview.new}[/b] new · {learning} · [b]{overview.due}[/b] due · "
        f"{overview.reviews_today} answered today"
    ]
    held_back = overview.new_waiting - overview.new
    if held_back > 0:
        lines.append(
            f"New cards: {new_per_day} a day over all decks; {held_back} more wait for later days."
        )
    streak = overview.streak_days
    when = local_when(overview.next_due, zone, clock.now())
    next_due = "now" if overview.learning_now else when
    lines.append(f"Streak: [b]{streak}[/b] day{'s' * (streak != 1)} · next due: {next_due}")
    return "\n".join(lines)
