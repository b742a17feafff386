"""Today's work: the home screen's counts and the order in which cards are studied.

Order: learning cards that are due come first; then reviews (most overdue relative to their
interval first) with new cards (in deck order) spread evenly among them; when nothing else is
left, learning cards due within the learn-ahead window. Daily limits hold per deck and overall,
and only one card of a cloze paragraph is studied per day.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Connection, and_, bindparam, exists, func, select

from ..config import Config
from ..storage.cards import available_filter, count_if, overdue_order
from ..storage.prepared import DriverConnection, Prepared, run
from ..storage.records import LEARNING, MANUAL, NEW, RELEARNING, REVIEW
from ..storage.tables import CardRow, DeckRow, ReviewRow
from .days import StudyDay
from .streak import streaks, study_days

__all__ = [
    "DeckCounts",
    "DeckInfo",
    "Overview",
    "QueuePlan",
    "deck_infos",
    "overview",
    "plan_queue",
]

cards = CardRow.__table__
decks = DeckRow.__table__
reviews = ReviewRow.__table__


@dataclass(frozen=True, slots=True)
class DeckInfo:
    id: int
    name: str
    file: str
    description: str
    new_per_day: int
    reviews_per_day: int
    desired_retention: float | None


@dataclass(frozen=True, slots=True)
class DeckCounts:
    deck: DeckInfo
    new: int
    learning: int
    due: int
    total: int


@dataclass(frozen=True, slots=True)
class Overview:
    decks: list[DeckCounts]
    new: int
    learning: int
    due: int
    reviews_today: int
    streak_days: int
    next_due: datetime | None  # the next learning or review card due after now


def deck_infos(conn: Connection, config: Config) -> list[DeckInfo]:
    """Decks that hold at least one card still in use, in file order (the curriculum's order
    for the built-in decks, which are numbered)."""
    has_cards = exists().where(and_(cards.c.deck_id == decks.c.id, cards.c.retired.is_(False)))
    rows = conn.execute(select(decks).where(has_cards).order_by(decks.c.file))
    infos = []
    for row in rows:
        settings = json.loads(row.settings or "{}")
        infos.append(
            DeckInfo(
                id=row.id,
                name=row.name,
                file=row.file,
                description=row.description,
                new_per_day=int(settings.get("new_per_day", config.new_per_day)),
                reviews_per_day=int(settings.get("reviews_per_day", config.reviews_per_day)),
                desired_retention=settings.get("desired_retention"),
            )
        )
    return infos


def _done_today(conn: Connection, day: StudyDay) -> tuple[dict[int, int], dict[int, int], int]:
    """New cards introduced and review cards answered today, per deck; and all answers today."""
    statement = (
        select(
            cards.c.deck_id,
            count_if(reviews.c.state_before == NEW),
            count_if(reviews.c.state_before == REVIEW),
            func.count(),
        )
        .join(cards, cards.c.id == reviews.c.card_id)
        .where(reviews.c.reviewed_at >= day.start, reviews.c.reviewed_at < day.end)
        .where(reviews.c.state_before != MANUAL)
        .group_by(cards.c.deck_id)
    )
    new_done: dict[int, int] = {}
    review_done: dict[int, int] = {}
    total = 0
    for deck_id, new, review, count in conn.execute(statement):
        new_done[deck_id] = new or 0
        review_done[deck_id] = review or 0
        total += count
    return new_done, review_done, total


@dataclass(slots=True)
class _Limits:
    """What today's limits still allow, per deck and overall."""

    new: dict[int, int]
    review: dict[int, int]
    new_overall: int
    review_overall: int

    @classmethod
    def today(
        cls,
        conn: Connection,
        config: Config,
        infos: list[DeckInfo],
        day: StudyDay,
        done: tuple[dict[int, int], dict[int, int], int] | None = None,
    ):
        """`done` is `_done_today(conn, day)`, when the caller has it already."""
        new_done, review_done, _ = done or _done_today(conn, day)
        return cls(
            new={d.id: max(0, d.new_per_day - new_done.get(d.id, 0)) for d in infos},
            review={d.id: max(0, d.reviews_per_day - review_done.get(d.id, 0)) for d in infos},
            new_overall=max(0, config.new_per_day - sum(new_done.values())),
            review_overall=max(0, config.reviews_per_day - sum(review_done.values())),
        )


