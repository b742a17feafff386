"""The statistics screen: opened from home, figures shown, range switched, its chart and calendar;
and its snapshot."""

from __future__ import annotations

from datetime import date

from textual.widgets import Static
from textual_plotext import PlotextPlot

from flashcards.ui.app import FlashcardsApp
from flashcards.ui.screens.home import HomeScreen
from flashcards.ui.screens.stats import StatsScreen
from flashcards.ui.screens.stats.sections import SHADES, calendar

from ..conftest import basic_deck, settle, settled, wait_for
from ..unit.test_stats import answer


def studied_workspace(make_workspace, clock):
    workspace = make_workspace(
        {"a.md": basic_deck(4, "Alpha", "a"), "b.md": basic_deck(3, "Beta", "b")}
    )
    for day in range(3):
        for front in ("a question 0?", "b question 1?"):
            answer(workspace, front, 3 if day else 1)
        clock.advance(days=1)
    return workspace


async def open_statistics(pilot) -> StatsScreen:
    """From the settled home screen, `t`, and the statistics once their figures are shown."""
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)
    assert isinstance(pilot.app.screen, StatsScreen)
    return pilot.app.screen


async def test_stats_screen_from_home(make_workspace, clock):
    workspace = studied_workspace(make_workspace, clock)
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_statistics(pilot)
        summary = str(screen.query_one("#summary", Static).render())
        assert "7 cards" in summary and "streak 3 days (longest 3)" in summary
        title = str(screen.query_one("#per-day-title", Static).render())
        assert "last 30 days: 6 answers" in title
        header, *decks = screen.tables["#decks"]
        assert header[-1] == "Name" and {row[-1] for row in decks} == {"Alpha", "Beta"}
        await pilot.press("2")
        await settle(pilot)
        assert "last 90 days" in str(screen.query_one("#per-day-title", Static).render())
        await pilot.press("r")
        await settle(pilot)
        _, *rows = screen.tables["#simulation"]
        assert rows[0][0] == "0.70" and any(r[0] == "0.90 ← now" for r in rows)
        minutes = [float(r[2]) for r in rows]
        assert minutes[-1] > minutes[0]  # higher retention costs more time
        await pilot.press("q")
        assert isinstance(app.screen, HomeScreen)


def test_stats_screen_snapshot(make_workspace, clock, snap_compare):
    workspace = studied_workspace(make_workspace, clock)
    app = FlashcardsApp(workspace)
    assert snap_compare(app, run_before=settled("t"), terminal_size=(100, 40))


async def test_the_screen_lists_the_weakest_topics_and_says_how_many_there_are(make_workspace):
    topics = "\n".join(f"# Topic {i:02d}\n\nQ: question {i}?\nA: answer {i}.\n" for i in range(45))
    workspace = make_workspace({"t.md": f"---\ntitle: Many\n---\n{topics}"})
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_statistics(pilot)
        header, *rows = screen.tables["#topics"]
        assert len(rows) == 40
        title = str(screen.query_one("#topics", Static).render()).splitlines()[0]
        assert "the 40 weakest of 45" in title


async def test_a_range_chosen_while_figures_load_is_not_overwritten_by_them(
    make_workspace, clock, monkeypatch
):
    import threading

    import flashcards.stats.figures as figures

    real_collect = figures.collect
    year_read, finished = threading.Event(), []

    def collect(workspace, days=30, *args, **kwargs):
        if days == 30:  # the first figures arrive after those of the range chosen since
            year_read.wait(30)
        result = real_collect(workspace, days, *args, **kwargs)
        if days == 365:
            year_read.set()
        finished.append(days)
        return result

    monkeypatch.setattr(figures, "collect", collect)
    workspace = studied_workspace(make_workspace, clock)
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await pilot.press("3")
        await wait_for(pilot, lambda: finished == [365, 30], what="both sets of figures")
        title = str(app.screen.query_one("#per-day-title", Static).render())
        assert "last 365 days" in title


async def test_the_statistics_chart_is_built_before_the_figures_reach_the_screen(
    make_workspace, monkeypatch
):
    built_on_screen = []
    real_render = PlotextPlot.render

    def render(plot):
        built_on_screen.append(plot.id)
        return real_render(plot)

    monkeypatch.setattr(PlotextPlot, "render", render)
    app = FlashcardsApp(make_workspace({"d.md": basic_deck(3)}))
    async with app.run_test(size=(100, 40)) as pilot:
        chart = (await open_statistics(pilot)).per_day_chart
        drawn = chart.render().plain.splitlines()  # the figure the worker built, at its size
        assert len(drawn) == 14 and {len(line) for line in drawn} == {chart.size.width}
        assert "per-day" not in built_on_screen
        await pilot.resize_terminal(90, 40)
        await settle(pilot)
        assert "per-day" in built_on_screen  # a new size is drawn on the spot


