"""A plotext chart that can be drawn off the interface thread.

Building a plotext figure is pure Python and takes tens of milliseconds for a chart as wide as
the terminal. PlotextPlot builds it in render(), on the interface thread, and again at every
render. A Chart is given a paint function (plain data in, plotext calls out): `prepare` builds
the figure at the widget's current size on any thread, `show` puts it on screen, and the chart
is only built again on the interface thread if its size or theme has changed since."""

from __future__ import annotations

import threading
from collections.abc import Callable

from rich.text import Text
from textual import events
from textual_plotext import Plot, PlotextPlot

Paint = Callable[[Plot], None]
Built = tuple[tuple[int, int, str], Text]  # (width, height, theme) and the figure as text


class Chart(PlotextPlot):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self._built: Built | None = None
        self._paint: Paint | None = None  # blank until it has something to draw
        self._plt_painted = False  # whether `self.plt` holds `_paint`'s calls yet
        self._laid_out = threading.Event()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width and event.size.height:
            self._laid_out.set()

    def _look(self) -> tuple[int, int, str]:
        return (self.size.width, self.size.height, self._get_plotext_theme_name(self.app.theme))

    def prepare(self, paint: Paint, wait: float = 0) -> Built | None:
        """Build the figure at the widget's size, on the calling thread, waiting up to `wait`
        seconds for the widget to be laid out; None if it still is not (once it is, it is
        mounted and its theme is known to plotext)."""
        self._laid_out.wait(wait)
        width, height, theme = look = self._look()
        if not width or not height:
            return None
        plot = Plot()
        paint(plot)
        plot.plotsize(width, height)
        plot._set_size(width, height)  # as PlotextPlot.render does: plotsize alone is not kept
        plot.theme(theme)
        return look, Text.from_ansi(plot.build())

    def show(self, paint: Paint, built: Built | None = None) -> None:
        """Draw `paint` from now on; `built` is what `prepare` made of it, if anything.
        plotext is only given `paint`'s calls when the chart must be built here (a bar chart's
        calls alone take milliseconds, often for a figure already built)."""
        self._paint = paint
        self._plt_painted = False
        self._built = built
        self.refresh()

    def render(self) -> Text:
        if self._paint is None:
            return Text()
        if self._built is None or self._built[0] != self._look():
            if not self._plt_painted:
                self.plt.clear_figure()
                self._paint(self.plt)
                self._plt_painted = True
            self._built = (self._look(), super().render())
        return self._built[1]
