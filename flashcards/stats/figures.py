"""The statistics: reviews per day, streaks, true retention, the forecast, card states and the
weakest decks and topics, as typed figures. Headless: `flashcards stats` prints them (as text or
through each figure's `to_json()`) and the statistics screen draws them. Their SQL is in
flashcards/storage/statistics.py; the rules (the forgetting curve, what counts as a pass, what
is mature, how a topic reads) come from their own homes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect

from ..clock import Clock
from ..config import Config
from ..optimizer.store import active_parameters
from ..review_rules import CardState, topic_label
from ..scheduling.days import StudyDay
from ..scheduling.recall import curve, recall_sql
from ..scheduling.streak import streaks
from ..storage import statistics
from ..storage.collection import Collection
from .exams import ExamFigures, exam_figures
from .rounds import RoundFigures, StepCoverage, round_history, step_coverage

__all__ = [
    "FORECAST_DAYS",
    "PERIODS",
    "AreaFigures",
    "Areas",
    "CardStates",
    "DayFigures",
    "DueDay",
    "Figures",
    "PeriodRetention",
    "Retention",
    "Source",
    "Streak",
    "card_states",
    "collect",
    "compile_statements",
    "forecast",
    "reviews_by_day",
    "streaks",
    "true_retention",
    "weak_areas",
]

PERIODS = {"day": 1, "week": 7, "month": 30, "year": 365}
FORECAST_DAYS = 30
HEATMAP_DAYS = 365

JSON = dict[str, Any]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True, slots=True)
class DayFigures:
    """Answers on one study day, split by the card's state before the answer."""

    date: date
    learning: int  # new cards and learning steps
    review: int
    relearning: int
    seconds: float

    @property
    def total(self) -> int:
        return self.learning + self.review + self.relearning

    def to_json(self) -> JSON:
        return {
            "date": self.date.isoformat(),
            "learning": self.learning,
            "review": self.review,
            "relearning": self.relearning,
            "seconds": self.seconds,
            "total": self.total,
        }


def reviews_by_day(conn: Connection, today: StudyDay, days: int) -> list[DayFigures]:
    """The last `days` study days, oldest first, including days with no answers."""
    first, last = today.date.toordinal() - days + 1, today.date.toordinal()
    found = {row.day: row for row in statistics.day_totals(conn, first, last)}
    result = []
    for ordinal in range(first, last + 1):
        row = found.get(ordinal)
        if row is None:
            result.append(DayFigures(date.fromordinal(ordinal), 0, 0, 0, 0.0))
        else:
            day = date.fromordinal(ordinal)
            seconds = row.duration_ms / 1000
            result.append(DayFigures(day, row.learning, row.review, row.relearning, seconds))
    return result


@dataclass(frozen=True, slots=True)
class Retention:
    passed: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None

    def to_json(self) -> JSON:
        return {"passed": self.passed, "total": self.total, "rate": self.rate}


@dataclass(frozen=True, slots=True)
class PeriodRetention:
    """True retention over one period, for young and mature cards and for all of them."""

    young: Retention
    mature: Retention

    @property
    def all(self) -> Retention:
        young, mature = self.young, self.mature
        return Retention(young.passed + mature.passed, young.total + mature.total)

    def to_json(self) -> JSON:
        return {
            "young": self.young.to_json(),
            "mature": self.mature.to_json(),
            "all": self.all.to_json(),
        }


def true_retention(conn: Connection, today: StudyDay) -> dict[str, PeriodRetention]:
    """Pass rate (`passes`) of the answers that count for true retention
    (`counts_for_retention`), for young and mature cards (`is_mature`), over each of
    `PERIODS`, by name."""
    now_day = today.date.toordinal()
    counts = {name: [0, 0, 0, 0] for name in PERIODS}
    for day, *values in statistics.retention_totals(conn, now_day - max(PERIODS.values()), now_day):
        for name, length in PERIODS.items():
            if day > now_day - length:
                counts[name] = [a + b for a, b in zip(counts[name], values, strict=True)]
    return {
        name: PeriodRetention(Retention(young_passed, young_total), Retention(passed, total))
        for name, (young_passed, young_total, passed, total) in counts.items()
    }


