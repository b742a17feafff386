"""The statistics' reads: the days' totals, the study days, the cards due in a window, the cards
by state and the decks' and topics' sums. Each statement is built once, with bound parameters,
and compiled ahead (`compile_statements`); they read the totals kept as answers are given
(totals.py) and an index that holds every card column they need, never the review log or the
cards' text. Written for both engines: what SQLite and PostgreSQL spell differently comes from
dialect.py, and every number is handed back as a Python int or float (PostgreSQL sums integers
into `numeric`, which its driver returns as Decimal)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Connection,
    Float,
    Integer,
    and_,
    bindparam,
    cast,
    column,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy import values as value_rows
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ColumnElement

from ..review_rules import TOPIC_SEPARATOR, CardState
from .dialect import ALL_ROWS, as_count, least
from .packed import PackedStatement
from .tables import cards, decks, exam_answers, exams, review_days
from .types import to_millis

__all__ = [
    "AreaSums",
    "AreaTotals",
    "DayTotals",
    "FinishedExam",
    "RecallExpression",
    "RetentionTotals",
    "StateCounts",
    "area_totals",
    "compile_statements",
    "day_totals",
    "due_counts",
    "finished_exams",
    "retention_totals",
    "state_counts",
    "study_days",
]


# The forgetting curve as SQL, from its one home (flashcards.scheduling.recall, a layer above):
# (last review in stored milliseconds, stability, now in milliseconds, factor, decay) -> recall.
RecallExpression = Callable[
    [ColumnElement[Any], ColumnElement[Any], ColumnElement[Any], ColumnElement[Any],
     ColumnElement[Any]],
    ColumnElement[Any],
]  # fmt: skip


class DayTotals(NamedTuple):
    """One study day's answers (`day` an ordinal), split by the card's state before them."""

    day: int
    learning: int
    review: int
    relearning: int
    duration_ms: int


class RetentionTotals(NamedTuple):
    """One study day's first answers of review cards, young and mature, and their passes."""

    day: int
    young_passed: int
    young_total: int
    mature_passed: int
    mature_total: int


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
_answers = review_days.c.learning + review_days.c.review + review_days.c.relearning
_STUDY_DAYS = PackedStatement(select(review_days.c.day).where(_answers > 0))


def day_totals(conn: Connection, first: int, last: int) -> list[DayTotals]:
    """The study days from `first` to `last` (ordinals) that have totals, in no set order."""
    rows = _DAYS.rows(conn, {"first": first, "last": last})
    return [DayTotals(*(int(value) for value in row)) for row in rows]


def retention_totals(conn: Connection, after: int, last: int) -> list[RetentionTotals]:
    """The study days after `after` up to `last` (ordinals) that have totals, in no set order."""
    rows = _RETENTION_DAYS.rows(conn, {"after": after, "last": last})
    return [RetentionTotals(*(int(value) for value in row)) for row in rows]


def study_days(conn: Connection) -> list[int]:
    """Every study day with at least one answer, as ordinals, ascending."""
    return sorted(int(day) for (day,) in _STUDY_DAYS.rows(conn, {}))


def due_counts(conn: Connection, ends: Sequence[datetime]) -> list[int]:
    """The learning and review cards in use due before each of `ends` and at or after the one
    before it (the first count takes every card due before the first end: the overdue ones)."""
    millis = [to_millis(end) for end in ends]
    bounds = {f"start_{i}": start for i, start in enumerate([-(2**62), *millis[:-1]])}
    bounds.update({f"end_{i}": end for i, end in enumerate(millis)})
    counted = {int(i): int(n) for i, n in _forecast_statement(len(ends)).rows(conn, bounds)}
    return [counted[i] for i in range(len(ends))]


@functools.cache
def _forecast_statement(days: int) -> PackedStatement:
    """Due cards over `days` windows; its parameters: start_0, end_0, ... (milliseconds)."""
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


class StateCounts(NamedTuple):
    """The cards in use by (suspended, state), and the leeches and buried cards among them."""

    by_state: list[tuple[bool, CardState, int]]
    leeches: int
    buried: int


def state_counts(conn: Connection, now: datetime) -> StateCounts:
    """The states are counted along the queue index, grouped as it is ordered; leeches and
    buried cards, rare, each from an index that holds only them."""
    by_state: list[tuple[bool, CardState, int]] = []
    leeches = buried = 0
    for kind, suspended, state, count in _STATES.rows(conn, {"now": now}):
        if kind == 0:
            by_state.append((bool(suspended), CardState(int(state)), int(count)))
        elif kind == 1:
            leeches = int(count)
        else:
            buried = int(count)
    return StateCounts(by_state, leeches, buried)


def _states_statement() -> PackedStatement:
    active = cards.c.retired.is_(False)
    # The union's columns are integers on both engines (PostgreSQL unites no boolean with one).
    by_state = (
        select(literal(0), as_count(cards.c.suspended), cards.c.state, func.count())
        .where(active)
        .group_by(cards.c.suspended, cards.c.state)
    )
    # `leech = 1` (SQLite) or `leech` (PostgreSQL), as the index's WHERE is written: SQLite uses
    # a partial index only then.
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


class AreaTotals(NamedTuple):
    """A deck's (topic "") or a topic's sums over its cards in use."""

    deck: str
    topic: str
    cards: int
    reviewed: int  # cards studied at least once
    recall: float  # their recall now, summed
    lapses: int
    passed: int  # true retention's passes and answers, over each card's whole history
    total: int
    credit: float  # exam credit and questions asked
    asked: int


