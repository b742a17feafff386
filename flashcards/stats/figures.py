"""The statistics: reviews per day, streaks, true retention, the forecast, card states and the
weakest decks and topics. Headless: `flashcards stats` prints them and the stats screen draws
them. Each figure is one or two aggregate queries over indexed columns."""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import BigInteger, Connection, and_, func, select, type_coerce

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
    mature = reviews.c.interval_before >= MATURE_DAYS
    passed = reviews.c.rating > 1
    statement = (
        select(reviews.c.day, mature, passed, func.count())
        .where(
            reviews.c.first_of_day.is_(True),
            reviews.c.state_before == REVIEW,
            reviews.c.day > now_day - max(PERIODS.values()),
            reviews.c.day <= now_day,
        )
        .group_by(reviews.c.day, mature, passed)
    )
    counts = {name: {"young": [0, 0], "mature": [0, 0]} for name in PERIODS}
    for day, is_mature, is_pass, count in conn.execute(statement):
        for name, length in PERIODS.items():
            if day > now_day - length:
                cell = counts[name]["mature" if is_mature else "young"]
                cell[0] += count if is_pass else 0
                cell[1] += count
    result: dict[str, dict[str, Retention]] = {}
    for name in PERIODS:
        young = Retention(*counts[name]["young"])
        old = Retention(*counts[name]["mature"])
        result[name] = {
            "young": young,
            "mature": old,
            "all": Retention(young.passed + old.passed, young.total + old.total),
        }
    return result


def forecast(
    conn: Connection, today: StudyDay, now: datetime, days: int = 30
) -> list[tuple[date, int]]:
    """Learning and review cards due on each of the next `days` study days (overdue ones count
    for today)."""
    bounds = [today.next(i).end for i in range(days)]
    statement = select(cards.c.due).where(
        cards.c.retired.is_(False),
        cards.c.suspended.is_(False),
        cards.c.state.in_((LEARNING, REVIEW, RELEARNING)),
        cards.c.due < bounds[-1],
    )
    counts = [0] * days
    for (due,) in conn.execute(statement):
        counts[bisect.bisect_right(bounds, due)] += 1
    return [(today.next(i).date, counts[i]) for i in range(days)]


def card_states(conn: Connection, now: datetime) -> dict[str, int]:
    """Cards by state; suspended, leech and buried cards are also counted apart."""
    buried = and_(cards.c.buried_until.is_not(None), cards.c.buried_until > now)
    statement = (
        select(cards.c.state, cards.c.suspended, cards.c.leech, buried, func.count())
        .where(cards.c.retired.is_(False))
        .group_by(cards.c.state, cards.c.suspended, cards.c.leech, buried)
    )
    names = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}
    result = dict.fromkeys(
        ("new", "learning", "review", "relearning", "suspended", "leech", "buried"), 0
    )
    for state, suspended, leech, is_buried, count in conn.execute(statement):
        if suspended:
            result["suspended"] += count
        else:
            result[names[state]] += count
        result["leech"] += count if leech else 0
        result["buried"] += count if is_buried else 0
    return result


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
    area_of: dict[int, tuple[str, str]] = {}
    statement = (
        select(
            cards.c.id,
            decks.c.name,
            cards.c.topic,
            cards.c.stability,
            type_coerce(cards.c.last_review, BigInteger),  # the stored milliseconds, as is
            cards.c.lapses,
        )
        .join(decks, decks.c.id == cards.c.deck_id)
        .where(cards.c.retired.is_(False))
    )
    for card_id, deck, topic, stability, last_review, lapses in conn.execute(statement):
        area_of[card_id] = (deck, topic)
        entry = sums[(deck, topic)]
        entry[0] += 1
        entry[3] += lapses
        if stability and last_review is not None:
            elapsed = max(0.0, (now_ms - last_review) / 86_400_000)
            entry[1] += 1
            entry[2] += math.pow(1 + factor * elapsed / stability, decay)
    retention = _retention_by_area(conn, today, area_of)
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


def _retention_by_area(
    conn: Connection, today: StudyDay, area_of: dict[int, tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, int]]:
    """True retention over the last year per (deck, topic): counted per card in SQL (no join
    over the review log), then gathered by area."""
    statement = (
        select(reviews.c.card_id, count_if(reviews.c.rating > 1), func.count())
        .where(
            reviews.c.first_of_day.is_(True),
            reviews.c.state_before == REVIEW,
            reviews.c.day > today.date.toordinal() - 365,
        )
        .group_by(reviews.c.card_id)
    )
    result: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for card_id, passed, total in conn.execute(statement):
        area = area_of.get(card_id)
        if area is not None:
            result[area][0] += int(passed or 0)
            result[area][1] += int(total)
    return {area: (p, n) for area, (p, n) in result.items()}


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
        heat = reviews_by_day(conn, today, max(days, 365))
        per_day = heat[-days:]
        studied = study_days(conn)
        current, longest = streaks(studied, today)
        retention = true_retention(conn, today)
        due = forecast(conn, today, now)
        states = card_states(conn, now)
        by_deck, by_topic = weak_areas(conn, workspace.config, today, now)
    return {
        "desired_retention": workspace.config.desired_retention,
        "reviews_per_day": [
            {**asdict(d), "date": d.date.isoformat(), "total": d.total} for d in per_day
        ],
        "heatmap": {d.date.isoformat(): d.total for d in heat[-365:] if d.total},
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
