"""Review histories: simulated with `fsrs` (fuzz off), then written straight into a collection.

A study history is simulated per *template*: a new card is answered when it falls due (plus a
realistic delay), recalled with the probability FSRS predicts, and rated Hard, Good or Easy when
recalled. Each template replays every answer through `fsrs.Scheduler`, so its final stability,
difficulty and due date are exactly what the program would have stored.

At 100,000 cards, simulating every card would take a while, so at most `MAX_TEMPLATES`
histories are simulated and cards share them, each shifted in time by its own amount. FSRS only
looks at the time between answers, so a shifted history stays exactly consistent with its card.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

import fsrs

from flashcards.clock import local_zone
from flashcards.config import Config
from flashcards.scheduling.days import study_day

__all__ = ["MAX_TEMPLATES", "Answer", "Placed", "Template", "place", "simulate", "write_ours"]

MAX_TEMPLATES = 10_000
DAY = 86_400.0
# The program's default scheduling settings (flashcards.config.Config).
LEARNING_STEPS = (timedelta(minutes=1), timedelta(minutes=10))
RELEARNING_STEPS = (timedelta(minutes=10),)
LEECH_LAPSES = 8
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # templates start here; placing shifts them


@dataclass(frozen=True, slots=True)
class Answer:
    """One simulated answer; `at` is seconds after the card's first answer."""

    at: float
    rating: int
    duration_ms: int
    state_before: int  # stored state: 0 new, 1 learning, 2 review, 3 relearning
    interval_before: float  # the interval the card was scheduled with (0 when new)
    scheduled_days: float
    stability: float
    difficulty: float


@dataclass(frozen=True, slots=True)
class Template:
    """One card's simulated history and the FSRS state it ends in, timed from its first answer."""

    answers: tuple[Answer, ...]
    state: int
    step: int | None
    stability: float
    difficulty: float
    due: float  # seconds after the first answer
    lapses: int
    age: float  # seconds from the first answer to now

    @property
    def last(self) -> float:
        return self.answers[-1].at


def _scheduler() -> fsrs.Scheduler:
    return fsrs.Scheduler(
        desired_retention=0.9,
        learning_steps=LEARNING_STEPS,
        relearning_steps=RELEARNING_STEPS,
        maximum_interval=36500,
        enable_fuzzing=False,
    )


def _rating(rng: random.Random, recalled: bool) -> fsrs.Rating:
    if not recalled:
        return fsrs.Rating.Again
    roll = rng.random()
    if roll < 0.10:
        return fsrs.Rating.Hard
    if roll < 0.90:
        return fsrs.Rating.Good
    return fsrs.Rating.Easy


def _simulate_one(scheduler: fsrs.Scheduler, rng: random.Random, card_id: int) -> Template:
    """Study one card from its introduction, some time in the past year, until now.

    Answers come when the card is due, plus a delay: minutes for learning steps, a share of
    the interval and up to a day for reviews, so that now finds a backlog of overdue cards.
    """
    age = rng.uniform(14, 365) * DAY  # introduced this long before now
    card = fsrs.Card(card_id=card_id, state=fsrs.State.Learning, step=0, due=_EPOCH)
    when = _EPOCH
    stored_state = 0
    lapses = 0
    answers: list[Answer] = []
    while True:
        if card.state == fsrs.State.Review:
            recalled = rng.random() < scheduler.get_card_retrievability(card, when)
        else:
            recalled = rng.random() < 0.9
        rating = _rating(rng, recalled)
        after, _log = scheduler.review_card(card, rating, review_datetime=when)
        if card.state == fsrs.State.Review and rating == fsrs.Rating.Again:
            lapses += 1
        answers.append(
            Answer(
                at=(when - _EPOCH).total_seconds(),
                rating=int(rating),
                duration_ms=int(min(60_000, rng.lognormvariate(8.9, 0.6))),
                state_before=stored_state,
                interval_before=answers[-1].scheduled_days if answers else 0.0,
                scheduled_days=(after.due - when).total_seconds() / DAY,
                stability=after.stability,
                difficulty=after.difficulty,
            )
        )
        card = after
        stored_state = int(card.state)
        gap = (card.due - when).total_seconds()
        if gap < DAY:
            delay = rng.uniform(0, 300)
        else:
            delay = rng.uniform(0, 0.35 * gap) + rng.uniform(0, DAY)
        when = card.due + timedelta(seconds=delay)
        if (when - _EPOCH).total_seconds() >= age:
            break
    return Template(
        answers=tuple(answers),
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=(card.due - _EPOCH).total_seconds(),
        lapses=lapses,
        age=age,
    )


