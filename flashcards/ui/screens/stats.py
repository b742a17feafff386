"""Statistics: reviews per day, the study calendar, true retention, the forecast, card states,
the weakest decks and topics, and the exam trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from ...terminal_text import inert
from ..widgets.chart import Chart, Paint
from ..widgets.heatmap import Heatmap
from ..widgets.keybar import KeyBar
from .base import BaseScreen

CHART_WAIT = 0.2  # seconds the figures may wait for the screen's layout to draw a chart
TOPICS_SHOWN = 40  # the weakest; `flashcards stats --json` has the rest


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _table(columns: list[str], rows: list[list[str]], align: str) -> Text:
    """A read-only table as plain text: a bold header, a rule, aligned columns (`align` has an
    "l" or an "r" per column). Built once; a DataTable or a Rich table is measured and laid out
    again at every redraw, which costs far more for figures that never change on screen."""
    widths = [max(cell_len(cell) for cell in column) for column in zip(columns, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        padded = []
        for cell, width, side in zip(cells, widths, align, strict=True):
            gap = " " * (width - cell_len(cell))  # by terminal cells: wide characters count 2
            padded.append(gap + cell if side == "r" else cell + gap)
        return "  ".join(padded).rstrip()

    table = Text()
    table.append(line(columns), style="bold")
    table.append("\n" + "─" * (sum(widths) + 2 * (len(widths) - 1)), style="dim")
    for row in rows:
        table.append("\n" + line(row))
    return table


def _day_ticks(plt, labels: list[str]) -> None:
    step = max(1, len(labels) // 6)
    plt.xticks(list(range(1, len(labels) + 1, step)), labels[::step])


def _per_day_paint(days: list[dict]) -> Paint:
    def paint(plt) -> None:
        series = [[d[part] for d in days] for part in ("learning", "review", "relearning")]
        plt.stacked_bar(list(range(1, len(days) + 1)), series, color=["blue", "green", "red"])
        _day_ticks(plt, [d["date"][5:] for d in days])

    return paint


def _forecast_paint(forecast: list[dict]) -> Paint:
    def paint(plt) -> None:
        plt.bar(list(range(1, len(forecast) + 1)), [f["due"] for f in forecast], color="cyan")
        _day_ticks(plt, [f["date"][5:] for f in forecast])

    return paint


def _exams_paint(exams: list[dict]) -> Paint:
    def paint(plt) -> None:
        plt.plot([round(e["score"] * 100) for e in exams], marker="dot", color="magenta")
        plt.ylim(0, 100)
        plt.ylabel("%")

    return paint


def _section(title: str, *lines: Text | str) -> Text:
    """A section as one piece of text: its title in bold, then its lines (markup allowed)."""
    text = Text()
    text.append(title, style="bold")
    for line in lines:
        text.append("\n")
        text.append_text(line if isinstance(line, Text) else Text.from_markup(line))
    return text


class StatsScreen(BaseScreen):
    DEFAULT_CSS = """
    StatsScreen #title { height: 1; padding: 0 1; background: $primary; color: $text; }
    StatsScreen VerticalScroll { padding: 0 1; scrollbar-gutter: stable; }
    StatsScreen .section { margin-top: 1; height: auto; }
    StatsScreen .table { text-wrap: nowrap; text-overflow: ellipsis; }
    StatsScreen Chart { height: 14; }
    StatsScreen #summary { height: auto; }
    """
    BINDINGS = [
        Binding("1", "days(30)", "30 days", id="stats.30"),
        Binding("2", "days(90)", "90 days", id="stats.90"),
        Binding("3", "days(365)", "365 days", id="stats.365"),
        Binding("r", "simulate", "Simulate desired retention", id="stats.simulate"),
        Binding("question_mark", "help", "Help", key_display="?", id="stats.help"),
        Binding("q,escape", "back", "Back", id="stats.back"),
    ]

    @dataclass
    class Loaded(Message):
        figures: dict
        days: int
        charts: dict  # selector: what Chart.prepare built off the interface thread

    @dataclass
    class Simulated(Message):
        choice: object  # flashcards.optimizer.simulate.RetentionChoice

    def __init__(self) -> None:
        super().__init__()
        self.days = 30
        self.tables: dict[str, list[list[str]]] = {}
        self.per_day_chart = Chart(id="per-day")

    def compose(self) -> ComposeResult:
        self.load()  # the figures are read while the screen is being built
        yield Static("Statistics", id="title")
        # A section's title and table are one widget: every widget costs time to build, lay
        # out and draw, and this screen has to appear at once.
        with VerticalScroll():
            yield Static("Loading…", id="summary")
            yield Static(_section("Reviews per day"), classes="section", id="per-day-title")
            yield self.per_day_chart
            yield Heatmap(_section("Study days"), classes="section", id="heatmap")
            yield Static(_section("True retention"), classes="section table", id="retention")
            yield Static(_section("Due in the next 30 days"), classes="section")
            yield Chart(id="forecast")
            yield Static(_section("Cards by state"), classes="section table", id="states")
            yield Static(_section("Decks, weakest first"), classes="section table", id="decks")
            yield Static(_section("Topics, weakest first"), classes="section table", id="topics")
            yield Static(_section("Exam scores"), classes="section", id="exams-note")
            yield Chart(id="exams")
            yield Static(
                _section(
                    "Choosing desired retention",
                    "Press [b]r[/b] to simulate your collection over the next year at each "
                    "desired retention (takes a few seconds).",
                ),
                classes="section",
                id="simulation-note",
            )
            yield Static(classes="table", id="simulation")
        yield KeyBar()

    def action_days(self, days: int) -> None:
        self.days = days
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats")
    def load(self) -> None:
        from ...stats.figures import collect

        days, charts = self.days, {}

        def draw_charts(figures: dict) -> None:
            # Done while the decks and topics are still being read, which usually takes longer
            # than laying the screen out; the forecast is below the fold, so it is built when
            # it is first shown.
            paint = _per_day_paint(figures["reviews_per_day"])
            charts["#per-day"] = self.per_day_chart.prepare(paint, wait=CHART_WAIT)

        figures = collect(self.app.workspace, days, TOPICS_SHOWN, meanwhile=draw_charts)
        self.post_message(self.Loaded(figures, days, charts))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        with self.app.batch_update():  # one layout and one redraw for all the figures
            self._show(message)

    def _show(self, message: Loaded) -> None:
        figures = message.figures
        today = date.fromisoformat(figures["reviews_per_day"][-1]["date"])
        streak, states = figures["streak"], figures["card_states"]
        cards = sum(states[s] for s in ("new", "learning", "review", "relearning", "suspended"))
        self.query_one("#summary", Static).update(
            f"[b]{cards}[/b] cards · [b]{figures['forecast'][0]['due']}[/b] due today · "
            f"[b]{figures['reviews_per_day'][-1]['total']}[/b] answered today · streak "
            f"[b]{streak['current']}[/b] day{'s' * (streak['current'] != 1)} "
            f"(longest {streak['longest']})"
        )
        self._per_day(figures["reviews_per_day"], message.days, message.charts.get("#per-day"))
        self.query_one(Heatmap).show(figures["heatmap"], today, weeks=26, title="Study days")
        self._retention(figures)
        self._forecast(figures["forecast"])
        self._states(figures["card_states"])
        self._areas("#decks", "Decks, weakest first", figures["decks"])
        topics, count = figures["topics"], figures["topic_count"]
        title = "Topics, weakest first"
        if count > len(topics):
            title += (
                f": the {len(topics)} weakest of {count} (`flashcards stats --json` lists them all)"
            )
        self._areas("#topics", title, topics)
        self._exams(figures["exams"])

    def _per_day(self, days: list[dict], count: int, built) -> None:
        minutes = sum(d["seconds"] for d in days) / 60
        answers = sum(d["total"] for d in days)
        title = Text.from_markup(
            f"[b]Reviews per day, last {count} days: {answers} answer{'s' * (answers != 1)} in "
            f"{minutes:.0f} minute{'s' * (round(minutes) != 1)}[/b]  "
            "[blue]■[/] [b]learning[/b] [green]■[/] [b]review[/b] [red]■[/] [b]relearning[/b]"
        )
        self.query_one("#per-day-title", Static).update(title)
        self.per_day_chart.show(_per_day_paint(days), built)

    def _retention(self, figures: dict) -> None:
        title = (
            f"True retention (first answer of a review card each day; desired "
            f"{figures['desired_retention']:.0%})"
        )
        rows = [
            [
                f"last {period}",
                *(
                    f"{_percent(groups[g]['rate'])} of {groups[g]['total']}"
                    for g in ("young", "mature", "all")
                ),
            ]
            for period, groups in figures["true_retention"].items()
        ]
        columns = ["Period", "Young (<21d)", "Mature", "All"]
        self._show_table("#retention", title, columns, rows, "lrrr")

    def _forecast(self, forecast: list[dict]) -> None:
        self.query_one("#forecast", Chart).show(_forecast_paint(forecast))

    def _states(self, states: dict) -> None:
        columns = [name.capitalize() for name in states]
        rows = [[str(n) for n in states.values()]]
        self._show_table("#states", "Cards by state", columns, rows, "r" * len(states))

    def _areas(self, selector: str, title: str, areas: list[dict]) -> None:
        rows = [
            [
                _percent(area["retrievability"]),
                _percent(area["retention"]),
                _percent(area["exam_score"]),
                str(area["cards"]),
                str(area["lapses"]),
                inert(area["name"]),
            ]
            for area in areas
        ]
        columns = ["Recall now", "Retention", "Exams", "Cards", "Lapses", "Name"]
        self._show_table(selector, title, columns, rows, "rrrrrl")

    def _show_table(
        self, selector: str, title: str, columns: list[str], rows: list[list[str]], align: str
    ) -> Static:
        """Draw a table under its title (if any); `self.tables` keeps what each one shows (its
        header and rows)."""
        self.tables[selector] = [columns, *rows]
        widget = self.query_one(selector, Static)
        table = _table(columns, rows, align)
        widget.update(_section(title, table) if title else table)
        return widget

    def _exams(self, exams: list[dict]) -> None:
        plot = self.query_one("#exams", Chart)
        note = self.query_one("#exams-note", Static)
        plot.display = bool(exams)
        if not exams:
            note.update(
                _section("Exam scores", "No exams yet: press x on the home screen to take one.")
            )
            return
        last = exams[-1]
        note.update(
            _section(
                "Exam scores",
                f"{len(exams)} exam{'s' * (len(exams) != 1)}; last {last['score']:.0%} "
                f"({'passed' if last['passed'] else 'not passed'})",
            )
        )
        plot.show(_exams_paint(exams))

    def action_simulate(self) -> None:
        self.query_one("#simulation-note", Static).update(
            _section("Choosing desired retention", "Simulating the next year…")
        )
        self.simulate()

    @work(thread=True, exclusive=True, exit_on_error=False, group="simulation")
    def simulate(self) -> None:
        from ...optimizer.simulate import workspace_retention_choice

        self.post_message(self.Simulated(workspace_retention_choice(self.app.workspace)))

    @on(Simulated)
    def show_simulation(self, message: Simulated) -> None:
        choice = message.choice
        source = "your fitted parameters" if choice.fitted else "the default parameters"
        self.query_one("#simulation-note", Static).update(
            _section(
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
        self._show_table("#simulation", "", columns, rows, "lrrr").scroll_visible()

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self, "Statistics: keys"))

    def action_back(self) -> None:
        self.app.pop_screen()