def overview(
    conn: Connection,
    config: Config,
    day: StudyDay,
    now: datetime,
    deck_ids: list[int] | None = None,
) -> Overview:
    """Counts for the home screen: per deck and in total, after today's limits."""
    infos = [d for d in deck_infos(conn, config) if deck_ids is None or d.id in deck_ids]
    done = _done_today(conn, day)
    limits = _Limits.today(conn, config, infos, day, done)
    # Availability is tested inside the sums, not in WHERE: SQLite then reads the cards in deck
    # order through the deck index, instead of finding them in the queue index and looking up
    # each one's deck, which takes 2-3 times as long on a large collection.
    available = available_filter(now)
    due_today = cards.c.due < day.end
    statement = select(
        cards.c.deck_id,
        count_if(and_(available, cards.c.state == NEW)),
        count_if(and_(available, cards.c.state.in_((LEARNING, RELEARNING)), due_today)),
        count_if(and_(available, cards.c.state == REVIEW, due_today)),
        count_if(available),
    ).group_by(cards.c.deck_id)
    raw = {row[0]: row[1:] for row in conn.execute(statement)}
    result: list[DeckCounts] = []
    new_left, review_left = limits.new_overall, limits.review_overall
    totals = [0, 0, 0]
    for info in infos:
        new, learning, due, total = (int(v or 0) for v in raw.get(info.id, (0, 0, 0, 0)))
        new = min(new, limits.new[info.id], limits.new_overall)
        due = min(due, limits.review[info.id], limits.review_overall)
        result.append(DeckCounts(info, new, learning, due, total))
        totals[0] += min(new, new_left)
        totals[1] += learning
        totals[2] += min(due, review_left)
        new_left -= min(new, new_left)
        review_left -= min(due, review_left)
    _, _, reviews_today = done
    return Overview(
        decks=result,
        new=totals[0],
        learning=totals[1],
        due=totals[2],
        reviews_today=reviews_today,
        streak_days=streak_days(conn, day),
        next_due=next_due(conn, now, deck_ids),
    )


def streak_days(conn: Connection, day: StudyDay) -> int:
    """Consecutive study days with at least one answer, ending today (or yesterday, if today
    has no answer yet: the streak is still alive)."""
    return streaks(study_days(conn), day)[0]


def next_due(conn: Connection, now: datetime, deck_ids: list[int] | None = None) -> datetime | None:
    # States listed rather than `!= NEW`, so that SQLite searches the queue index by state.
    statement = select(func.min(cards.c.due)).where(
        available_filter(now), cards.c.state.in_((LEARNING, REVIEW, RELEARNING)), cards.c.due > now
    )
    if deck_ids is not None:
        statement = statement.where(cards.c.deck_id.in_(deck_ids))
    return conn.execute(statement).scalar()


@dataclass(slots=True)
class QueuePlan:
    """Reviews and new cards chosen for today, in study order (learning cards are fetched live)."""

    main: deque[int] = field(default_factory=deque)
    siblings_seen: set[str] = field(default_factory=set)


def plan_queue(
    conn: Connection,
    config: Config,
    day: StudyDay,
    now: datetime,
    deck_ids: list[int] | None = None,
    *,
    ahead: bool = False,
) -> QueuePlan:
    """Choose today's reviews and new cards within the limits, siblings buried.

    With `ahead`, reviews due in the next days are taken as well (studying ahead)."""
    infos = [d for d in deck_infos(conn, config) if deck_ids is None or d.id in deck_ids]
    limits = _Limits.today(conn, config, infos, day)
    wanted = [d.id for d in infos]
    seen = _siblings_answered(conn, day)

    horizon = day.next(7).end if ahead else day.end
    review_rows = conn.execute(
        select(cards.c.id, cards.c.deck_id, cards.c.sibling_key)
        .where(
            available_filter(now),
            cards.c.state == REVIEW,
            cards.c.due < horizon,
            cards.c.deck_id.in_(wanted),
        )
        .order_by(overdue_order(now), cards.c.id)
    )
    picked_reviews: list[int] = []
    for card_id, deck_id, sibling in review_rows:
        if len(picked_reviews) >= limits.review_overall and not ahead:
            break
        if not ahead and limits.review[deck_id] <= 0:
            continue
        if sibling is not None:
            if sibling in seen:
                continue
            seen.add(sibling)
        limits.review[deck_id] -= 1
        picked_reviews.append(card_id)

    picked_new: list[int] = []
    budget = limits.new_overall
    # Each deck's new cards are read in deck order, which walks the whole deck when it has no
    # new card left; a mature collection often has none anywhere, which one index probe tells.
    if budget > 0 and not _has_new_cards(conn, now):
        budget = 0
    for info in infos:
        room = min(limits.new[info.id], budget - len(picked_new))
        if room <= 0:
            continue
        rows = conn.execute(
            select(cards.c.id, cards.c.sibling_key)
            .where(cards.c.deck_id == info.id, cards.c.state == NEW, available_filter(now))
            .order_by(cards.c.position, cards.c.id)
        )
        for card_id, sibling in rows:
            if room <= 0:
                break
            if sibling is not None:
                if sibling in seen:
                    continue
                seen.add(sibling)
            picked_new.append(card_id)
            room -= 1
    return QueuePlan(main=deque(_spread(picked_reviews, picked_new)), siblings_seen=seen)


