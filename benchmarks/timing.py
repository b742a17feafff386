"""Runs, medians and result rows."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass

__all__ = ["Row", "interleaved", "median"]

SKIPPED = "skipped: install the bench extra"


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def interleaved(measures: list[Callable[[], float] | None], runs: int) -> list[list[float]]:
    """Run each measure `runs` times, taking turns and rotating who goes first, so that a slow
    spell on this shared machine hits every side alike. Each measure times itself (setup that
    is not part of the operation stays outside its clock). A None measure is skipped."""
    times: list[list[float]] = [[] for _ in measures]
    for run in range(runs):
        for step in range(len(measures)):
            index = (run + step) % len(measures)
            measure = measures[index]
            if measure is not None:
                times[index].append(measure())
    return times


@dataclass(slots=True)
class Row:
    """One line of the results. Every target is an upper bound on `ratio` (ours / baseline)."""

    name: str
    ours_s: float
    baseline: str
    baseline_s: float | None
    target: float | None
    unit: str = "s"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline_s is None or self.baseline_s <= 0:
            return None
        return self.ours_s / self.baseline_s

    @property
    def met(self) -> bool | None:
        ratio = self.ratio
        if ratio is None or self.target is None:
            return None
        return ratio <= self.target

    def as_json(self) -> dict:
        data = asdict(self)
        data["ratio"] = None if self.ratio is None else round(self.ratio, 4)
        data["met"] = self.met
        return {
            key: data[key]
            for key in (
                "name",
                "ours_s",
                "baseline",
                "baseline_s",
                "ratio",
                "target",
                "met",
                "unit",
                "note",
            )
        }