@dataclass(frozen=True, slots=True)
class DueDay:
    """The learning and review cards due on one study day (overdue ones count for today)."""

    date: date
    due: int

    def to_json(self) -> JSON:
        return {"date": self.date.isoformat(), "due": self.due}


def forecast(conn: Connection, today: StudyDay, days: int = FORECAST_DAYS) -> list[DueDay]:
    """The cards due on each of the next `days` study days, today first."""
    window = [today.next(i) for i in range(days)]
    counts = statistics.due_counts(conn, [day.end for day in window])
    return [DueDay(day.date, count) for day, count in zip(window, counts, strict=True)]


@dataclass(frozen=True, slots=True)
class CardStates:
    """Cards in use by state, suspended ones apart; leeches and buried cards are counted
    again apart (a leech may be suspended, a buried card has a state)."""

    new: int
    learning: int
    review: int
    relearning: int
    suspended: int
    leech: int
    buried: int

    @property
    def in_use(self) -> int:
        """Every card in use: the state counts leave suspended cards out."""
        return self.new + self.learning + self.review + self.relearning + self.suspended

    def to_json(self) -> dict[str, int]:
        return {
            "new": self.new,
            "learning": self.learning,
            "review": self.review,
            "relearning": self.relearning,
            "suspended": self.suspended,
            "leech": self.leech,
            "buried": self.buried,
        }


def card_states(conn: Connection, now: datetime) -> CardStates:
    counted = statistics.state_counts(conn, now)
    by_state = dict.fromkeys(CardState, 0)
    suspended = 0
    for is_suspended, state, count in counted.by_state:
        if is_suspended:
            suspended += count
        else:
            by_state[state] += count
    return CardStates(
        new=by_state[CardState.NEW],
        learning=by_state[CardState.LEARNING],
        review=by_state[CardState.REVIEW],
        relearning=by_state[CardState.RELEARNING],
        suspended=suspended,
        leech=counted.leeches,
        buried=counted.buried,
    )


@dataclass(frozen=True, slots=True)
class AreaFigures:
    """A deck or a topic: how well it is known."""

    deck: str
    topic: str  # empty for a whole deck
    cards: int
    reviewed: int
    retrievability: float | None  # mean over reviewed cards, now
    retention: float | None  # true retention over each card's whole history
    lapses: int
    exam_score: float | None

    @property
    def name(self) -> str:
        return topic_label(self.deck, self.topic)

    @classmethod
    def of(cls, totals: statistics.AreaTotals) -> AreaFigures:
        return cls(
            deck=totals.deck,
            topic=totals.topic,
            cards=totals.cards,
            reviewed=totals.reviewed,
            retrievability=totals.recall / totals.reviewed if totals.reviewed else None,
            retention=totals.passed / totals.total if totals.total else None,
            lapses=totals.lapses,
            exam_score=totals.credit / totals.asked if totals.asked else None,
        )

    def weakness(self) -> tuple[int, float, str]:
        """Weakest first: lowest of recall now, true retention and exam score; unseen areas
        after the measured ones (nothing is known about them yet)."""
        measured = [
            v for v in (self.retrievability, self.retention, self.exam_score) if v is not None
        ]
        if not measured:
            return (1, 0.0, self.name)
        return (0, min(measured), self.name)

    def to_json(self) -> JSON:
        return {
            "deck": self.deck,
            "topic": self.topic,
            "cards": self.cards,
            "reviewed": self.reviewed,
            "retrievability": _rounded(self.retrievability),
            "retention": _rounded(self.retention),
            "lapses": self.lapses,
            "exam_score": _rounded(self.exam_score),
            "name": self.name,
        }


@dataclass(frozen=True, slots=True)
class Areas:
    """The decks and the topics, weakest first. `topics` may be the weakest few of
    `topic_count`."""

    decks: list[AreaFigures]
    topics: list[AreaFigures]
    topic_count: int