async def test_home_compiles_the_statistics_statements_before_t_is_pressed(
    make_workspace, monkeypatch
):
    import flashcards.stats.figures as figures

    compiled = []
    monkeypatch.setattr(figures, "compile_statements", compiled.append)
    app = FlashcardsApp(make_workspace({"d.md": basic_deck(1)}))
    async with app.run_test() as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert compiled == [app.workspace.collection.engine.dialect]


def test_the_calendar_shades_days_by_answers_and_leaves_the_future_blank():
    today = date(2026, 1, 7)  # a Wednesday
    counts = {date(2026, 1, 5): 1, date(2026, 1, 7): 9, date(2025, 12, 29): 3}
    lines = calendar(counts, today, weeks=2, title="Study days").split("\n")
    assert lines[0].plain == "Study days" and lines[0].spans[0].style == "bold"
    monday, wednesday, thursday = lines[2], lines[4], lines[5]
    assert monday.plain == "Mon ■ ■ " and wednesday.plain == "Wed ■ ■ "
    assert thursday.plain.rstrip() == "    ■"  # this week's Thursday has not come yet

    def shade(line, week):
        cell = 4 + 2 * week
        return next(span.style for span in line.spans if span.start <= cell < span.end)

    assert shade(wednesday, 1) == SHADES[4]  # the busiest day, brightest
    assert shade(monday, 1) == SHADES[1]  # 1 answer of a peak of 9
    assert shade(monday, 0) == SHADES[2]  # 3 answers
    assert shade(wednesday, 0) == SHADES[0]  # none


def test_each_section_keeps_the_room_its_figures_take(make_workspace):
    from dataclasses import replace

    from flashcards.stats.exams import ExamFigures
    from flashcards.stats.figures import collect
    from flashcards.ui.screens.stats import TOPICS_SHOWN
    from flashcards.ui.screens.stats.sections import Shape, lay_out, skeleton

    topics = "\n".join(f"# Topic {i:02d}\n\nQ: question {i}?\nA: answer {i}.\n" for i in range(45))
    workspace = make_workspace({"t.md": f"---\ntitle: Many\n---\n{topics}", "d.md": basic_deck(2)})
    read = collect(workspace, 30, TOPICS_SHOWN)
    exam = ExamFigures(read.days[-1].date, ["Many"], count=4, correct=3, score=0.75, passed=True)
    for exams in ([], [exam]):
        figures = replace(read, exams=exams)
        sections = lay_out(figures, 30)
        shape = Shape.of(figures)
        assert shape == Shape(decks=2, topics=40, exams=bool(exams))
        blank = skeleton(shape)
        assert set(blank) <= set(sections.texts)
        for selector, text in blank.items():
            lines = len(sections.texts[selector].plain.split("\n"))
            assert len(text.plain.split("\n")) == lines, selector


async def test_the_figures_fill_the_screen_without_moving_it(make_workspace, clock, monkeypatch):
    # The second time (the first one's shape remembered; the decks' count from home), every
    # section has its final size before the figures come: they change no widget's size.
    import threading

    from textual.widgets import Static

    import flashcards.stats.figures as figures
    from flashcards.ui.screens.stats.chart import Chart

    app = FlashcardsApp(studied_workspace(make_workspace, clock))
    async with app.run_test(size=(100, 40)) as pilot:
        await open_statistics(pilot)
        await pilot.press("q")
        release, real_collect = threading.Event(), figures.collect

        def collect(*args, **kwargs):
            release.wait(10)
            return real_collect(*args, **kwargs)

        monkeypatch.setattr(figures, "collect", collect)
        await pilot.press("t")

        def laid_out() -> bool:  # its figures held back
            screen = app.screen
            return isinstance(screen, StatsScreen) and bool(screen.query_one("#topics").size.height)

        await wait_for(pilot, laid_out, what="the statistics laid out")
        screen = app.screen
        assert isinstance(screen, StatsScreen) and "#decks" not in screen.tables

        def sizes():
            return {w.id or repr(w): (w.size, w.display) for w in screen.query("Static, Chart")}

        before = sizes()
        release.set()
        await settle(pilot)
        assert "#decks" in screen.tables
        assert sizes() == before
        assert len(before) == len(screen.query(Static)) + len(screen.query(Chart))


def test_charts_with_nothing_to_count_start_their_axis_at_zero():
    from rich.text import Text
    from textual_plotext import Plot

    from flashcards.stats.figures import DayFigures, DueDay
    from flashcards.ui.screens.stats.sections import forecast_paint, per_day_paint

    days = [DayFigures(date(2026, 1, d), 0, 0, 0, 0.0) for d in range(1, 31)]
    forecast = [DueDay(date(2026, 2, d), 0) for d in range(1, 29)]
    for paint in (per_day_paint(days), forecast_paint(forecast)):
        plot = Plot()
        paint(plot)
        plot.plotsize(80, 14)
        plot._set_size(80, 14)
        lines = Text.from_ansi(plot.build()).plain.splitlines()
        labels = [line.split("┤")[0].strip() for line in lines if "┤" in line]
        assert labels[0] == "1.00" and labels[-1] == "0.00"
        assert not any(label.startswith("-") for label in labels)
