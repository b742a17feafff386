"""The card browser: search the collection, look at the cards found, change them by hand.

The search runs in a thread worker as you type (after a short pause) and on Enter; the table
holds only the rows looked at so far and loads the next page as the cursor nears its end, so
it stays quick on a collection of any size. The query language is in docs/search.md.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from ...review_rules import CardState
from ...scheduling.scheduler import format_interval
from ...search import BrowserRow, SearchError, fetch_rows, search
from ...study.manage import all_suspended, reschedule_today, reset_to_new, suspend, unsuspend
from ...terminal_text import inert
from ..formatting import one_line
from ..typed_ahead import TextField, caught_up, skip_if_typing
from ..widgets.keybar import KeyBar
from .base import BaseScreen
from .confirm import ConfirmScreen

__all__ = ["BrowserScreen"]

PAGE = 200  # rows fetched at a time
LOAD_AHEAD = 40  # fetch the next page when the cursor comes this close to the last loaded row
DEBOUNCE_SECONDS = 0.15
# Widths of the columns after the front (mark, deck, due, interval, recall, lapses); the front
# takes what is left.
WIDTHS = {"mark": 2, "deck": 12, "due": 10, "interval": 5, "recall": 4, "lapses": 3}
MIN_FRONT = 20


def compact_due(row: BrowserRow, zone: tzinfo, now: datetime) -> str:
    """'new' for a card never studied, the time for today, otherwise the local date."""
    if row.state == CardState.NEW:
        return "new"
    local = row.due.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d")


def row_cells(row: BrowserRow, selected: bool, front_width: int, zone: tzinfo, now: datetime):
    """The table cells of one card. Card text is made inert and given as Text, so that
    brackets in it are shown as written instead of being read as markup."""
    flag = "L" if row.leech else "S" if row.suspended else "B" if row.buried else " "
    mark = Text(("●" if selected else " ") + flag, style="bold")
    style = "dim" if row.suspended or row.buried else ""
    recall = "–" if row.retrievability is None else f"{round(row.retrievability * 100)}%"
    return (
        mark,
        Text(one_line(inert(row.front), front_width), style=style),
        Text(one_line(inert(row.deck_name), WIDTHS["deck"]), style=style),
        compact_due(row, zone, now),
        "–" if row.interval is None else format_interval(row.interval),
        recall,
        str(row.lapses),
    )


# The table's own keys (the cursor's moves), run by the screen as well: see BINDINGS.
TABLE_KEYS = [
    binding
    for binding in DataTable.BINDINGS
    if isinstance(binding, Binding) and binding.key not in ("enter", "down")
]


class BrowserScreen(BaseScreen):
    DEFAULT_CSS = """
    BrowserScreen #query { margin: 0; }
    BrowserScreen #status { height: 1; padding: 0 1; color: $text-muted; }
    BrowserScreen #status.error { color: $error; text-style: bold; }
    BrowserScreen DataTable { height: 1fr; }
    """
    # Every key is a priority binding, run as it is read, so that keys typed ahead act in
    # order (flashcards.ui.typed_ahead); a letter is text while the query has the focus.
    BINDINGS = [
        Binding("enter", "enter", "Card detail", id="browser.open", show=False, priority=True),
        Binding("space", "toggle_mark", "Select", key_display="Space", id="browser.toggle",
                priority=True),
        Binding("a", "select_all", "Select all matches (again: none)", id="browser.select_all",
                show=False, priority=True),
        Binding("s", "suspend", "Suspend / unsuspend", id="browser.suspend", priority=True),
        Binding("r", "reset", "Reset to new (asks first)", id="browser.reset", show=False,
                priority=True),
        Binding("t", "reschedule", "Reschedule to today", id="browser.reschedule", show=False,
                priority=True),
        Binding("e", "edit", "Edit the card's file in $EDITOR", id="browser.edit", show=False,
                priority=True),
        Binding("slash", "focus_query", "Search", key_display="/", id="browser.search",
                priority=True),
        Binding("down", "down", "Go to the results", id="browser.results", show=False,
                priority=True),
        Binding("question_mark", "help", "Help", key_display="?", id="browser.help",
                priority=True),
        Binding("escape", "back", "Back", key_display="Esc", id="browser.back", priority=True),
        Binding("q", "leave", "Back", id="browser.back_q", show=False, priority=True),
        # The table's cursor keys, without a description: the help lists the browser's own.
        *[
            Binding(b.key, f"in_table({b.action!r})", show=False, priority=True)
            for b in TABLE_KEYS
        ],
    ]  # fmt: skip

    @dataclass
    class Found(Message):
        """A search finished: every matching id, and the rows of the first page."""

        generation: int
        ids: list[int]
        rows: list[BrowserRow]
        cursor: int | None  # the row to put the cursor on; None: the top

    @dataclass
    class Failed(Message):
        """The query could not be parsed."""

        generation: int
        error: str

    @dataclass
    class PageLoaded(Message):
        generation: int
        start: int
        rows: list[BrowserRow]

    @dataclass
    class ActionDone(Message):
        note: str

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial_query = query
        self.generation = 0  # bumped by every search, so late answers are ignored
        self.ids: list[int] = []  # every match, in order
        self.rows: list[BrowserRow] = []  # the loaded ones, rows[i] is table row i
        self.selected: set[int] = set()
        self.error: str | None = None
        self.loading_page = False
        self.busy = False  # an action is running
        self._debounce: Timer | None = None  # a search waiting for a pause in typing
        self.shown = 0  # the generation of the results on screen
        self.searched: str | None = None  # the query of the last search started
        self._answered = asyncio.Event()  # the last search started has answered (or failed)

    def compose(self) -> ComposeResult:
        yield TextField(
            self.initial_query,
            placeholder="Search: words, deck:, tag:, topic:, is:due, r<0.8, lapses>3, or, -",
            id="query",
        )
        yield Static("Searching…", id="status")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("", key="mark", width=WIDTHS["mark"])
        table.add_column("Front", key="front", width=self.front_width)
        table.add_column("Deck", key="deck", width=WIDTHS["deck"])
        table.add_column("Due", key="due", width=WIDTHS["due"])
        table.add_column("Ivl", key="interval", width=WIDTHS["interval"])
        table.add_column("R", key="recall", width=WIDTHS["recall"])
        table.add_column("Lap", key="lapses", width=WIDTHS["lapses"])
        self.set_focus(self.query_one(Input))  # at once: keys typed ahead of the screen go there
        self.run_search()

    @property
    def results_current(self) -> bool:
        """Whether the rows on screen are the results of the query as typed: it has been
        searched for, and no search has answered since they were shown."""
        return self.query_one(Input).value == self.searched and self.shown == self.generation

    @property
    def front_width(self) -> int:
        # Each column has one cell of padding on both sides; leave room for the scrollbar.
        others = sum(WIDTHS.values()) + 2 * (len(WIDTHS) + 1) + 2
        return max(MIN_FRONT, self.app.size.width - others)

    # Searching ---------------------------------------------------------------------------

    @on(Input.Changed, "#query")
    def query_changed(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        if self.query_one(Input).value != self.searched:  # not searched already (by Enter)
            self._debounce = self.set_timer(DEBOUNCE_SECONDS, self.run_search)

    async def results(self) -> None:
        """Before a key for the rows: give way when the query has the focus (the key is text),
        else wait for the results of the query as typed. The key acts on those, not on the
        rows of the query before, when it was typed ahead of the search."""
        skip_if_typing(self)
        if self.query_one(Input).value != self.searched:
            self.run_search()  # no need to wait for a pause in typing any more
        await self._answered.wait()

    def run_search(self, keep_cursor: bool = False) -> None:
        """Search again; with `keep_cursor` (after changing cards) the cursor stays put."""
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        self.generation += 1
        self._answered.clear()
        self.loading_page = False
        cursor = self.query_one(DataTable).cursor_row if keep_cursor else None
        self.searched = self.query_one(Input).value
        self.search_cards(self.searched, self.generation, cursor)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def search_cards(self, query: str, generation: int, cursor: int | None) -> None:
        workspace = self.app.workspace
        now = workspace.clock.now()
        try:
            ids = search(
                workspace.collection,
                query,
                workspace.today(),
                now,
                parameters=workspace.parameters,
            )
        except SearchError as error:
            self.post_message(self.Failed(generation, str(error)))
            return
        count = max(PAGE, (cursor or 0) + LOAD_AHEAD)
        rows = fetch_rows(workspace.collection, ids[:count], now, workspace.parameters)
        self.post_message(self.Found(generation, ids, rows, cursor))

    @work(thread=True, exit_on_error=False, group="page")
    def load_page(self, generation: int, start: int, page: list[int]) -> None:
        workspace = self.app.workspace
        rows = fetch_rows(workspace.collection, page, workspace.clock.now(), workspace.parameters)
        self.post_message(self.PageLoaded(generation, start, rows))

    @on(Found)
    def show_found(self, message: Found) -> None:
        if message.generation != self.generation:
            return
        table = self.query_one(DataTable)
        cursor = message.cursor or 0
        self.error = None
        self.ids = message.ids
        if self.selected:
            self.selected &= set(message.ids)
        self.rows = []
        table.clear()
        self.add_rows(message.rows)
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1), animate=False)
        self.show_status()
        self.shown = message.generation
        self._answered.set()

    @on(Failed)
    def show_failure(self, message: Failed) -> None:
        if message.generation == self.generation:
            self.error = message.error
            self.show_status()
            self.shown = message.generation
            self._answered.set()  # the keys for the rows act on the results still shown

    @on(PageLoaded)
    def show_page(self, message: PageLoaded) -> None:
        if message.generation != self.generation:
            return
        self.loading_page = False
        if message.start == len(self.rows):
            self.add_rows(message.rows)
            self.show_status()

    def add_rows(self, rows: list[BrowserRow]) -> None:
        table = self.query_one(DataTable)
        workspace = self.app.workspace
        now = workspace.clock.now()
        width = self.front_width
        for row in rows:
            cells = row_cells(row, row.id in self.selected, width, workspace.zone, now)
            table.add_row(*cells, key=str(row.id))
        self.rows.extend(rows)

    @on(DataTable.RowHighlighted)
    def maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        loaded = len(self.rows)
        if self.loading_page or loaded >= len(self.ids):
            return
        if event.cursor_row >= loaded - LOAD_AHEAD:
            self.loading_page = True
            self.load_page(self.generation, loaded, self.ids[loaded : loaded + PAGE])

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:  # a click on the row under the cursor
        self.open_card()

    def show_status(self) -> None:
        status = self.query_one("#status", Static)
        status.set_class(self.error is not None, "error")
        if self.error is not None:
            status.update(Text(self.error))
            return
        count = len(self.ids)
        parts = [f"{count:,} card{'s' * (count != 1)}"]
        if self.selected:
            parts.append(f"{len(self.selected):,} selected")
        if len(self.rows) < count:
            parts.append(f"{len(self.rows):,} loaded")
        status.update(" · ".join(parts))

    # Selection and actions --------------------------------------------------------------

    def cursor_card(self) -> BrowserRow | None:
        table = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def targets(self) -> list[int]:
        """The selected cards, or else the one under the cursor."""
        if self.selected:
            return [card_id for card_id in self.ids if card_id in self.selected]
        card = self.cursor_card()
        return [] if card is None else [card.id]

    def redraw_mark(self, index: int) -> None:
        row = self.rows[index]
        workspace = self.app.workspace
        cells = row_cells(row, row.id in self.selected, 0, workspace.zone, workspace.clock.now())
        self.query_one(DataTable).update_cell(str(row.id), "mark", cells[0])

    async def action_toggle_mark(self) -> None:
        await self.results()
        card = self.cursor_card()
        if card is None:
            return
        self.selected.symmetric_difference_update({card.id})
        table = self.query_one(DataTable)
        index = table.cursor_row
        self.redraw_mark(index)
        table.move_cursor(row=index + 1)
        self.show_status()

    async def action_select_all(self) -> None:
        """Every match, loaded or not; when all are selected already, none."""
        await self.results()
        if self.ids and len(self.selected) == len(self.ids):
            self.selected.clear()
        else:
            self.selected = set(self.ids)
        for index in range(len(self.rows)):
            self.redraw_mark(index)
        self.show_status()

    async def action_enter(self) -> None:
        """Enter in the query: search at once and go to the results; in the results: open the
        card under the cursor."""
        if isinstance(self.focused, Input):
            await self.to_results()
        else:
            await self.results()
            self.open_card()

    def open_card(self) -> None:
        card = self.cursor_card()
        if card is not None:
            from .card_detail import CardDetailScreen

            self.app.push_screen(CardDetailScreen(card.id))

    async def action_suspend(self) -> None:
        await self.results()
        self.start_action(self.toggle_suspended)

    async def action_reschedule(self) -> None:
        await self.results()
        self.start_action(self.reschedule_to_today)

    async def action_reset(self) -> None:
        await self.results()
        ids = self.targets()
        if not ids or self.busy:
            return
        cards = f"{len(ids):,} card{'s' * (len(ids) != 1)}"
        question = (
            f"Reset {cards} to new?\n\nTheir schedule is forgotten (stability, difficulty, "
            "reps, lapses); the review history is kept."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.start_action(self.reset_cards, ids)

        self.app.push_screen(ConfirmScreen(question), answered)

    async def action_edit(self) -> None:
        await self.results()
        card = self.cursor_card()
        if card is None or self.busy:
            return
        if self.app.open_in_editor(card.source_file, card.source_line):
            self.busy = True
            self.change_cards(functools.partial(self.reimport, card.source_file))

    def start_action(
        self, change: Callable[[list[int]], str], ids: list[int] | None = None
    ) -> None:
        """Apply `change` to the marked cards (or the one under the cursor) off the UI thread."""
        ids = ids if ids is not None else self.targets()
        if ids and not self.busy:
            self.busy = True
            self.change_cards(functools.partial(change, ids))

    @work(thread=True, exit_on_error=False, group="action")
    def change_cards(self, change: Callable[[], str]) -> None:
        """Run one change to the collection in a worker; the note it returns is shown after."""
        self.post_message(self.ActionDone(change()))

    # The changes, each run in the worker and returning the note that tells what it did.

    def toggle_suspended(self, ids: list[int]) -> str:
        """Unsuspend the cards if all of them are suspended, otherwise suspend them."""
        collection, now = self.app.workspace.collection, self.app.workspace.clock.now()
        if all_suspended(collection, ids):
            return f"Unsuspended {_cards(unsuspend(collection, ids, now))}."
        return f"Suspended {_cards(suspend(collection, ids, now))}."

    def reset_cards(self, ids: list[int]) -> str:
        workspace = self.app.workspace
        day = workspace.today().date.toordinal()
        changed = reset_to_new(workspace.collection, ids, workspace.clock.now(), day=day)
        return f"Reset {_cards(changed)} to new."

    def reschedule_to_today(self, ids: list[int]) -> str:
        workspace = self.app.workspace
        day = workspace.today().date.toordinal()
        changed = reschedule_today(workspace.collection, ids, workspace.clock.now(), day=day)
        return f"Rescheduled {_cards(changed)} to today."

    def reimport(self, file: str) -> str:
        """Import a deck file again after it was changed in the editor."""
        problems = self.app.workspace.reimport(file)
        if problems:
            return "The deck has errors, so it was not re-imported:\n" + "\n".join(problems[:5])
        return "Re-imported the deck."

    @on(ActionDone)
    def action_done(self, message: ActionDone) -> None:
        self.busy = False
        self.notify(inert(message.note), markup=False)
        self.run_search(keep_cursor=True)

    def on_worker_failed(self) -> None:
        self.busy = False
        self.loading_page = False
        self._answered.set()  # no keys wait for a search that failed

    # Moving around ----------------------------------------------------------------------

    async def action_down(self) -> None:
        """From the query to the results; in the results, the cursor one row down."""
        if isinstance(self.focused, Input):
            await self.to_results(search=False)
        else:
            await self.action_in_table("cursor_down")

    async def action_in_table(self, action: str) -> None:
        """One of the table's cursor keys, on the results of the query as typed; in the
        query, the query's own (Home, End, Left, Right)."""
        table = self.query_one(DataTable)
        if self.focused is not table:
            raise SkipAction()
        await self.results()
        await table.run_action(action)

    async def to_results(self, search: bool = True) -> None:
        """Leave the query for the results, once it holds what was typed: searching at once
        (Enter), or only if it has not been searched for yet (Down)."""
        await caught_up(self.query_one(Input))
        if search or self.query_one(Input).value != self.searched:
            self.run_search()
        self.set_focus(self.query_one(DataTable))

    def action_focus_query(self) -> None:
        skip_if_typing(self)
        self.set_focus(self.query_one(Input))

    def action_help(self) -> None:
        skip_if_typing(self)
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self, "Browser: keys (search syntax: docs/search.md)"))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_leave(self) -> None:  # q: Escape's twin, but a letter
        skip_if_typing(self)
        self.app.pop_screen()


def _cards(count: int) -> str:
    return f"{count:,} card{'s' * (count != 1)}"