def _has_new_cards(conn: Connection, now: datetime) -> bool:
    statement = select(cards.c.id).where(available_filter(now), cards.c.state == NEW).limit(1)
    return conn.execute(statement).first() is not None


def _siblings_answered(conn: Connection, day: StudyDay) -> set[str]:
    statement = (
        select(cards.c.sibling_key)
        .join(reviews, reviews.c.card_id == cards.c.id)
        .where(reviews.c.reviewed_at >= day.start, cards.c.sibling_key.is_not(None))
        .distinct()
    )
    return {key for (key,) in conn.execute(statement)}


def _spread(reviews_: list[int], new: list[int]) -> list[int]:
    """Mix new cards evenly into the reviews."""
    if not new:
        return list(reviews_)
    if not reviews_:
        return list(new)
    result: list[int] = []
    step = (len(reviews_) + 1) / (len(new) + 1)
    review_index = 0
    for index, card_id in enumerate(new, 1):
        until = round(step * index) - 1
        result.extend(reviews_[review_index:until])
        review_index = max(review_index, until)
        result.append(card_id)
    result.extend(reviews_[review_index:])
    return result


# The queries below run once or twice per card shown: prepared once (see
# flashcards/storage/prepared.py), with and without a deck filter.


def _in_decks(statement, with_decks: bool):
    if with_decks:
        return statement.where(cards.c.deck_id.in_(bindparam("deck_ids", expanding=True)))
    return statement


def _with_decks(parameters: dict, deck_ids: list[int] | None) -> dict:
    if deck_ids is not None:
        parameters["deck_ids"] = deck_ids
    return parameters


@cache
def _due_learning_statement(with_decks: bool) -> Prepared:
    statement = (
        select(cards.c.id)
        .where(
            available_filter(bindparam("now", type_=cards.c.due.type)),
            cards.c.state.in_((LEARNING, RELEARNING)),
            cards.c.due <= bindparam("until", type_=cards.c.due.type),
        )
        .order_by(cards.c.due, cards.c.id)
        .limit(1)
    )
    return Prepared(_in_decks(statement, with_decks))


def due_learning(
    conn: Connection | DriverConnection,
    now: datetime,
    deck_ids: list[int] | None,
    ahead: timedelta = timedelta(0),
) -> int | None:
    """The learning card due first, if it is due by `now + ahead`."""
    statement = _due_learning_statement(deck_ids is not None)
    parameters = _with_decks({"now": now, "until": now + ahead}, deck_ids)
    return run(conn, statement, parameters).scalar()


@cache
def _learning_due_today_statement(with_decks: bool) -> Prepared:
    statement = select(func.count()).where(
        available_filter(bindparam("now", type_=cards.c.due.type)),
        cards.c.state.in_((LEARNING, RELEARNING)),
        cards.c.due < bindparam("end", type_=cards.c.due.type),
    )
    return Prepared(_in_decks(statement, with_decks))


def learning_due_today(
    conn: Connection | DriverConnection, day: StudyDay, now: datetime, deck_ids: list[int] | None
) -> int:
    statement = _learning_due_today_statement(deck_ids is not None)
    parameters = _with_decks({"now": now, "end": day.end}, deck_ids)
    return run(conn, statement, parameters).scalar() or 0
