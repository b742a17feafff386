"""The app's own widgets: the key bar along the bottom and the charts drawn off the interface
thread."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding
from textual_plotext import PlotextPlot

from flashcards.ui.screens.stats.chart import Chart, build
from flashcards.ui.widgets.keybar import KeyBar


class KeysApp(App):
    BINDINGS = [
        Binding("a", "press('a')", "Alpha"),
        Binding("b", "press('b')", "Beta", show=False),
        Binding("c", "press('c')", "Gamma"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pressed: list[str] = []

    def compose(self):
        yield KeyBar()

    def action_press(self, key: str) -> None:
        self.pressed.append(key)

    def check_action(self, action: str, parameters) -> bool | None:
        return None if parameters == ("c",) and "a" not in self.pressed else True


async def test_the_key_bar_shows_the_keys_and_a_click_presses_one():
    app = KeysApp()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        line = bar.render()
        assert line.plain.startswith(" a Alpha  c Gamma ")  # b is not shown
        assert line.plain.rstrip().endswith("▏^p palette")
        assert len(line.plain) == 60
        gamma = line.plain.index("Gamma")
        assert any(span.style.dim for span in line.spans if span.start >= gamma - 3)  # disabled
        await pilot.click(KeyBar, offset=(line.plain.index("Alpha"), 0))
        assert app.pressed == ["a"]
        await pilot.pause()
        after = bar.render()
        assert not any(span.style.dim for span in after.spans if span.start >= gamma - 3)


async def test_keys_that_do_not_fit_push_out_the_palette_then_wrap():
    app = KeysApp()
    async with app.run_test(size=(24, 5)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        assert bar.render().plain == " a Alpha  c Gamma "  # every key; the palette gave way
        assert bar.size.height == 1
        await pilot.resize_terminal(12, 5)
        await pilot.pause()
        assert bar.render().plain.splitlines() == [" a Alpha ", " c Gamma "]
        assert bar.size.height == 2
        await pilot.click(KeyBar, offset=(3, 0))
        await pilot.click(KeyBar, offset=(3, 1))  # on the second line
        assert app.pressed == ["a", "c"]


async def test_a_chart_built_off_the_interface_thread_matches_the_one_built_on_it():
    def paint(plt) -> None:
        plt.stacked_bar([1, 2, 3], [[1, 2, 3], [3, 2, 1]], color=["blue", "green"])
        plt.xticks([1, 2, 3], ["a", "b", "c"])

    class Charts(App):
        def compose(self):
            yield Chart(id="ours")
            yield PlotextPlot(id="theirs")

    app = Charts()
    async with app.run_test(size=(70, 30)) as pilot:
        await pilot.pause()
        ours, theirs = app.query_one("#ours", Chart), app.query_one("#theirs", PlotextPlot)
        assert ours.size == theirs.size and ours.size.width == 70
        assert ours.render().plain == ""  # blank until it is shown
        built = build(paint, ours.look())  # as a worker does, given the chart's look
        theirs.plt.clear_figure()  # it drew an empty figure when first shown
        paint(theirs.plt)
        assert built[1].plain == theirs.render().plain
        ours.show(paint, built)
        assert ours.render() is built[1]  # shown as built, not built again
        await pilot.resize_terminal(50, 30)  # a new size: built again, here, from `paint`
        await pilot.pause()
        assert ours.size.width == 50 and ours.render().plain == theirs.render().plain