def weak_areas(
    conn: Connection,
    now: datetime,
    topics: int | None = None,
    parameters: Sequence[float] | None = None,
) -> Areas:
    """Per deck and per topic, weakest first: what to study before the interview. Recall now
    is FSRS's retrievability (with the collection's `parameters`) averaged over the cards
    studied; retention is true retention over each card's whole history (kept on the card as it
    is answered). With `topics`, only that many of the weakest topics are listed (the count
    says how many there are)."""
    forgetting = curve(parameters)
    totals = statistics.area_totals(
        conn, recall_sql, now, forgetting.factor, forgetting.decay, topics
    )
    # The engine chose the weakest topics; its rows need not keep their order.
    decks = sorted(map(AreaFigures.of, totals.decks), key=AreaFigures.weakness)
    weakest = sorted(map(AreaFigures.of, totals.topics), key=AreaFigures.weakness)
    return Areas(decks, weakest, totals.topic_count)


def compile_statements(dialect: Dialect) -> None:
    """Compile the statistics' statements ahead of their first use (the app does this in the
    background once the home screen is up)."""
    statistics.compile_statements(dialect, recall_sql, FORECAST_DAYS)


@dataclass(frozen=True, slots=True)
class Streak:
    current: int
    longest: int

    def to_json(self) -> dict[str, int]:
        return {"current": self.current, "longest": self.longest}


@dataclass(frozen=True, slots=True)
class Figures:
    """Every statistic, as of one moment."""

    desired_retention: float
    days: list[DayFigures]  # the last `days` asked for, oldest first
    heatmap: dict[date, int]  # answers on each study day of the last year that has any
    streak: Streak
    retention: dict[str, PeriodRetention]  # by period, as PERIODS
    forecast: list[DueDay]
    states: CardStates
    exams: list[ExamFigures]
    rounds: list[RoundFigures]
    round_steps: list[StepCoverage]
    areas: Areas

    def to_json(self) -> JSON:
        """What `flashcards stats --json` prints of them."""
        return {
            "desired_retention": self.desired_retention,
            "reviews_per_day": [day.to_json() for day in self.days],
            "heatmap": {day.isoformat(): count for day, count in self.heatmap.items()},
            "streak": self.streak.to_json(),
            "true_retention": {name: r.to_json() for name, r in self.retention.items()},
            "forecast": [day.to_json() for day in self.forecast],
            "card_states": self.states.to_json(),
            "exams": [exam.to_json() for exam in self.exams],
            "rounds": [attempt.to_json() for attempt in self.rounds],
            "round_steps": [step.to_json() for step in self.round_steps],
            "decks": [area.to_json() for area in self.areas.decks],
            "topics": [area.to_json() for area in self.areas.topics],
            "topic_count": self.areas.topic_count,
        }


class Source(Protocol):
    """Where the figures come from (a Workspace is one)."""

    collection: Collection
    config: Config
    clock: Clock

    def today(self) -> StudyDay: ...


def collect(source: Source, days: int = 30, topics: int | None = None) -> Figures:
    """Every figure, with the last `days` days per day; with `topics`, only that many of the
    weakest topics."""
    today = source.today()
    now = source.clock.now()
    parameters = active_parameters(source.collection)  # as accepted now, maybe since opening
    # One read transaction: every figure sees the collection as it was at one moment.
    with source.collection.read() as conn, conn.begin():
        areas = weak_areas(conn, now, topics, parameters)
        due = forecast(conn, today)
        states = card_states(conn, now)
        heat = reviews_by_day(conn, today, max(days, HEATMAP_DAYS))
        current, longest = streaks(statistics.study_days(conn), today)
        retention = true_retention(conn, today)
        rounds = round_history(conn, source.clock.now)
        exams = exam_figures(conn)
    return Figures(
        desired_retention=source.config.desired_retention,
        days=heat[-days:],
        heatmap={d.date: d.total for d in heat[-HEATMAP_DAYS:] if d.total},
        streak=Streak(current, longest),
        retention=retention,
        forecast=due,
        states=states,
        exams=exams,
        rounds=rounds,
        round_steps=step_coverage(rounds),
        areas=areas,
    )
