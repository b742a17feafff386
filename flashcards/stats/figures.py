"""The statistics: reviews per day, streaks, true retention, the forecast, card states and the
weakest decks and topics. Headless: `flashcards stats` prints them and the stats screen draws
them. Each figure is one or two aggregate queries over indexed columns."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import Connection, and_, func, select

from ..config import Config
from ..scheduling.days import StudyDay
from ..scheduling.scheduler import make_scheduler
from ..storage.cards import count_if
from ..storage.records import LEARNING, MANUAL, NEW, RELEARNING, REVIEW
from ..storage.tables import CardRow, DeckRow, ExamAnswerRow, ReviewRow
from ..storage.types import to_millis

__all__ = [
    "AreaFigures",
    "DayFigures",
    "Retention",
    "card_states",
    "collect",
    "forecast",
    "reviews_by_day",
    "streaks",
    "true_retention",
    "weak_areas",
]

cards = CardRow.__table__
decks = DeckRow.__table__
reviews = ReviewRow.__table__
exam_answers = ExamAnswerRow.__table__

MATURE_DAYS = 21
PERIODS = {"day": 1, "week": 7, "month": 30, "year": 365}


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


def reviews_by_day(conn: Connection, today: StudyDay, days: int) -> list[DayFigures]:
    """The last `days` study days, oldest first, including days with no answers."""
    first = today.date.toordinal() - days + 1
    statement = (
        select(
            reviews.c.day,
            count_if(reviews.c.state_before.in_((NEW, LEARNING))),
            count_if(reviews.c.state_before == REVIEW),
            count_if(reviews.c.state_before == RELEARNING),
            func.coalesce(func.sum(reviews.c.duration_ms), 0),
        )
        .where(reviews.c.day >= first, reviews.c.day <= today.date.toordinal())
        .where(reviews.c.state_before != MANUAL)
        .group_by(reviews.c.day)
    )
    found = {row[0]: row[1:] for row in conn.execute(statement)}
    result = []
    for ordinal in range(first, today.date.toordinal() + 1):
        learning, review, relearning, millis = found.get(ordinal, (0, 0, 0, 0))
        result.append(
            DayFigures(date.fromordinal(ordinal), learning, review, relearning, millis / 1000)
        )
    return result


def study_days(conn: Connection) -> list[int]:
    """Every study day with at least one answer, as ordinals, ascending."""
    statement = select(reviews.c.day).where(reviews.c.state_before != MANUAL).distinct()
    return sorted(day for (day,) in conn.execute(statement))


def streaks(days_studied: list[int], today: StudyDay) -> tuple[int, int]:
    """(current, longest) runs of consecutive study days; today without answers yet does not
    break the current streak."""
    longest = run = 0
    previous = None
    for ordinal in days_studied:
        run = run + 1 if previous is not None and ordinal == previous + 1 else 1
        longest = max(longest, run)
        previous = ordinal
    studied = set(days_studied)
    cursor = today.date.toordinal()
    if cursor not in studied:
        cursor -= 1
    current = 0
    while cursor in studied:
        current += 1
        cursor -= 1
    return current, longest


@dataclass(frozen=True, slots=True)
class Retention:
    passed: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None


def true_retention(conn: Connection, today: StudyDay) -> dict[str, dict[str, Retention]]:
    """Pass rate of review cards' first answer each day (Again fails; Hard, Good, Easy pass),
    for young and mature cards (interval under / at least 21 days), over each period."""
    now_day = today.date.toordinal()
    columns = []
    for length in PERIODS.values():
        in_period = reviews.c.day > now_day - length
        for is_group in (
            reviews.c.interval_before < MATURE_DAYS,
            reviews.c.interval_before >= MATURE_DAYS,
        ):
            columns.append(count_if(and_(in_period, is_group, reviews.c.rating > 1)))
            columns.append(count_if(and_(in_period, is_group)))
    statement = select(*columns).where(
        reviews.c.first_of_day.is_(True),
        reviews.c.state_before == REVIEW,
        reviews.c.day > now_day - max(PERIODS.values()),
        reviews.c.day <= now_day,
    )
    values = [int(v or 0) for v in conn.execute(statement).one()]
    result: dict[str, dict[str, Retention]] = {}
    index = 0
    for name in PERIODS:
        young = Retention(values[index], values[index + 1])
        mature = Retention(values[index + 2], values[index + 3])
        index += 4
        result[name] = {
            "young": young,
            "mature": mature,
            "all": Retention(young.passed + mature.passed, young.total + mature.total),
        }
    return result


def forecast(
    conn: Connection, today: StudyDay, now: datetime, days: int = 30
) -> list[tuple[date, int]]:
    """Learning and review cards due on each of the next `days` study days (overdue ones count
    for today)."""
    bounds = [today.next(i).end for i in range(days)]
    columns = []
    for index, end in enumerate(bounds):
        due_then = (
            cards.c.due < end
            if index == 0
            else and_(cards.c.due >= bounds[index - 1], cards.c.due < end)
        )
        columns.append(count_if(due_then))
    statement = select(*columns).where(
        cards.c.retired.is_(False),
        cards.c.suspended.is_(False),
        cards.c.state.in_((LEARNING, REVIEW, RELEARNING)),
        cards.c.due < bounds[-1],
    )
    counts = [int(v or 0) for v in conn.execute(statement).one()]
    return [(today.next(i).date, counts[i]) for i in range(days)]


def card_states(conn: Connection, now: datetime) -> dict[str, int]:
    """Cards by state; suspended, leech and buried cards are also counted apart."""
    statement = select(
        count_if(and_(cards.c.state == NEW, cards.c.suspended.is_(False))),
        count_if(and_(cards.c.state == LEARNING, cards.c.suspended.is_(False))),
        count_if(and_(cards.c.state == REVIEW, cards.c.suspended.is_(False))),
        count_if(and_(cards.c.state == RELEARNING, cards.c.suspended.is_(False))),
        count_if(cards.c.suspended.is_(True)),
        count_if(cards.c.leech.is_(True)),
        count_if(and_(cards.c.buried_until.is_not(None), cards.c.buried_until > now)),
    ).where(cards.c.retired.is_(False))
    names = ("new", "learning", "review", "relearning", "suspended", "leech", "buried")
    return dict(zip(names, (int(v or 0) for v in conn.execute(statement).one()), strict=True))


@dataclass(frozen=True, slots=True)
class AreaFigures:
    """A deck or a topic: how well it is known."""

    deck: str
    topic: str  # empty for a whole deck
    cards: int
    reviewed: int
    retrievability: float | None  # mean over reviewed cards, now
    retention: float | None  # true retention over the last year
    lapses: int
    exam_score: float | None

    @property
    def name(self) -> str:
        return self.deck + (" › " + self.topic if self.topic else "")


def weak_areas(
    conn: Connection, config: Config, today: StudyDay, now: datetime
) -> tuple[list[AreaFigures], list[AreaFigures]]:
    """Per deck and per topic, weakest first: what to study before the interview."""
    parameters = make_scheduler(config).parameters
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    now_ms = to_millis(now)
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0, 0.0, 0])
    statement = (
        select(decks.c.name, cards.c.topic, cards.c.stability, cards.c.last_review, cards.c.lapses)
        .join(decks, decks.c.id == cards.c.deck_id)
        .where(cards.c.retired.is_(False))
    )
    for deck, topic, stability, last_review, lapses in conn.execute(statement):
        entry = sums[(deck, topic)]
        entry[0] += 1
        entry[3] += lapses
        if stability and last_review is not None:
            elapsed = max(0.0, (now_ms - to_millis(last_review)) / 86_400_000)
            entry[1] += 1
            entry[2] += math.pow(1 + factor * elapsed / stability, decay)
    retention = _retention_by_area(conn, today)
    exams = _exam_scores(conn)

    def figures(keys, deck: str, topic: str) -> AreaFigures:
        count = sum(sums[k][0] for k in keys)
        reviewed = sum(sums[k][1] for k in keys)
        r_sum = sum(sums[k][2] for k in keys)
        lapses = sum(sums[k][3] for k in keys)
        passed = sum(retention.get(k, (0, 0))[0] for k in keys)
        total = sum(retention.get(k, (0, 0))[1] for k in keys)
        credit = sum(exams.get(k, (0.0, 0))[0] for k in keys)
        asked = sum(exams.get(k, (0.0, 0))[1] for k in keys)
        return AreaFigures(
            deck=deck,
            topic=topic,
            cards=int(count),
            reviewed=int(reviewed),
            retrievability=r_sum / reviewed if reviewed else None,
            retention=passed / total if total else None,
            lapses=int(lapses),
            exam_score=credit / asked if asked else None,
        )

    by_deck_keys: dict[str, list] = defaultdict(list)
    for key in sums:
        by_deck_keys[key[0]].append(key)
    deck_rows = [figures(keys, deck, "") for deck, keys in by_deck_keys.items()]
    topic_rows = [figures([key], key[0], key[1]) for key in sums if key[1]]
    return sorted(deck_rows, key=_weakness), sorted(topic_rows, key=_weakness)


def _weakness(area: AreaFigures) -> tuple:
    """Weakest first: lowest of recall now, true retention and exam score; unseen areas after
    the measured ones (nothing is known about them yet)."""
    measured = [v for v in (area.retrievability, area.retention, area.exam_score) if v is not None]
    if not measured:
        return (1, 0.0, area.name)
    return (0, min(measured), area.name)


def _retention_by_area(conn: Connection, today: StudyDay) -> dict[tuple[str, str], tuple[int, int]]:
    statement = (
        select(decks.c.name, cards.c.topic, count_if(reviews.c.rating > 1), func.count())
        .select_from(
            reviews.join(cards, cards.c.id == reviews.c.card_id).join(
                decks, decks.c.id == cards.c.deck_id
            )
        )
        .where(
            reviews.c.first_of_day.is_(True),
            reviews.c.state_before == REVIEW,
            reviews.c.day > today.date.toordinal() - 365,
        )
        .group_by(decks.c.name, cards.c.topic)
    )
    return {(d, t): (int(p or 0), int(n)) for d, t, p, n in conn.execute(statement)}


def _exam_scores(conn: Connection) -> dict[tuple[str, str], tuple[float, int]]:
    statement = (
        select(decks.c.name, cards.c.topic, func.sum(exam_answers.c.credit), func.count())
        .select_from(
            exam_answers.join(cards, cards.c.id == exam_answers.c.card_id).join(
                decks, decks.c.id == cards.c.deck_id
            )
        )
        .group_by(decks.c.name, cards.c.topic)
    )
    return {(d, t): (float(s or 0), int(n)) for d, t, s, n in conn.execute(statement)}


def collect(workspace, days: int = 30) -> dict:
    """Every figure, as plain data (what `flashcards stats --json` prints)."""
    from ..study.exam import exam_history

    today = workspace.today()
    now = workspace.clock.now()
    with workspace.collection.read() as conn:
        per_day = reviews_by_day(conn, today, days)
        studied = study_days(conn)
        current, longest = streaks(studied, today)
        retention = true_retention(conn, today)
        due = forecast(conn, today, now)
        states = card_states(conn, now)
        heat = reviews_by_day(conn, today, 365)
        by_deck, by_topic = weak_areas(conn, workspace.config, today, now)
    return {
        "desired_retention": workspace.config.desired_retention,
        "reviews_per_day": [
            {**asdict(d), "date": d.date.isoformat(), "total": d.total} for d in per_day
        ],
        "heatmap": {d.date.isoformat(): d.total for d in heat if d.total},
        "streak": {"current": current, "longest": longest},
        "true_retention": {
            period: {
                group: {"passed": r.passed, "total": r.total, "rate": r.rate}
                for group, r in groups.items()
            }
            for period, groups in retention.items()
        },
        "forecast": [{"date": d.isoformat(), "due": n} for d, n in due],
        "card_states": states,
        "decks": [_area_json(a) for a in by_deck],
        "topics": [_area_json(a) for a in by_topic],
        "exams": exam_history(workspace.collection),
    }


def _area_json(area: AreaFigures) -> dict:
    data = asdict(area)
    data["name"] = area.name
    for key in ("retrievability", "retention", "exam_score"):
        if data[key] is not None:
            data[key] = round(data[key], 4)
    return data
