"""What a desired retention costs: the person's own cards simulated over the next year.

`fsrs_rs_python.simulate` starts every card as new (its Python binding takes no existing
cards), so the day loop is here: it starts from each card's memory state and due date, draws
recall from FSRS-6's forgetting curve, answers the way the person answers (their rating
frequencies and answer times, taken from their history), and moves each card on with the
library's memory model (`FSRS.next_states`). New cards come in at the daily limit; due cards
beyond the review limit wait for the next day.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import fsrs_rs_python
from sqlalchemy import select

from ..config import Config
from ..review_rules import CardState, Rating, passes
from ..scheduling.days import StudyDay, study_day
from ..scheduling.recall import curve
from ..storage.collection import Collection
from ..storage.tables import cards
from .dataset import card_steps
from .fit import DEFAULT_PARAMETERS
from .memory import memory_states, retrievability
from .revlog import CardHistory, card_histories, collection_reviews

__all__ = [
    "RETENTIONS",
    "Behaviour",
    "Limits",
    "RetentionChoice",
    "RetentionRow",
    "StartingCard",
    "collection_cards",
    "history_cards",
    "retention_table",
    "simulate_year",
    "workspace_retention_choice",
]

RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.88, 0.90, 0.92, 0.94, 0.95, 0.96, 0.97)
DAYS = 365
SEED = 2023
MIN_SAMPLES = 20  # fewer observations than this and the library's defaults are used
_ANSWERS = ("again", "hard", "good", "easy")


@dataclass(frozen=True, slots=True)
class StartingCard:
    """A studied card as the simulation starts: its memory and its days relative to today."""

    stability: float
    difficulty: float
    last_day: int  # the study day of its last review (0 today, -3 three days ago)
    due_day: int  # the study day it is due (0 today or overdue)


@dataclass(frozen=True, slots=True)
class Limits:
    new_per_day: int
    reviews_per_day: int
    maximum_interval: int
    learning_steps: int
    relearning_steps: int

    @classmethod
    def from_config(cls, config: Config) -> Limits:
        return cls(
            config.new_per_day,
            config.reviews_per_day,
            config.maximum_interval,
            len(config.learning_steps),
            len(config.relearning_steps),
        )


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How the person answers: rating frequencies and seconds spent."""

    first_rating: tuple[float, float, float, float]  # a new card's first answer, Again..Easy
    recalled_rating: tuple[float, float, float]  # Hard, Good, Easy when a review is recalled
    review_seconds: tuple[float, float, float, float]  # one review, by rating
    learn_seconds: float  # a new card's first day, all its learning steps
    relearn_seconds: float  # the relearning steps after a lapse, the same day

    @classmethod
    def defaults(cls, limits: Limits) -> Behaviour:
        """The library's population averages."""
        config = fsrs_rs_python.default_simulator_config()
        learning, review, relearning = config.state_rating_costs
        first = _by_rating(config.first_rating_prob)
        first_answer = sum(p * cost for p, cost in zip(first, learning, strict=True))
        return cls(
            first_rating=first,
            recalled_rating=_by_passing_rating(config.review_rating_prob),
            review_seconds=_by_rating(review),
            learn_seconds=first_answer + limits.learning_steps * learning[2],
            relearn_seconds=limits.relearning_steps * relearning[2],
        )

    @classmethod
    def from_histories(cls, histories: Sequence[CardHistory], limits: Limits) -> Behaviour:
        """The person's own frequencies and times wherever there are MIN_SAMPLES of them."""
        fallback = cls.defaults(limits)
        first = [0] * 4
        recalled = [0] * 3
        review_times: list[list[float]] = [[], [], [], []]
        learn_times: list[float] = []
        relearn_times: list[float] = []
        for history in histories:
            reviews = history.reviews
            first[reviews[0].rating - 1] += 1
            learn_times.extend(_seconds(r for r in reviews if r.day == reviews[0].day))
            for index in range(1, len(reviews)):
                review = reviews[index]
                if review.day == reviews[index - 1].day:
                    continue
                if passes(review.rating):
                    recalled[review.rating - 2] += 1
                if review.duration_ms is not None:
                    review_times[review.rating - 1].append(review.duration_ms / 1000)
                if review.rating == Rating.Again:
                    same_day = []
                    for later in reviews[index + 1 :]:
                        if later.day != review.day:
                            break
                        same_day.append(later)
                    relearn_times.extend(_seconds(same_day))
        return cls(
            first_rating=_by_rating(_shares(first, fallback.first_rating)),
            recalled_rating=_by_passing_rating(_shares(recalled, fallback.recalled_rating)),
            review_seconds=_by_rating(
                _mean(times, default)
                for times, default in zip(review_times, fallback.review_seconds, strict=True)
            ),
            learn_seconds=_mean(learn_times, fallback.learn_seconds),
            relearn_seconds=_mean(relearn_times, fallback.relearn_seconds),
        )