class AreaSums(NamedTuple):
    """The decks, the topics (or the weakest few), and how many topics there are in all."""

    decks: list[AreaTotals]
    topics: list[AreaTotals]
    topic_count: int


FIGURE_COLUMNS = ("cards", "reviewed", "recall", "lapses", "passed", "total", "credit", "asked")
_DECK_NAMES = PackedStatement(select(decks.c.id, decks.c.name))


def area_totals(
    conn: Connection,
    recall: RecallExpression,
    now: datetime,
    factor: float,
    decay: float,
    topics: int | None = None,
) -> AreaSums:
    """Per deck and per topic, with each card's recall at `now` by the curve `recall` builds
    (with `factor` and `decay`); with `topics`, only the weakest that many topics (weakest:
    the lowest of recall, true retention and exam score; those with none of them last)."""
    names = {int(id_): name for id_, name in _DECK_NAMES.rows(conn, {})}
    params = {
        "now_ms": to_millis(now),
        "factor": factor,
        "decay": decay,
        "topics": ALL_ROWS if topics is None else topics,
    }
    deck_rows: list[AreaTotals] = []
    topic_rows: list[AreaTotals] = []
    topic_count = 0
    for kind, deck_id, topic, *values in _areas_statement(recall).rows(conn, params):
        if kind == 2:
            topic_count = int(values[-1])
            continue
        count, reviewed, recalled, lapses, passed, total, credit, asked = (v or 0 for v in values)
        totals = AreaTotals(
            names[int(deck_id)],
            topic,
            int(count),
            int(reviewed),
            float(recalled),
            int(lapses),
            int(passed),
            int(total),
            float(credit),
            int(asked),
        )
        (deck_rows if kind == 0 else topic_rows).append(totals)
    return AreaSums(deck_rows, topic_rows, topic_count)


@functools.cache
def _areas_statement(recall_sql: RecallExpression) -> PackedStatement:
    """The decks and topics in one statement (its parameters: now_ms, the curve's factor and
    decay, and topics): the cards are read once, grouped by deck and topic; the engine sums the
    decks, ranks the topics and counts them from that grouping, so Python sees only what is
    shown."""
    # Written for SQLite's per-row cost, which is most of the statistics' time. A card's
    # stability is positive once it is studied: the recall is NULL (and not summed) exactly
    # for the cards never studied, and nothing is divided by zero or raised from a negative
    # base (PostgreSQL would fail the statement where SQLite gives NULL).
    last = type_coerce(cards.c.last_review, BigInteger)  # the stored milliseconds, as is
    recall = recall_sql(
        last,
        cards.c.stability,
        bindparam("now_ms", type_=BigInteger),
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
            func.sum(as_count(studied)).label("reviewed"),
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
        cast(area.c.passed, Float) / func.nullif(area.c.total, 0),
        area.c.credit / func.nullif(area.c.asked, 0),
    ]
    unmeasured = and_(*(r.is_(None) for r in ratios))
    weakest_measure = least(*(func.coalesce(r, 2.0) for r in ratios))
    name = decks.c.name + TOPIC_SEPARATOR + area.c.topic
    # Every number column of the union is a float or a bigint on PostgreSQL, whose sums of
    # integers are `numeric`: the casts keep the columns' types plain on both engines.
    sums = [
        cast(func.sum(area.c[figure]), Float if figure in ("recall", "credit") else BigInteger)
        for figure in FIGURE_COLUMNS
    ]
    by_deck = select(literal(0), area.c.deck_id, literal(""), *sums).group_by(area.c.deck_id)
    ranked = (
        select(literal(1), area.c.deck_id, area.c.topic, *(area.c[c] for c in FIGURE_COLUMNS))
        .select_from(area.join(decks, decks.c.id == area.c.deck_id))
        .where(area.c.topic != "")
        .order_by(unmeasured, weakest_measure, name)
        .limit(bindparam("topics", type_=BigInteger))
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


def compile_statements(dialect: Dialect, recall: RecallExpression, forecast_days: int) -> None:
    """Compile the statements that are built once, ahead of their first use (the app does this
    in the background once the home screen is up)."""
    statements = (_DAYS, _RETENTION_DAYS, _STUDY_DAYS, _STATES, _DECK_NAMES)
    for statement in (*statements, _areas_statement(recall), _forecast_statement(forecast_days)):
        statement.compile_for(dialect)


@dataclass(frozen=True, slots=True)
class FinishedExam:
    started_at: datetime
    decks: list[str]
    count: int
    correct: float  # partly right counts one half
    score: float
    passed: bool


def finished_exams(conn: Connection) -> list[FinishedExam]:
    """Every finished exam, oldest first."""
    rows = conn.execute(
        select(
            exams.c.started_at,
            exams.c.decks,
            exams.c.count,
            exams.c.correct,
            exams.c.score,
            exams.c.passed,
        )
        .where(exams.c.finished_at.is_not(None))
        .order_by(exams.c.started_at, exams.c.id)
    )
    return [
        FinishedExam(started_at, json.loads(names), int(count), float(correct), float(score),
                     bool(passed))
        for started_at, names, count, correct, score, passed in rows
    ]  # fmt: skip
