"""What FSRS learns from and is judged on: each review on a later study day than the card's
previous one, with the card's history before it, and the time-ordered split into the earlier
reviews (to fit) and the later ones (held out, to evaluate)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import fsrs_rs_python

from .revlog import CardHistory

__all__ = ["Item", "Split", "card_steps", "fsrs_item", "items_from", "time_split", "to_fsrs_items"]

HELD_OUT = 0.2  # the share of the latest predictable reviews kept out of the fit


@dataclass(frozen=True, slots=True)
class Item:
    """A review FSRS predicts, the last of `reviews`: (rating, days since the card's previous
    review) from the card's first answer on. Same-day reviews (0 days) are history only."""

    reviewed_at: datetime
    reviews: tuple[tuple[int, int], ...]

    @property
    def rating(self) -> int:
        return self.reviews[-1][0]

    @property
    def elapsed_days(self) -> int:
        return self.reviews[-1][1]


@dataclass(frozen=True, slots=True)
class Split:
    train: list[Item]
    test: list[Item]

    @property
    def held_out_from(self) -> datetime | None:
        return self.test[0].reviewed_at if self.test else None


def card_steps(history: CardHistory) -> tuple[tuple[int, int], ...]:
    """A card's reviews as (rating, study days since the previous review; 0 for the first)."""
    steps: list[tuple[int, int]] = []
    previous_day: int | None = None
    for review in history.reviews:
        steps.append((review.rating, 0 if previous_day is None else review.day - previous_day))
        previous_day = review.day
    return tuple(steps)


def items_from(histories: Iterable[CardHistory]) -> list[Item]:
    """Every predictable review of every card, oldest first."""
    found: list[Item] = []
    for history in histories:
        steps = card_steps(history)
        for index, review in enumerate(history.reviews):
            if steps[index][1] > 0:
                found.append(Item(review.reviewed_at, steps[: index + 1]))
    found.sort(key=lambda item: item.reviewed_at)
    return found


def time_split(items: Sequence[Item], held_out: float = HELD_OUT) -> Split:
    """The earlier reviews to fit, the later ones to test on; `items` must be oldest first.
    A test review keeps its whole history, earlier reviews included: that is what the
    scheduler knows when the review comes."""
    cut = len(items) - round(len(items) * held_out)
    return Split(list(items[:cut]), list(items[cut:]))


def to_fsrs_items(items: Iterable[Item]) -> list[fsrs_rs_python.FSRSItem]:
    return [fsrs_item(item.reviews) for item in items]


def fsrs_item(reviews: Iterable[tuple[int, int]]) -> fsrs_rs_python.FSRSItem:
    return fsrs_rs_python.FSRSItem(
        [fsrs_rs_python.FSRSReview(rating, elapsed) for rating, elapsed in reviews]
    )
