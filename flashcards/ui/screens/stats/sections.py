"""The statistics screen's sections, laid out as text (and its charts as plotext paints) from the
figures of `flashcards.stats.figures.collect`. Pure functions of the figures: the screen's
worker builds them after reading the figures, and the interface thread only puts them in
place."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from rich.cells import cell_len
from rich.text import Text
from textual_plotext import Plot

from ....review_rules import MATURE_DAYS
from ....stats.exams import ExamFigures
from ....stats.figures import PERIODS, AreaFigures, DayFigures, DueDay, Figures
from ....terminal_text import inert
from ...formatting import percent
from .chart import Paint

__all__ = [
    "Sections",
    "Shape",
    "calendar",
    "exams_paint",
    "forecast_paint",
    "lay_out",
    "per_day_paint",
    "section",
    "skeleton",
    "table",
]

TOPICS_TITLE = "Topics, weakest first"
DECKS_TITLE = "Decks, weakest first"
EXAMS_TITLE = "Exam scores"
ROUNDS_TITLE = "Mock rounds"


@dataclass
class Sections:
    """What each widget shows (by selector), and each table's header and rows (for tests and
    for anyone reading the screen's figures as data)."""

    texts: dict[str, Text] = field(default_factory=dict)
    tables: dict[str, list[list[str]]] = field(default_factory=dict)

    def add_table(
        self, selector: str, title: str, columns: list[str], rows: list[list[str]], align: str
    ) -> None:
        self.tables[selector] = [columns, *rows]
        body = table(columns, rows, align)
        self.texts[selector] = section(title, body) if title else body


@dataclass(frozen=True, slots=True)
class Shape:
    """What the sections' sizes depend on: the decks and topics listed, and whether there are
    exams to chart."""

    decks: int
    topics: int
    exams: bool
    round_steps: int = 0  # rows of the rounds' step table (0: no rounds yet)

    @classmethod
    def of(cls, figures: Figures) -> Shape:
        return cls(
            len(figures.areas.decks),
            len(figures.areas.topics),
            bool(figures.exams),
            len(figures.round_steps) if figures.rounds else 0,
        )


def skeleton(shape: Shape) -> dict[str, Text]:
    """Each section as the screen shows it before its figures come: its title over as many
    blank lines as the figures will fill, given the collection's `shape`. When the figures
    take exactly the room kept for them, Textual lays the screen out once for them instead of
    twice (every widget whose size changes asks for another pass, 30-40 ms on this screen)."""

    def blank(title: str, lines: int) -> Text:
        return section(title, *[""] * lines)

    table_lines = 2  # a table's header and rule, then its rows
    return {
        "#summary": Text("Loading…"),
        "#heatmap": blank("Study days", 2 + len(WEEKDAYS)),  # months, days, the legend
        "#retention": blank("True retention", table_lines + len(PERIODS)),
        "#states": blank("Cards by state", table_lines + 1),
        "#decks": blank(DECKS_TITLE, table_lines + shape.decks),
        "#topics": blank(TOPICS_TITLE, table_lines + shape.topics),
        "#exams-note": blank(EXAMS_TITLE, 1),
        "#rounds": blank(ROUNDS_TITLE, _round_lines(shape.round_steps)),
    }


def _round_lines(steps: int) -> int:
    """The rounds' section: a note alone, or the trend, a table of the steps and a remark."""
    return 1 if steps == 0 else 1 + 2 + steps + 1


def table(columns: list[str], rows: list[list[str]], align: str) -> Text:
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

    text = Text()
    text.append(line(columns), style="bold")
    text.append("\n" + "─" * (sum(widths) + 2 * (len(widths) - 1)), style="dim")
    for row in rows:
        text.append("\n" + line(row))
    return text


def section(title: str, *lines: Text | str) -> Text:
    """A section as one piece of text: its title in bold, then its lines (markup allowed)."""
    text = Text()
    text.append(title, style="bold")
    for line in lines:
        text.append("\n")
        text.append_text(line if isinstance(line, Text) else Text.from_markup(line))
    return text


