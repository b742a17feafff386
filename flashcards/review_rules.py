"""The review's rules, each written once: a card's states, the ratings, what counts for true
retention and as a pass, when a card is mature, and how a card's place reads (`Deck › Topic`).
Pure Python over `fsrs`, so storage, scheduling, the statistics and the screens all import it.
The comparisons work on plain values and on SQL columns alike, so a query and the code that
counts one answer apply the same rule."""

from __future__ import annotations

from enum import IntEnum

import fsrs

__all__ = [
    "MATURE_DAYS",
    "TOPIC_SEPARATOR",
    "CardState",
    "Rating",
    "counts_for_retention",
    "is_lapse",
    "is_manual",
    "is_mature",
    "passes",
    "topic_label",
]

Rating = fsrs.Rating  # Again 1, Hard 2, Good 3, Easy 4; 0 marks a manual change in the log


class CardState(IntEnum):
    """A card's stored state: fsrs.State's values, plus NEW for a card never answered. The
    review log's `state_before` also takes MANUAL, for a manual change (reset, reschedule)."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3
    MANUAL = 4

    @property
    def label(self) -> str:
        """The state's name as a screen shows it: "New", "Relearning"."""
        return self.name.capitalize()


MATURE_DAYS = 21  # a review card is mature from this interval on (days)
TOPIC_SEPARATOR = " › "  # between a deck and its topic, and between a topic's headings


def is_mature(interval_days):
    """Whether a card with this interval (days; a number or an SQL column) is mature."""
    return interval_days >= MATURE_DAYS


def passes(rating):
    """Whether an answer passes for true retention: Again fails; Hard, Good and Easy pass.
    `rating` is a number or an SQL column."""
    return rating > Rating.Again


def counts_for_retention(state_before: int, first_of_day: bool) -> bool:
    """Whether an answer counts for true retention: a review card's first answer of the day."""
    return state_before == CardState.REVIEW and first_of_day


def is_lapse(state_before: int, rating: int) -> bool:
    """Whether an answer is a lapse: a card in review forgotten (Again)."""
    return state_before == CardState.REVIEW and rating == Rating.Again


def is_manual(rating: int, state_before: int) -> bool:
    """Whether a log entry is a manual change (reset, reschedule, a schedule carried in from
    another tool), not an answer: rating 0, or MANUAL as the state before."""
    return rating == 0 or state_before == CardState.MANUAL


def topic_label(deck: str, topic: str) -> str:
    """Where a card sits, as every screen and report shows it: `Deck › Topic`, or `Deck`."""
    return deck + TOPIC_SEPARATOR + topic if topic else deck