def _seconds(reviews: Iterable) -> list[float]:
    """The total time of a run of reviews, as a one-element list; empty if any time is unknown."""
    durations = [review.duration_ms for review in reviews]
    if not durations or any(duration is None for duration in durations):
        return []
    return [sum(durations) / 1000]


def _by_rating(values: Iterable[float]) -> tuple[float, float, float, float]:
    """One value for each rating, Again to Easy (a ValueError unless there are four)."""
    again, hard, good, easy = values
    return again, hard, good, easy


def _by_passing_rating(values: Iterable[float]) -> tuple[float, float, float]:
    """One value for each rating of a recalled review, Hard to Easy."""
    hard, good, easy = values
    return hard, good, easy


def _shares(counts: list[int], fallback: tuple[float, ...]) -> tuple[float, ...]:
    total = sum(counts)
    return fallback if total < MIN_SAMPLES else tuple(count / total for count in counts)


def _mean(values: list[float], fallback: float) -> float:
    return fallback if len(values) < MIN_SAMPLES else sum(values) / len(values)


@dataclass(frozen=True, slots=True)
class RetentionRow:
    desired_retention: float
    reviews_per_day: float  # reviews of studied cards (a lapse's relearning steps not counted)
    new_per_day: float
    minutes_per_day: float  # reviews, new cards and relearning together
    cards_known: float  # expected number of cards recalled on the last day

    def as_dict(self) -> dict[str, float]:
        return {
            "desired_retention": self.desired_retention,
            "reviews_per_day": round(self.reviews_per_day, 2),
            "new_per_day": round(self.new_per_day, 2),
            "minutes_per_day": round(self.minutes_per_day, 2),
            "cards_known": round(self.cards_known, 1),
        }


def simulate_year(
    parameters: Sequence[float],
    desired_retention: float,
    cards: Sequence[StartingCard],
    new_cards: int,
    behaviour: Behaviour,
    limits: Limits,
    *,
    days: int = DAYS,
    seed: int = SEED,
) -> RetentionRow:
    """Study every day for `days` days at one desired retention; return the daily averages."""
    model = fsrs_rs_python.FSRS(list(parameters))
    rng = random.Random(seed)
    stretch = curve(parameters).interval_stretch(desired_retention)  # interval = S · stretch

    def interval(stability: float) -> int:
        return min(max(round(stability * stretch), 1), limits.maximum_interval)

    stability = [card.stability for card in cards]
    difficulty = [card.difficulty for card in cards]
    last = [card.last_day for card in cards]
    due: dict[int, list[int]] = defaultdict(list)
    for index, card in enumerate(cards):
        due[max(card.due_day, 0)].append(index)
    extra_goods = (limits.learning_steps,) * 2 + (max(limits.learning_steps - 1, 0), 0)
    recalled_ratings = (2, 3, 4)
    seconds = 0.0
    reviews = 0
    learned = 0
    for day in range(days):
        waiting = due.pop(day, [])
        if len(waiting) > limits.reviews_per_day:
            due[day + 1][:0] = waiting[limits.reviews_per_day :]
            waiting = waiting[: limits.reviews_per_day]
        for index in waiting:
            elapsed = day - last[index]
            states = model.next_states(
                fsrs_rs_python.MemoryState(stability[index], difficulty[index]),
                desired_retention,
                elapsed,
            )
            if rng.random() < retrievability(elapsed, stability[index], parameters):
                rating = rng.choices(recalled_ratings, behaviour.recalled_rating)[0]
                memory = getattr(states, _ANSWERS[rating - 1]).memory
                seconds += behaviour.review_seconds[rating - 1]
            else:
                memory = states.again.memory
                for _ in range(limits.relearning_steps):
                    memory = model.next_states(memory, desired_retention, 0).good.memory
                seconds += behaviour.review_seconds[0] + behaviour.relearn_seconds
            stability[index], difficulty[index] = memory.stability, memory.difficulty
            last[index] = day
            due[day + interval(memory.stability)].append(index)
            reviews += 1
        for _ in range(min(limits.new_per_day, new_cards - learned)):
            rating = rng.choices((1, 2, 3, 4), behaviour.first_rating)[0]
            memory = getattr(model.next_states(None, desired_retention, 0), _ANSWERS[rating - 1])
            memory = memory.memory
            for _ in range(extra_goods[rating - 1]):
                memory = model.next_states(memory, desired_retention, 0).good.memory
            seconds += behaviour.learn_seconds
            stability.append(memory.stability)
            difficulty.append(memory.difficulty)
            last.append(day)
            due[day + interval(memory.stability)].append(len(stability) - 1)
            learned += 1
    known = sum(
        retrievability(days - seen, held, parameters)
        for seen, held in zip(last, stability, strict=True)
    )
    return RetentionRow(
        desired_retention=desired_retention,
        reviews_per_day=reviews / days,
        new_per_day=learned / days,
        minutes_per_day=seconds / 60 / days,
        cards_known=known,
    )


