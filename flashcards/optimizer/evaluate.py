"""How well a parameter set predicts reviews: log loss and RMSE(bins), as the srs-benchmark
defines them.

`fsrs_rs_python` has an `evaluate`, but it weights recent items more heavily (its
`recency_weighted_fsrs_items`), which the benchmark does not; so the figures are computed here,
every review counting once, from the library's memory states:

- log loss: the mean of −[y·ln p + (1−y)·ln(1−p)], y = 1 unless the rating is Again, p the
  predicted recall clipped to [0.0001, 0.9999];
- RMSE(bins): reviews are grouped by interval, review count and lapse count, each on a
  logarithmic scale with the benchmark's bases (3.62, 1.89, 1.73), the same bins as fsrs-rs's
  `r_matrix_index`; the error of each bin's mean prediction against its observed recall rate
  is squared, weighted by the bin's size, averaged, and rooted.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..review_rules import Rating, passes
from .dataset import Item
from .memory import memory_states, retrievability

__all__ = ["Evaluation", "evaluate_parameters", "rmse_bin"]

_CLIP = 1e-4


@dataclass(frozen=True, slots=True)
class Evaluation:
    log_loss: float
    rmse_bins: float
    reviews: int

    def as_dict(self) -> dict[str, float]:
        return {"log_loss": round(self.log_loss, 6), "rmse_bins": round(self.rmse_bins, 6)}


def evaluate_parameters(parameters: Sequence[float], items: Sequence[Item]) -> Evaluation:
    """Predict each item's last review from the history before it and score the predictions."""
    if not items:
        raise ValueError("no reviews to evaluate")
    states = memory_states(parameters, (item.reviews[:-1] for item in items))
    loss = 0.0
    bins: dict[tuple[int, int, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for item, state in zip(items, states, strict=True):
        predicted = retrievability(item.elapsed_days, state.stability, parameters)
        predicted = min(max(predicted, _CLIP), 1 - _CLIP)
        recalled = 1.0 if passes(item.rating) else 0.0
        loss -= recalled * math.log(predicted) + (1 - recalled) * math.log(1 - predicted)
        totals = bins[rmse_bin(item.reviews)]
        totals[0] += predicted
        totals[1] += recalled
        totals[2] += 1
    squared = sum(count * (p / count - y / count) ** 2 for p, y, count in bins.values())
    return Evaluation(loss / len(items), math.sqrt(squared / len(items)), len(items))


def rmse_bin(reviews: Sequence[tuple[int, int]]) -> tuple[int, int, int]:
    """The bin of a predicted review (the last of `reviews`): its interval, the number of
    reviews on separate days, and the lapses before it, each on a log scale."""
    elapsed = reviews[-1][1]
    interval_bin = round(2.48 * 3.62 ** math.floor(math.log(elapsed, 3.62)) * 100)
    length = sum(1 for _rating, days in reviews if days > 0) + 1
    length_bin = round(1.99 * 1.89 ** math.floor(math.log(length, 1.89)))
    lapses = sum(1 for rating, days in reviews[:-1] if rating == Rating.Again and days > 0)
    lapse_bin = 0 if lapses == 0 else round(1.65 * 1.73 ** math.floor(math.log(lapses, 1.73)))
    return interval_bin, length_bin, lapse_bin
