"""One optimization: fit on the earlier reviews, then score the defaults, the current set and
the fitted set on the later reviews held out of the fit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .dataset import HELD_OUT, items_from, time_split
from .evaluate import Evaluation, evaluate_parameters
from .fit import DEFAULT_PARAMETERS, choose_epochs, fit_parameters
from .revlog import CardHistory

__all__ = ["MIN_REVIEWS", "Fit", "Optimization", "optimize_history"]

# Fewer predictable reviews than this and a fit mostly learns noise; the defaults are better.
MIN_REVIEWS = 400


@dataclass(frozen=True, slots=True)
class Fit:
    """The parameters fitted to the earlier reviews, and how each set predicts the later ones."""

    train_reviews: int
    test_reviews: int
    held_out_from: datetime  # the first held-out review
    default: Evaluation
    current: Evaluation | None  # None when the current parameters are the defaults
    fitted: Evaluation
    parameters: tuple[float, ...]
    epochs: int  # the training length chosen on the earlier reviews

    @property
    def baseline(self) -> Evaluation:
        """What the fitted set competes with: the current set, else the defaults."""
        return self.current or self.default

    @property
    def improves(self) -> bool:
        """True when the fitted set predicts the held-out reviews better (lower log loss)."""
        return self.fitted.log_loss < self.baseline.log_loss


@dataclass(frozen=True, slots=True)
class Optimization:
    reviews: int  # every review used, same-day ones included
    predictable: int  # reviews on a later study day than the card's previous one
    fit: Fit | None = None  # None: too little history to fit (fewer than MIN_REVIEWS)


def optimize_history(
    histories: Sequence[CardHistory],
    *,
    current: Sequence[float] | None = None,
    relearning_steps: int | None = None,
    held_out: float = HELD_OUT,
    on_step: Callable[[str], None] | None = None,
) -> Optimization:
    """Fit FSRS-6 to the earlier reviews and evaluate on the later ones (time-ordered split).

    With fewer than MIN_REVIEWS predictable reviews nothing is fitted (`fit` is None).
    """
    step = on_step or (lambda _stage: None)
    reviews = sum(len(history.reviews) for history in histories)
    items = items_from(histories)
    if len(items) < MIN_REVIEWS:
        return Optimization(reviews, len(items))
    split = time_split(items, held_out)
    held_out_from = split.held_out_from
    assert held_out_from is not None  # MIN_REVIEWS items always leave some held out
    step("choosing the training length")
    epochs = choose_epochs(split.train, relearning_steps)
    step("fitting")
    parameters = fit_parameters(split.train, relearning_steps, epochs)
    step("evaluating")
    default = evaluate_parameters(DEFAULT_PARAMETERS, split.test)
    baseline = None
    if current is not None and tuple(current) != DEFAULT_PARAMETERS:
        baseline = evaluate_parameters(current, split.test)
    fitted = evaluate_parameters(parameters, split.test)
    fit = Fit(
        train_reviews=len(split.train),
        test_reviews=len(split.test),
        held_out_from=held_out_from,
        default=default,
        current=baseline,
        fitted=fitted,
        parameters=parameters,
        epochs=epochs,
    )
    return Optimization(reviews=reviews, predictable=len(items), fit=fit)
