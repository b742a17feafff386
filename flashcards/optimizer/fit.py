"""Fitting FSRS-6 parameters to reviews with the Rust optimizer of `fsrs_rs_python`.

The optimizer's one setting that matters here is how long it trains. Its default, 5 epochs,
suits Anki's large collections; a few thousand reviews make few batches, and 5 epochs can
stop short. So the length is chosen from EPOCH_CHOICES on the reviews being fitted alone: fit
on their earlier 80%, score log loss on their latest 20%, keep the best (the shorter on a tie).
Reviews held out for evaluation are never looked at.
"""

from __future__ import annotations

from collections.abc import Sequence

import fsrs_rs_python
from fsrs.scheduler import DEFAULT_PARAMETERS as FSRS_DEFAULTS
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from .dataset import Item, time_split, to_fsrs_items
from .evaluate import evaluate_parameters

__all__ = ["DEFAULT_PARAMETERS", "EPOCH_CHOICES", "choose_epochs", "fit_parameters", "schedulable"]

EPOCH_CHOICES = (5, 10, 20, 40)

# The parameters the `fsrs` package schedules with when none are given (FSRS-6, 21 numbers).
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(float(w) for w in FSRS_DEFAULTS)


def fit_parameters(
    items: Sequence[Item], relearning_steps: int | None = None, epochs: int | None = None
) -> tuple[float, ...]:
    """FSRS-6 parameters fitted to `items` (same-day reviews included, as FSRS-6 models them);
    `epochs` None chooses the training length with `choose_epochs`."""
    if not items:
        raise ValueError("no reviews to fit")
    if epochs is None:
        epochs = choose_epochs(items, relearning_steps)
    return _train(items, relearning_steps, epochs)


def choose_epochs(items: Sequence[Item], relearning_steps: int | None = None) -> int:
    """The training length in EPOCH_CHOICES that best predicts the latest 20% of `items` (oldest
    first) when trained on the rest."""
    inner = time_split(items)
    if not inner.train or not inner.test:
        return EPOCH_CHOICES[0]
    scores = {
        epochs: evaluate_parameters(_train(inner.train, relearning_steps, epochs), inner.test)
        for epochs in EPOCH_CHOICES
    }
    return min(EPOCH_CHOICES, key=lambda epochs: (scores[epochs].log_loss, epochs))


def _train(items: Sequence[Item], relearning_steps: int | None, epochs: int) -> tuple[float, ...]:
    model = fsrs_rs_python.FSRS(list(DEFAULT_PARAMETERS))
    fitted = model.compute_parameters(
        to_fsrs_items(items),
        enable_short_term=True,
        num_relearning_steps=relearning_steps,
        training_config=fsrs_rs_python.TrainingConfig(num_epochs=epochs),
    )
    return schedulable(fitted)


def schedulable(parameters: Sequence[float]) -> tuple[float, ...]:
    """Round to four decimals (the optimizer works in 32-bit floats) and keep each number
    within the bounds the `fsrs` package checks, so `fsrs.Scheduler` accepts the set."""
    if len(parameters) != len(DEFAULT_PARAMETERS):
        raise ValueError(f"expected {len(DEFAULT_PARAMETERS)} parameters, got {len(parameters)}")
    return tuple(
        min(max(round(float(w), 4), low), high)
        for w, low, high in zip(
            parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True
        )
    )