SHADES = ("grey23", "dark_green", "green4", "green3", "bright_green")
WEEKDAYS = ("Mon", "   ", "Wed", "   ", "Fri", "   ", "Sun")


def calendar(counts: dict[date, int], today: date, weeks: int, title: str = "") -> Text:
    """The study days' heatmap: one cell per day, weeks as columns, shaded by the answers that
    day (`counts` maps dates to answers), the last `weeks` weeks up to today, under `title`
    (in bold) if there is one. No charting widget draws calendars; this is Rich text."""
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    peak = max(counts.values(), default=0)
    text = Text()
    if title:
        text.append(f"{title}\n", style="bold")
    months = [" "] * (2 * weeks + 3)
    last_month = None
    for week in range(weeks):
        monday = start + timedelta(weeks=week)
        if monday.month != last_month and all(c == " " for c in months[2 * week : 2 * week + 4]):
            months[2 * week : 2 * week + 3] = monday.strftime("%b")
        last_month = monday.month
    text.append("    " + "".join(months).rstrip() + "\n", style="dim")
    for weekday in range(7):
        text.append(WEEKDAYS[weekday] + " ", style="dim")
        for week in range(weeks):
            day = start + timedelta(weeks=week, days=weekday)
            if day > today:
                text.append("  ")
                continue
            count = counts.get(day, 0)
            level = 0 if not count else min(4, 1 + int(3 * count / max(peak, 1)))
            text.append("■ ", style=SHADES[level])
        text.append("\n")
    text.append("less ", style="dim")
    for shade in SHADES:
        text.append("■ ", style=shade)
    text.append("more", style="dim")
    return text


def lay_out(figures: Figures, days: int) -> Sections:
    """Every section of the screen, for the figures of the last `days` days."""
    sections = Sections()
    texts = sections.texts
    streak, states = figures.streak, figures.states
    per_day = figures.days
    texts["#summary"] = Text.from_markup(
        f"[b]{states.in_use}[/b] cards · [b]{figures.forecast[0].due}[/b] due today · "
        f"[b]{per_day[-1].total}[/b] answered today · streak "
        f"[b]{streak.current}[/b] day{'s' * (streak.current != 1)} "
        f"(longest {streak.longest})"
    )
    minutes = sum(d.seconds for d in per_day) / 60
    answers = sum(d.total for d in per_day)
    texts["#per-day-title"] = Text.from_markup(
        f"[b]Reviews per day, last {days} days: {answers} answer{'s' * (answers != 1)} in "
        f"{minutes:.0f} minute{'s' * (round(minutes) != 1)}[/b]  "
        "[blue]■[/] [b]learning[/b] [green]■[/] [b]review[/b] [red]■[/] [b]relearning[/b]"
    )
    texts["#heatmap"] = calendar(figures.heatmap, per_day[-1].date, weeks=26, title="Study days")
    rows = [
        [
            f"last {period}",
            *(f"{percent(r.rate)} of {r.total}" for r in (groups.young, groups.mature, groups.all)),
        ]
        for period, groups in figures.retention.items()
    ]
    title = (
        "True retention (first answer of a review card each day; desired "
        f"{figures.desired_retention:.0%})"
    )
    sections.add_table(
        "#retention", title, ["Period", f"Young (<{MATURE_DAYS}d)", "Mature", "All"], rows, "lrrr"
    )
    counts = states.to_json()
    columns = [name.capitalize() for name in counts]
    values = [[str(n) for n in counts.values()]]
    sections.add_table("#states", "Cards by state", columns, values, "r" * len(counts))
    exams = figures.exams
    if exams:
        last = exams[-1]
        note = (
            f"{len(exams)} exam{'s' * (len(exams) != 1)}; last {last.score:.0%} "
            f"({'passed' if last.passed else 'not passed'})"
        )
    else:
        note = "No exams yet: press x on the home screen to take one."
    texts["#exams-note"] = section(EXAMS_TITLE, note)
    _round_section(figures, sections)
    _area_sections(figures, sections)
    return sections