def retention_table(
    parameters: Sequence[float],
    cards: Sequence[StartingCard],
    new_cards: int,
    behaviour: Behaviour,
    limits: Limits,
    *,
    retentions: Sequence[float] = RETENTIONS,
    days: int = DAYS,
    seed: int = SEED,
    on_step: Callable[[int, int], None] | None = None,
) -> list[RetentionRow]:
    """One simulated year per desired retention, all from the same starting cards and seed."""
    rows = []
    for done, retention in enumerate(retentions, 1):
        rows.append(
            simulate_year(
                parameters, retention, cards, new_cards, behaviour, limits, days=days, seed=seed
            )
        )
        if on_step is not None:
            on_step(done, len(retentions))
    return rows


def collection_cards(collection: Collection, today: StudyDay) -> tuple[list[StartingCard], int]:
    """The collection's studied cards as they stand, and the number of new cards; suspended and
    retired cards take no part."""
    table = cards
    statement = select(
        table.c.state, table.c.stability, table.c.difficulty, table.c.last_review, table.c.due
    ).where(table.c.retired.is_(False), table.c.suspended.is_(False))
    started: list[StartingCard] = []
    new = 0
    with collection.read() as conn:
        rows = conn.execute(statement).all()
    for row in rows:
        if row.state == CardState.NEW or row.stability is None or row.difficulty is None:
            new += 1
            continue
        last_review = row.last_review or row.due
        started.append(
            StartingCard(
                stability=row.stability,
                difficulty=row.difficulty,
                last_day=_offset(last_review, today),
                due_day=max(_offset(row.due, today), 0),
            )
        )
    return started, new


def _offset(instant: datetime, today: StudyDay) -> int:
    """Study days from today to `instant` (negative in the past)."""
    day = study_day(instant, today.zone, today.rollover_hour)
    return day.date.toordinal() - today.date.toordinal()


def history_cards(
    histories: Sequence[CardHistory],
    parameters: Sequence[float],
    desired_retention: float,
    maximum_interval: int,
) -> list[StartingCard]:
    """Cards as a review log leaves them, the day after its last review: memory rebuilt from
    each history, due at the interval for `desired_retention`."""
    if not histories:
        return []
    states = memory_states(parameters, (card_steps(history) for history in histories))
    today = max(history.reviews[-1].day for history in histories) + 1
    stretch = curve(parameters).interval_stretch(desired_retention)
    started = []
    for history, state in zip(histories, states, strict=True):
        last_day = history.reviews[-1].day - today
        interval = min(max(round(state.stability * stretch), 1), maximum_interval)
        started.append(
            StartingCard(state.stability, state.difficulty, last_day, max(last_day + interval, 0))
        )
    return started


@dataclass(frozen=True, slots=True)
class RetentionChoice:
    """The figures for choosing desired retention, as a command or a screen shows them."""

    rows: list[RetentionRow]
    studied_cards: int
    new_cards: int
    fitted: bool  # simulated with the collection's fitted parameters (else the defaults)
    current: float  # the config's desired retention
    limits: Limits


def workspace_retention_choice(
    workspace, on_step: Callable[[int, int], None] | None = None
) -> RetentionChoice:
    """Simulate the workspace's collection at each of RETENTIONS with its active parameters,
    its limits and the way its owner answers. Reads only; takes a second or two."""
    config = workspace.config
    limits = Limits.from_config(config)
    histories = card_histories(
        collection_reviews(workspace.collection), workspace.zone, config.rollover_hour
    )
    behaviour = Behaviour.from_histories(histories, limits)
    cards, new = collection_cards(workspace.collection, workspace.today())
    parameters = workspace.parameters or DEFAULT_PARAMETERS
    rows = retention_table(parameters, cards, new, behaviour, limits, on_step=on_step)
    return RetentionChoice(
        rows, len(cards), new, workspace.parameters is not None, config.desired_retention, limits
    )
