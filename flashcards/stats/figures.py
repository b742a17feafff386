"""The statistics: reviews per day, streaks, true retention, the forecast, card states and the
weakest decks and topics. Headless: `flashcards stats` prints them and the stats screen draws
them. They read the totals kept as answers are given (flashcards/storage/totals.py) and an
index that holds every card column they need, never the review log or the cards' text."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Connection,
    Float,
    Integer,
    and_,
    bindparam,
    column,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy import values as value_rows
from sqlalchemy.engine import Dialect

from ..config import Config
from ..optimizer.store import active_parameters
from ..review_rules import TOPIC_SEPARATOR, CardState, topic_label
from ..scheduling.days import StudyDay
from ..scheduling.recall import curve, elapsed_days_sql, retrievability_sql
from ..scheduling.streak import STUDY_DAYS, streaks, study_days
from ..storage.packed import PackedStatement
from ..storage.tables import cards, decks, exam_answers, review_days
from ..storage.types import to_millis

__all__ = [
    "PERIODS",
    "AreaFigures",
    "Areas",
    "DayFigures",
    "Retention",
    "card_states",
    "cards_in_use",
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
    first, last = today.date.toordinal() - days + 1, today.date.toordinal()
    found = {row[0]: row[1:] for row in _DAYS.rows(conn, {"first": first, "last": last})}
    result = []
    for ordinal in range(first, last + 1):
        learning, review, relearning, millis = found.get(ordinal, (0, 0, 0, 0))
        result.append(
            DayFigures(date.fromordinal(ordinal), learning, review, relearning, millis / 1000)
        )
    return result


# Statements built once, with bound parameters, and compiled ahead (`compile_statements`).
_DAYS = PackedStatement(
    select(
        review_days.c.day,
        review_days.c.learning,
        review_days.c.review,
        review_days.c.relearning,
        review_days.c.duration_ms,
    ).where(review_days.c.day >= bindparam("first"), review_days.c.day <= bindparam("last"))
)
_RETENTION_DAYS = PackedStatement(
    select(
        review_days.c.day,
        review_days.c.young_passed,
        review_days.c.young_total,
        review_days.c.mature_passed,
        review_days.c.mature_total,
    ).where(review_days.c.day > bindparam("after"), review_days.c.day <= bindparam("last"))
)


@dataclass(frozen=True, slots=True)
class Retention:
    passed: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None


def true_retention(conn: Connection, today: StudyDay) -> dict[str, dict[str, Retention]]:
    """Pass rate (`passes`) of the answers that count for true retention
    (`counts_for_retention`), for young and mature cards (`is_mature`), over each period."""
    now_day = today.date.toordinal()
    window = {"after": now_day - max(PERIODS.values()), "last": now_day}
    counts = {name: [0, 0, 0, 0] for name in PERIODS}
    for day, *values in _RETENTION_DAYS.rows(conn, window):
        for name, length in PERIODS.items():
            if day > now_day - length:
                counts[name] = [a + b for a, b in zip(counts[name], values, strict=True)]
    result: dict[str, dict[str, Retention]] = {}
    for name, (young_passed, young_total, mature_passed, mature_total) in counts.items():
        result[name] = {
            "young": Retention(young_passed, young_total),
            "mature": Retention(mature_passed, mature_total),
            "all": Retention(young_passed + mature_passed, young_total + mature_total),
        }
    return result


def forecast(
    conn: Connection, today: StudyDay, now: datetime, days: int = FORECAST_DAYS
) -> list[tuple[date, int]]:
    """Learning and review cards due on each of the next `days` study days (overdue ones count
    for today)."""
    window_days = [today.next(i) for i in range(days)]
    ends = [to_millis(day.end) for day in window_days]
    starts = [-(2**62), *ends[:-1]]  # today's count takes every overdue card
    bounds = {f"start_{i}": start for i, start in enumerate(starts)}
    bounds.update({f"end_{i}": end for i, end in enumerate(ends)})
    counted = dict(_forecast_statement(days).rows(conn, bounds))
    return [(day.date, int(counted[i])) for i, day in enumerate(window_days)]


@functools.cache
def _forecast_statement(days: int) -> PackedStatement:
    """The forecast over `days` days; its parameters: start_0, end_0, ... (milliseconds)."""
    columns = (column("day", Integer), column("start", BigInteger), column("end", BigInteger))
    rows = [
        (i, bindparam(f"start_{i}", type_=BigInteger), bindparam(f"end_{i}", type_=BigInteger))
        for i in range(days)
    ]
    window = value_rows(*columns, name="window").data(rows).cte("window")
    # A count per day, each a range of the queue index (state, then due): SQLite visits only the
    # cards due in the window, and returns one row a day. (A worker lets go of the GIL at every
    # row a statement returns; while the interface thread draws, each row then costs up to a
    # switch interval, and the 2,880 quarter hours this was once counted in took 60-100 ms.)
    due = type_coerce(cards.c.due, BigInteger)
    count = (
        select(func.count())
        .where(
            cards.c.retired.is_(False),
            cards.c.suspended.is_(False),
            cards.c.state.in_((CardState.LEARNING, CardState.REVIEW, CardState.RELEARNING)),
            due >= window.c.start,
            due < window.c.end,
        )
        .scalar_subquery()
    )
    return PackedStatement(select(window.c.day, count))


def card_states(conn: Connection, now: datetime) -> dict[str, int]:
    """Cards by state; suspended, leech and buried cards are also counted apart. The states
    are counted along the queue index, grouped as it is ordered; leeches and buried cards,
    rare, each from an index that holds only them."""
    counts = {"new": 0, "learning": 0, "review": 0, "relearning": 0, "suspended": 0}
    for kind, suspended, state, count in _STATES.rows(conn, {"now": now}):
        if kind == 0:
            counts["suspended" if suspended else CardState(state).name.lower()] += count
        else:
            counts["leech" if kind == 1 else "buried"] = count
    return counts


def _states_statement() -> PackedStatement:
    active = cards.c.retired.is_(False)
    by_state = (
        select(literal(0), cards.c.suspended, cards.c.state, func.count())
        .where(active)
        .group_by(cards.c.suspended, cards.c.state)
    )
    # `leech = 1`, as the index's WHERE is written: SQLite uses a partial index only then.
    leeches = select(literal(1), literal(0), literal(0), func.count()).where(
        cards.c.leech == True,  # noqa: E712
        active,
    )
    now = bindparam("now", type_=cards.c.buried_until.type)
    buried = select(literal(2), literal(0), literal(0), func.count()).where(
        active, cards.c.buried_until > now
    )
    return PackedStatement(union_all(by_state, leeches, buried))


_STATES = _states_statement()


def cards_in_use(states: dict[str, int]) -> int:
    """Every card in use, from `card_states`: its state counts leave suspended cards out."""
    return sum(states[name] for name in ("new", "learning", "review", "relearning", "suspended"))


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
        return topic_label(self.deck, self.topic)


@dataclass(frozen=True, slots=True)
class Areas:
    """The decks and the topics, weakest first. `topics` may be the weakest few of
    `topic_count`."""

    decks: list[AreaFigures]
    topics: list[AreaFigures]
    topic_count: int


def weak_areas(
    conn: Connection,
    config: Config,
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
    names = dict(_DECK_NAMES.rows(conn, {}))
    params = {
        "now_ms": to_millis(now),
        "factor": forgetting.factor,
        "decay": forgetting.decay,
        "topics": -1 if topics is None else topics,
    }
    deck_rows, topic_rows, topic_count = [], [], 0
    for kind, deck_id, topic, *values in _areas_statement().rows(conn, params):
        if kind == 0:
            deck_rows.append(_area(names[deck_id], "", values))
        elif kind == 1:
            topic_rows.append(_area(names[deck_id], topic, values))
        else:
            topic_count = values[-1]
    # SQLite chose the weakest topics; the packed rows need not keep their order.
    return Areas(sorted(deck_rows, key=_weakness), sorted(topic_rows, key=_weakness), topic_count)


def compile_statements(dialect: Dialect) -> None:
    """Compile the statements that are built once, ahead of their first use (the app does this
    in the background once the home screen is up)."""
    for statement in (_DAYS, _RETENTION_DAYS, _STATES, STUDY_DAYS, _DECK_NAMES, _areas_statement()):
        statement.compile_for(dialect)
    _forecast_statement(FORECAST_DAYS).compile_for(dialect)


_DECK_NAMES = PackedStatement(select(decks.c.id, decks.c.name))


@functools.cache
def _areas_statement() -> PackedStatement:
    """The decks and topics in one statement, built once (its parameters: now_ms, the curve's
    factor and decay, and topics, -1 for all): the cards are read once, grouped by deck
    and topic; SQLite sums the decks, ranks the topics and counts them from that grouping,
    so Python sees only what is shown."""
    # Written for SQLite's per-row cost, which is most of the statistics' time: stability is
    # positive once a card is studied, so the recall is NULL (and not summed) exactly for the
    # cards never studied; max() keeps a review stamped in the future (clock skew) at zero.
    last = type_coerce(cards.c.last_review, BigInteger)  # the stored milliseconds, as is
    elapsed = elapsed_days_sql(last, bindparam("now_ms", type_=BigInteger))
    recall = retrievability_sql(
        elapsed,
        cards.c.stability,
        bindparam("factor", type_=Float),
        bindparam("decay", type_=Float),
    )
    studied = and_(cards.c.stability > 0, cards.c.last_review.is_not(None))
    exam = (
        select(
            cards.c.deck_id,
            cards.c.topic,
            func.sum(exam_answers.c.credit).label("credit"),
            func.count().label("asked"),
        )
        .select_from(exam_answers.join(cards, cards.c.id == exam_answers.c.card_id))
        .group_by(cards.c.deck_id, cards.c.topic)
        .cte("exam")
    )
    grouped = (
        select(
            cards.c.deck_id,
            cards.c.topic,
            func.count().label("cards"),
            func.sum(studied, type_=Integer).label("reviewed"),
            func.sum(recall).label("recall"),
            func.sum(cards.c.lapses).label("lapses"),
            func.sum(cards.c.recall_passed).label("passed"),
            func.sum(cards.c.recall_total).label("total"),
        )
        .where(cards.c.retired.is_(False))
        .group_by(cards.c.deck_id, cards.c.topic)
        .subquery()
    )
    on_exam = and_(exam.c.deck_id == grouped.c.deck_id, exam.c.topic == grouped.c.topic)
    area = (
        select(
            grouped,
            func.coalesce(exam.c.credit, 0.0).label("credit"),
            func.coalesce(exam.c.asked, 0).label("asked"),
        )
        .select_from(grouped.outerjoin(exam, on_exam))
        .cte("area")
    )
    ratios = [
        area.c.recall / func.nullif(area.c.reviewed, 0),
        area.c.passed * 1.0 / func.nullif(area.c.total, 0),
        area.c.credit / func.nullif(area.c.asked, 0),
    ]
    unmeasured = and_(*(r.is_(None) for r in ratios))
    weakest_measure = func.min(*(func.coalesce(r, 2.0) for r in ratios))  # SQLite's scalar min
    name = decks.c.name + TOPIC_SEPARATOR + area.c.topic
    sums = [func.sum(area.c[column]) for column in FIGURE_COLUMNS]
    by_deck = select(literal(0), area.c.deck_id, literal(""), *sums).group_by(area.c.deck_id)
    ranked = (
        select(literal(1), area.c.deck_id, area.c.topic, *(area.c[c] for c in FIGURE_COLUMNS))
        .select_from(area.join(decks, decks.c.id == area.c.deck_id))
        .where(area.c.topic != "")
        .order_by(unmeasured, weakest_measure, name)
        .limit(bindparam("topics", type_=Integer))
        .subquery()
    )
    count = select(
        literal(2),
        literal(0),
        literal(""),
        *(literal(0) for _ in FIGURE_COLUMNS[:-1]),
        func.count(),
    ).where(area.c.topic != "")
    return PackedStatement(union_all(by_deck, select(ranked), count))


FIGURE_COLUMNS = ("cards", "reviewed", "recall", "lapses", "passed", "total", "credit", "asked")


def _area(deck: str, topic: str, values) -> AreaFigures:
    count, reviewed, r_sum, lapses, passed, total, credit, asked = (v or 0 for v in values)
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


def _weakness(area: AreaFigures) -> tuple:
    """Weakest first: lowest of recall now, true retention and exam score; unseen areas after
    the measured ones (nothing is known about them yet)."""
    measured = [v for v in (area.retrievability, area.retention, area.exam_score) if v is not None]
    if not measured:
        return (1, 0.0, area.name)
    return (0, min(measured), area.name)


def collect(
    workspace,
    days: int = 30,
    topics: int | None = None,
    meanwhile: Callable[[dict], None] | None = None,
) -> dict:
    """Every figure, as plain data (what `flashcards stats --json` prints); with `topics`, only
    that many of the weakest topics. `meanwhile` is called with every other figure while the
    decks and topics are still being read (the statistics screen draws its charts then)."""
    from .exams import exam_history
    from .rounds import round_history, step_coverage

    today = workspace.today()
    now = workspace.clock.now()
    parameters = active_parameters(workspace.collection)  # as accepted now, maybe since opening

    def read_areas() -> Areas:
        with workspace.collection.read() as conn, conn.begin():
            return weak_areas(conn, workspace.config, now, topics, parameters)

    # The decks and topics take the longest, nearly all of it inside SQLite, which lets other
    # threads run: they are read on a second connection while this one reads the rest.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="stats") as pool:
        pending = pool.submit(read_areas)
        # One read transaction for these figures: statements run on the driver's connection
        # (PackedStatement) read inside it, so they all see the collection as it was at once.
        with workspace.collection.read() as conn, conn.begin():
            due = forecast(conn, today, now)
            states = card_states(conn, now)
            heat = reviews_by_day(conn, today, max(days, 365))
            current, longest = streaks(study_days(conn), today)
            retention = true_retention(conn, today)
            rounds = round_history(conn, workspace.clock.now)
        figures = {
            "desired_retention": workspace.config.desired_retention,
            "reviews_per_day": [
                {**asdict(d), "date": d.date.isoformat(), "total": d.total} for d in heat[-days:]
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
            "exams": exam_history(workspace.collection),
            "rounds": rounds,
            "round_steps": step_coverage(rounds),
        }
        if meanwhile is not None:
            meanwhile(figures)
        areas = pending.result()
    figures["decks"] = [_area_json(a) for a in areas.decks]
    figures["topics"] = [_area_json(a) for a in areas.topics]
    figures["topic_count"] = areas.topic_count
    return figures


def _area_json(area: AreaFigures) -> dict:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return {
        "deck": area.deck,
        "topic": area.topic,
        "cards": area.cards,
        "reviewed": area.reviewed,
        "retrievability": rounded(area.retrievability),
        "retention": rounded(area.retention),
        "lapses": area.lapses,
        "exam_score": rounded(area.exam_score),
        "name": area.name,
    }
