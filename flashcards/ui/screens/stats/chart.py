"""A plotext chart whose figure can be built off the interface thread.

Building a plotext figure is pure Python and takes tens of milliseconds for a chart as wide as
the terminal. PlotextPlot builds it in render(), on the interface thread, and again at every
render. A Chart is given a paint function (plain data in, plotext calls out): `build` makes the
figure for a `Look` (a size and a theme, taken on the interface thread and handed to a worker
as arguments) on any thread, `show` puts it on screen, and the chart is only built again on the
interface thread if its size or theme is not the one it was built for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from rich.text import Text
from textual_plotext import Plot, PlotextPlot

__all__ = ["Built", "Chart", "Look", "Paint", "build"]

Paint = Callable[[Plot], None]


@dataclass(frozen=True, slots=True)
class Look:
    """What a chart's figure depends on besides its data: its size and plotext's theme."""

    width: int
    height: int
    theme: str


Built = tuple[Look, Text]  # a figure and the look it was built for


def build(paint: Paint, look: Look) -> Built:
    """The figure of `paint` at `look`, built on the calling thread (any thread: it reads no
    widget)."""
    plot = Plot()
    paint(plot)
    plot.plotsize(look.width, look.height)
    plot._set_size(look.width, look.height)  # as PlotextPlot.render does: plotsize alone is lost
    plot.theme(look.theme)
    return look, Text.from_ansi(plot.build())


class Chart(PlotextPlot):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self._built: Built | None = None
        self._paint: Paint | None = None  # blank until it has something to draw
        self._plt_painted = False  # whether `self.plt` holds `_paint`'s calls yet

    def plotext_theme(self) -> str:
        """plotext's name for the app's theme, known to plotext from now on (on the interface
        thread; a chart registers it when mounted, which may come after a worker builds)."""
        self._register_theme(self.app.theme)
        return self._get_plotext_theme_name(self.app.theme)

    def look(self) -> Look:
        """The chart's size and theme now (on the interface thread)."""
        return Look(self.size.width, self.size.height, self.plotext_theme())

    def show(self, paint: Paint, built: Built | None = None) -> None:
        """Draw `paint` from now on; `built` is what `build` made of it, if anything.
        plotext is only given `paint`'s calls when the chart must be built here (a bar chart's
        calls alone take milliseconds, often for a figure already built)."""
        self._paint = paint
        self._plt_painted = False
        self._built = built
        self.refresh()

    def render(self) -> Text:
        if self._paint is None:
            return Text()
        look = self.look()
        if self._built is None or self._built[0] != look:
            if not self._plt_painted:
                self.plt.clear_figure()
                self._paint(self.plt)
                self._plt_painted = True
            built = (look, cast(Text, super().render()))  # PlotextPlot renders a Text
            self._built = built
            return built[1]
        return self._built[1]