def _round_section(figures: Figures, sections: Sections) -> None:
    """The mock rounds: the score trend, then each step's coverage over recent rounds, weakest
    first, and the step reached least often said in words."""
    rounds, steps = figures.rounds, figures.round_steps
    if not rounds:
        sections.texts["#rounds"] = section(
            ROUNDS_TITLE, "No mock rounds yet: press m on the home screen to rehearse one."
        )
        return
    trend = " → ".join(f"{r.score:.0%}" for r in rounds[-8:])
    plural = "s" * (len(rounds) != 1)
    rows = [[inert(step.name), percent(step.coverage), percent(step.reached)] for step in steps]
    body = table(["Step", "Average score", "Reached"], rows, "lrr")
    least = min(steps, key=lambda step: (step.reached, step.coverage))
    remark = f"You reach {inert(least.name)} in {least.reached:.0%} of recent rounds."
    sections.tables["#rounds"] = [["Step", "Average score", "Reached"], *rows]
    sections.texts["#rounds"] = section(
        ROUNDS_TITLE, f"{len(rounds)} round{plural}; scores, oldest first: {trend}", body, remark
    )


def _area_sections(figures: Figures, sections: Sections) -> None:
    """The decks and the (weakest) topics."""
    topics, count = figures.areas.topics, figures.areas.topic_count
    title = TOPICS_TITLE
    if count > len(topics):
        title += (
            f": the {len(topics)} weakest of {count} (`flashcards stats --json` lists them all)"
        )
    listed: tuple[tuple[str, str, list[AreaFigures]], ...] = (
        ("#decks", DECKS_TITLE, figures.areas.decks),
        ("#topics", title, topics),
    )
    for selector, heading, areas in listed:
        rows = [
            [
                percent(area.retrievability),
                percent(area.retention),
                percent(area.exam_score),
                str(area.cards),
                str(area.lapses),
                inert(area.name),
            ]
            for area in areas
        ]
        columns = ["Recall now", "Retention", "Exams", "Cards", "Lapses", "Name"]
        sections.add_table(selector, heading, columns, rows, "rrrrrl")


def _day_ticks(plt: Plot, labels: list[str]) -> None:
    step = max(1, len(labels) // 6)
    plt.xticks(list(range(1, len(labels) + 1, step)), labels[::step])


def _counts_from_zero(plt: Plot, peak: int) -> None:
    """With nothing to count, plotext centres the axis on zero (from -1 to 1): start it at 0."""
    if not peak:
        plt.ylim(0, 1)


def per_day_paint(days: list[DayFigures]) -> Paint:
    def paint(plt: Plot) -> None:
        series = [
            [d.learning for d in days],
            [d.review for d in days],
            [d.relearning for d in days],
        ]
        colors = ["blue", "green", "red"]  # one a series (plotext's annotation says one)
        plt.stacked_bar(list(range(1, len(days) + 1)), series, color=colors)  # type: ignore[arg-type]
        _day_ticks(plt, [d.date.isoformat()[5:] for d in days])
        _counts_from_zero(plt, max((d.total for d in days), default=0))

    return paint


def forecast_paint(forecast: list[DueDay]) -> Paint:
    def paint(plt: Plot) -> None:
        plt.bar(list(range(1, len(forecast) + 1)), [f.due for f in forecast], color="cyan")
        _day_ticks(plt, [f.date.isoformat()[5:] for f in forecast])
        _counts_from_zero(plt, max((f.due for f in forecast), default=0))

    return paint


def exams_paint(exams: list[ExamFigures]) -> Paint:
    def paint(plt: Plot) -> None:
        plt.plot([round(e.score * 100) for e in exams], marker="dot", color="magenta")
        plt.ylim(0, 100)
        plt.ylabel("%")

    return paint
