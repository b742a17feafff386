"""FSRS scheduling of one answer, with the outcome of every rating known before it is chosen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import fsrs

from ..config import Config
from ..review_rules import Rating, is_lapse
from ..storage.records import CardRecord

__all__ = ["Outcome", "format_interval", "make_scheduler", "outcomes"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What answering a card with one rating does to it."""

    rating: int
    card: fsrs.Card
    reps: int
    lapses: int
    became_leech: bool
    interval: timedelta  # from the answer to the next due time

    @property
    def label(self) -> str:
        return format_interval(self.interval)


@lru_cache(maxsize=64)
def _scheduler(
    desired_retention: float,
    learning_steps: tuple[timedelta, ...],
    relearning_steps: tuple[timedelta, ...],
    maximum_interval: int,
    fuzz: bool,
    parameters: tuple[float, ...] | None,
) -> fsrs.Scheduler:
    kwargs = {} if parameters is None else {"parameters": parameters}
    return fsrs.Scheduler(
        desired_retention=desired_retention,
        learning_steps=learning_steps,
        relearning_steps=relearning_steps,
        maximum_interval=maximum_interval,
        enable_fuzzing=fuzz,
        **kwargs,
    )


def make_scheduler(
    config: Config,
    desired_retention: float | None = None,
    parameters: tuple[float, ...] | None = None,
) -> fsrs.Scheduler:
    """The scheduler for a deck: the config's settings, the deck's retention if it sets one."""
    return _scheduler(
        desired_retention or config.desired_retention,
        config.learning_steps,
        config.relearning_steps,
        config.maximum_interval,
        config.fuzz,
        parameters,
    )


def outcomes(
    scheduler: fsrs.Scheduler, record: CardRecord, now: datetime, leech_lapses: int
) -> dict[int, Outcome]:
    """Schedule the card under each rating. Fuzz is drawn here, once, so the interval shown on
    a button is exactly the one the answer gets."""
    result: dict[int, Outcome] = {}
    base = record.to_fsrs()
    if record.is_new:
        base.due = now
    if record.last_review is not None and now < record.last_review:
        now = record.last_review  # the clock went back: never answer before the last answer
    for rating in Rating:
        card, _log = scheduler.review_card(_copy(base), rating, review_datetime=now)
        lapsed = is_lapse(record.state, rating)
        lapses = record.lapses + (1 if lapsed else 0)
        result[int(rating)] = Outcome(
            rating=int(rating),
            card=card,
            reps=record.reps + 1,
            lapses=lapses,
            became_leech=lapsed and lapses >= leech_lapses and not record.leech,
            interval=card.due - now,
        )
    return result


def _copy(card: fsrs.Card) -> fsrs.Card:
    return fsrs.Card(
        card_id=card.card_id,
        state=card.state,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def format_interval(interval: timedelta) -> str:
    """A short human interval: '45s', '10m', '3h', '2d', '3.4mo', '1.5y'."""
    seconds = max(0.0, interval.total_seconds())
    if seconds < 60:
        return f"{round(seconds)}s"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30.4375:.1f}mo"
    return f"{days / 365.25:.1f}y"
