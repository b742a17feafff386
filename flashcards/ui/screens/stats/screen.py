"""Statistics: reviews per day, the study calendar, true retention, the forecast, card states,
the weakest decks and topics, and the exam trend."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from ....stats.figures import Figures, Source
from ...widgets.keybar import KeyBar
from ..base import BaseScreen
from .chart import Built, Chart, Look, build
from .sections import (
    Sections,
    Shape,
    exams_paint,
    forecast_paint,
    lay_out,
    per_day_paint,
    section,
    skeleton,
)

if TYPE_CHECKING:
    from ....optimizer.simulate import RetentionChoice

__all__ = ["TOPICS_SHOWN", "StatsScreen"]

TOPICS_SHOWN = 40  # the weakest; `flashcards stats --json` has the rest
CHART_HEIGHT = 14  # rows
# Columns around a chart on this screen: the scroll's padding (1 each side, as the CSS below)
# and its vertical scrollbar's gutter (Textual's default width, 2), always kept. The worker
# builds the first chart this wide before the screen is laid out; were it wrong, the chart
# would only be built again on the interface thread.
CHART_FRAME = 1 + 1 + 2


class StatsScreen(BaseScreen):
    DEFAULT_CSS = f"""
    StatsScreen #title {{ height: 1; padding: 0 1; background: $primary; color: $text; }}
    StatsScreen VerticalScroll {{ padding: 0 1; scrollbar-gutter: stable; }}
    StatsScreen .section {{ margin-top: 1; height: auto; }}
    StatsScreen .table {{ text-wrap: nowrap; text-overflow: ellipsis; }}
    StatsScreen Chart {{ height: {CHART_HEIGHT}; }}
    StatsScreen #summary {{ height: auto; }}
    """
    BINDINGS = [
        Binding("1", "days(30)", "30 days", id="stats.30"),
        Binding("2", "days(90)", "90 days", id="stats.90"),
        Binding("3", "days(365)", "365 days", id="stats.365"),
        Binding("r", "simulate", "Simulate desired retention", id="stats.simulate"),
        Binding("question_mark", "help", "Help", key_display="?", id="stats.help"),
        Binding("q,escape", "back", "Back", id="stats.back"),
    ]

    # The last figures' shape for each collection (by location) opened in this program: the
    # next time the screen is opened on it, each section keeps that much room while the
    # figures are read.
    remembered: ClassVar[dict[str, Shape]] = {}

    @dataclass
    class Loaded(Message):
        figures: Figures
        sections: Sections  # laid out off the interface thread
        per_day: Built  # the reviews per day's chart, built off the interface thread

    @dataclass
    class Simulated(Message):
        choice: RetentionChoice

    def __init__(self, decks: int | None = None) -> None:
        """`decks`: how many decks have cards in use, if the caller knows (the home screen
        does); the decks' table keeps that many rows for them while the figures are read."""
        super().__init__()
        self.decks = decks
        self.tables: dict[str, list[list[str]]] = {}
        self.per_day_chart = Chart(id="per-day")

    @property
    def workspace(self) -> Source:
        return self.app.workspace

    def compose(self) -> ComposeResult:
        self.load(self.workspace, 30, self._chart_look())  # while the screen is being built
        # Until they come, each section keeps the room its figures will take (the last figures'
        # shape, or a guess), so that they fill the screen without changing its layout.
        shape = self.remembered.get(self.workspace.collection.location) or Shape(
            decks=0, topics=TOPICS_SHOWN, exams=False
        )
        if self.decks is not None:
            shape = replace(shape, decks=self.decks)
        blank = skeleton(shape)
        yield Static("Statistics", id="title")
        # A section's title and table are one widget: every widget costs time to build, lay
        # out and draw, and this screen has to appear at once.
        with VerticalScroll():
            yield Static(blank["#summary"], id="summary")
            yield Static(section("Reviews per day"), classes="section", id="per-day-title")
            yield self.per_day_chart
            yield Static(blank["#heatmap"], classes="section", id="heatmap")
            yield Static(blank["#retention"], classes="section table", id="retention")
            yield Static(section("Due in the next 30 days"), classes="section")
            yield Chart(id="forecast")
            yield Static(blank["#states"], classes="section table", id="states")
            yield Static(blank["#decks"], classes="section table", id="decks")
            yield Static(blank["#topics"], classes="section table", id="topics")
            yield Static(blank["#exams-note"], classes="section", id="exams-note")
            exams = Chart(id="exams")
            exams.display = shape.exams
            yield exams
            yield Static(blank["#rounds"], classes="section table", id="rounds")
            yield Static(
                section(
                    "Choosing desired retention",
                    "Press [b]r[/b] to simulate your collection over the next year at each "
                    "desired retention (takes a few seconds).",
                ),
                classes="section",
                id="simulation-note",
            )
            yield Static(classes="table", id="simulation")
        yield KeyBar()

    def _chart_look(self) -> Look:
        """The reviews per day's chart as it is (or, before the screen is laid out, as it
        will be)."""
        chart = self.per_day_chart
        width = chart.size.width or self.app.size.width - CHART_FRAME
        return Look(width, CHART_HEIGHT, chart.plotext_theme())

    def action_days(self, days: int) -> None:
        self.load(self.workspace, days, self._chart_look())

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats")
    def load(self, source: Source, days: int, look: Look) -> None:
        """Read the figures, lay the screen's sections out and build its first chart at `look`,
        all off the interface thread; the screen then only puts them in place. (The forecast is
        below the fold: it is built when it is first shown.)"""
        from ....stats import figures as statistics

        figures = statistics.collect(source, days, TOPICS_SHOWN)
        sections = lay_out(figures, days)
        per_day = build(per_day_paint(figures.days), look)
        if not get_current_worker().is_cancelled:  # 1, 2 or 3 pressed since: its figures win
            self.post_message(self.Loaded(figures, sections, per_day))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        with self.app.batch_update():  # one layout and one redraw for all the figures
            figures, sections = message.figures, message.sections
            self.remembered[self.workspace.collection.location] = Shape.of(figures)
            for selector, text in sections.texts.items():
                self.query_one(selector, Static).update(text)
            self.tables.update(sections.tables)
            self.per_day_chart.show(per_day_paint(figures.days), message.per_day)
            self.query_one("#forecast", Chart).show(forecast_paint(figures.forecast))
            exams = self.query_one("#exams", Chart)
            exams.display = bool(figures.exams)
            if figures.exams:
                exams.show(exams_paint(figures.exams))

    def action_simulate(self) -> None:
        self.query_one("#simulation-note", Static).update(
            section("Choosing desired retention", "Simulating the next year…")
        )
        self.simulate(self.workspace)

    @work(thread=True, exclusive=True, exit_on_error=False, group="simulation")
    def simulate(self, source: Source) -> None:
        from ....optimizer.simulate import workspace_retention_choice

        self.post_message(self.Simulated(workspace_retention_choice(source)))

    @on(Simulated)
    def show_simulation(self, message: Simulated) -> None:
        choice = message.choice
        source = "your fitted parameters" if choice.fitted else "the default parameters"
        self.query_one("#simulation-note", Static).update(
            section(
                "Choosing desired retention",
                f"{choice.studied_cards} studied and {choice.new_cards} new cards over 365 days, "
                f"with {source}. Set the one you choose with "
                "`flashcards optimize --retention` or in the config file.",
            )
        )
        rows = []
        for row in choice.rows:
            mark = " ← now" if abs(row.desired_retention - choice.current) < 1e-9 else ""
            rows.append(
                [
                    f"{row.desired_retention:.2f}{mark}",
                    f"{row.reviews_per_day:.1f}",
                    f"{row.minutes_per_day:.1f}",
                    f"{row.cards_known:.0f}",
                ]
            )
        columns = ["Retention", "Reviews/day", "Minutes/day", "Cards known"]
        sections = Sections()
        sections.add_table("#simulation", "", columns, rows, "lrrr")
        self.tables.update(sections.tables)
        widget = self.query_one("#simulation", Static)
        widget.update(sections.texts["#simulation"])
        widget.scroll_visible()

    def action_help(self) -> None:
        from ..help import HelpScreen

        self.app.push_screen(HelpScreen(self, "Statistics: keys"))

    def action_back(self) -> None:
        self.app.pop_screen()