def simulate(count: int, seed: int = 7) -> list[Template]:
    """`count` independent study histories."""
    scheduler = _scheduler()
    rng = random.Random(seed)
    return [_simulate_one(scheduler, rng, index + 1) for index in range(count)]


@dataclass(frozen=True, slots=True)
class Placed:
    """A template placed in real time for one card: `start` is its first answer (epoch s)."""

    template: Template
    start: float

    def time(self, offset: float) -> float:
        return self.start + offset


def place(templates: list[Template], cards: int, now: datetime, seed: int = 11) -> list[Placed]:
    """Give each of `cards` cards a template, ending now; cards that share a template are
    moved apart by up to half a day, never so far that an answer would be in the future."""
    rng = random.Random(seed)
    now_s = now.timestamp()
    placed = []
    for index in range(cards):
        template = templates[index % len(templates)]
        start = now_s - template.age
        if index >= len(templates):
            room = template.age - template.last - 60  # keep the last answer in the past
            start += rng.uniform(-0.5 * DAY, min(0.5 * DAY, room))
        placed.append(Placed(template, start))
    return placed


class _StudyDays:
    """The study day (local date from the rollover hour, as an ordinal) of UTC instants.

    Zone offsets are whole quarter hours, so one lookup per quarter hour serves them all."""

    def __init__(self, zone: tzinfo, rollover_hour: int) -> None:
        self.zone = zone
        self.rollover_hour = rollover_hour
        self.cache: dict[int, int] = {}

    def __call__(self, millis: int) -> int:
        quarter = millis // 900_000
        day = self.cache.get(quarter)
        if day is None:
            instant = datetime.fromtimestamp(quarter * 900, tz=UTC)
            day = study_day(instant, self.zone, self.rollover_hour).date.toordinal()
            self.cache[quarter] = day
        return day


def _review_rows(
    card_ids: list[int], histories: list[Placed], columns: set[str]
) -> tuple[list[str], list[tuple]]:
    """The review rows, in time order. Columns added to the table by later schema versions
    (`day`, `first_of_day`) are filled in when the table has them."""
    names = [
        "card_id",
        "rating",
        "reviewed_at",
        "duration_ms",
        "state_before",
        "interval_before",
        "scheduled_days",
        "stability",
        "difficulty",
    ]
    with_days = {"day", "first_of_day"} <= columns
    days = _StudyDays(local_zone(), Config().rollover_hour)
    rows = []
    for card_id, history in zip(card_ids, histories, strict=True):
        seen: set[int] = set()
        for answer in history.template.answers:
            millis = int(history.time(answer.at) * 1000)
            row = (
                card_id,
                answer.rating,
                millis,
                answer.duration_ms,
                answer.state_before,
                answer.interval_before,
                answer.scheduled_days,
                answer.stability,
                answer.difficulty,
            )
            if with_days:
                day = days(millis)
                row += (day, day not in seen)
                seen.add(day)
            rows.append(row)
    if with_days:
        names += ["day", "first_of_day"]
    rows.sort(key=lambda row: row[2])  # review ids follow time, as when studied for real
    return names, rows


def write_ours(database: str, card_ids: list[int], histories: list[Placed]) -> int:
    """Bulk-insert the answers into `review` and set each card's FSRS state to match.

    Returns the number of reviews written."""
    updates = []
    for card_id, history in zip(card_ids, histories, strict=True):
        template = history.template
        last_ms = int(history.time(template.last) * 1000)
        leech = template.lapses >= LEECH_LAPSES
        updates.append(
            (
                template.state,
                template.step,
                template.stability,
                template.difficulty,
                int(history.time(template.due) * 1000),
                last_ms,
                len(template.answers),
                template.lapses,
                leech,
                leech,
                last_ms,
                card_id,
            )
        )
    connection = sqlite3.connect(database)
    try:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(review)")}
        names, reviews = _review_rows(card_ids, histories, columns)
        with connection:
            connection.executemany(
                f"INSERT INTO review ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                reviews,
            )
            connection.executemany(
                "UPDATE card SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?,"
                " last_review = ?, reps = ?, lapses = ?, leech = ?, suspended = ?,"
                " modified_at = ? WHERE id = ?",
                updates,
            )
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return len(reviews)
