"""One card in full: front and back, its FSRS memory state now, and every review it had."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Markdown, Rule, Static

from ...review_rules import CardState, Rating, topic_label
from ...scheduling.scheduler import format_interval
from ...search import CardDetail, HistoryEntry, card_detail
from ...terminal_text import inert
from ..formatting import card_markdown, local_when, seconds_taken
from ..widgets.keybar import KeyBar
from .base import BaseScreen

__all__ = ["CardDetailScreen"]


def _named(kind: type[CardState] | type[Rating], value: int) -> str:
    """A state's or a rating's name ("Relearning", "Good"); the bare number if it has none."""
    try:
        return kind(value).name.capitalize()
    except ValueError:
        return str(value)


def _days(days: float) -> str:
    return "–" if days <= 0 else format_interval(timedelta(days=days))


def history_cells(entry: HistoryEntry, zone: tzinfo) -> tuple[str, ...]:
    """When (local time), rating, state before, interval before and after, time taken."""
    return (
        entry.reviewed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "Manual" if entry.manual else _named(Rating, entry.rating),
        "–" if entry.manual else _named(CardState, entry.state_before),
        _days(entry.interval_before),
        "–" if entry.manual else _days(entry.scheduled_days),
        seconds_taken(entry.duration_ms),
    )


def memory_lines(detail: CardDetail, zone: tzinfo, now: datetime) -> Text:
    """The card's state, due date and FSRS memory state, as plain text (no markup)."""
    card = detail.card
    flags = [
        name
        for name, on_ in (
            ("suspended", card.suspended),
            ("leech", card.leech),
            ("buried", card.buried_until is not None and card.buried_until > now),
            ("retired", card.retired),
        )
        if on_
    ]
    state = _named(CardState, card.state)
    lapses = f"{card.lapses} lapse{'s' * (card.lapses != 1)}"
    lines = [
        f"State      {state} · {card.reps} reps · {lapses}" + "".join(f" · {f}" for f in flags)
    ]
    if card.is_new:
        lines.append("Due        new: not studied yet")
    else:
        interval = (
            "" if detail.interval is None else f" (interval {format_interval(detail.interval)})"
        )
        lines.append(f"Due        {local_when(card.due, zone, now)}{interval}")
    if card.stability is not None and card.difficulty is not None:
        recall = "–" if detail.retrievability is None else f"{detail.retrievability:.0%}"
        lines.append(
            f"Memory     stability {card.stability:.1f} days · difficulty {card.difficulty:.2f}"
            f" · recall now {recall}"
        )
    lines.append(f"Deck       {topic_label(card.deck_name, card.topic)}")
    if card.tags:
        lines.append(f"Tags       {card.tags}")
    lines.append(f"File       {Path(card.source_file).name}, line {card.source_line}")
    return Text(inert("\n".join(lines)))


class CardDetailScreen(BaseScreen):
    DEFAULT_CSS = """
    CardDetailScreen #title { height: 1; padding: 0 1; background: $primary; color: $text; }
    CardDetailScreen #body { height: 1fr; padding: 0 1; }
    CardDetailScreen Markdown { margin: 0; padding: 0; }
    CardDetailScreen Markdown > *:last-child { margin-bottom: 0; }
    CardDetailScreen Rule { margin: 0; color: $primary; }
    CardDetailScreen #memory { margin: 1 0 0 0; height: auto; }
    CardDetailScreen #history-title { margin: 1 0 0 0; text-style: bold; }
    CardDetailScreen DataTable { height: auto; }
    """
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?", id="detail.help"),
        Binding("escape,q", "back", "Back", key_display="Esc", id="detail.back"),
    ]

    @dataclass
    class Loaded(Message):
        detail: CardDetail | None

    def __init__(self, card_id: int) -> None:
        super().__init__()
        self.card_id = card_id

    def compose(self) -> ComposeResult:
        yield Static("Card", id="title")
        with VerticalScroll(id="body"):
            yield Markdown(id="front")
            yield Rule()
            yield Markdown(id="back")
            yield Static("", id="memory")
            yield Static("Review history", id="history-title")
            yield DataTable(cursor_type="none", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.can_focus = False  # the page scrolls as a whole
        for label in ("When", "Rating", "Was", "Interval", "Next", "Time"):
            table.add_column(label)
        self.query_one("#body").focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail")
    def load(self) -> None:
        workspace = self.app.workspace
        detail = card_detail(
            workspace.collection, self.card_id, workspace.clock.now(), workspace.parameters
        )
        self.post_message(self.Loaded(detail))

    @on(Loaded)
    async def show(self, message: Loaded) -> None:
        detail = message.detail
        if detail is None:
            self.notify("This card is no longer in the collection.")
            self.app.pop_screen()
            return
        workspace = self.app.workspace
        card = detail.card
        kind = {"basic": "Question", "cloze": "Fill in the blank", "choice": "Multiple choice"}
        self.query_one("#title", Static).update(
            Text(inert(f"{kind.get(card.kind, card.kind)} · {card.deck_name}"))
        )
        front, back = card_markdown(card, revealed=True)
        await self.query_one("#front", Markdown).update(front)
        await self.query_one("#back", Markdown).update(back or "")
        now = workspace.clock.now()
        self.query_one("#memory", Static).update(memory_lines(detail, workspace.zone, now))
        count = len(detail.history)
        self.query_one("#history-title", Static).update(
            f"Review history: {count} entr{'ies' if count != 1 else 'y'}"
            if count
            else "Review history: none yet"
        )
        table = self.query_one(DataTable)
        table.clear()
        for entry in detail.history:
            table.add_row(*history_cells(entry, workspace.zone))
        table.display = bool(count)

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self, "Card: keys"))

    def action_back(self) -> None:
        self.app.pop_screen()
