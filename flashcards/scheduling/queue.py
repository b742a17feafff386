"""Today's work: the home screen's counts and the order in which cards are studied.

Order: learning cards that are due come first; then reviews (most overdue relative to their
interval first) with new cards spread evenly among them; when nothing else is left, learning
cards due within the learn-ahead window. New cards sent to today's review by an exam come first
of the new cards; the others are taken from the decks in turn (or deck after deck, with
`new_card_order = "deck"`), each deck's in its own order. Daily limits hold per deck and
overall, and only one card of a cloze paragraph is studied per day.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from itertools import zip_longest
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, exists, func, select

from ..config import Config
from ..review_rules import CardState
from ..storage.cards import available_filter, count_if, overdue_order
from ..storage.prepared import Prepared
from ..storage.tables import cards, decks, reviews
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


@dataclass(frozen=True, slots=True)
class DeckInfo:
    id: int
    name: str
    file: str  # where it was last imported from
    key: str  # the same on every machine (flashcards.deck.identity)
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
    learning_now: int = 0  # of `learning`, the cards due already (they come first)
    new_waiting: int = 0  # new cards the decks' own limits let through, before the overall one


def deck_infos(conn: Connection, config: Config) -> list[DeckInfo]:
    """Decks that hold at least one card still in use, in file order (the curriculum's order
    for the built-in decks, which are numbered)."""
    has_cards = exists().where(and_(cards.c.deck_id == decks.c.id, cards.c.retired.is_(False)))
    rows = conn.execute(select(decks).where(has_cards).order_by(decks.c.key))
    infos = []
    for row in rows:
        settings = json.loads(row.settings or "{}")
        infos.append(
            DeckInfo(
                id=row.id,
                name=row.name,
                file=row.file,
                key=row.key,
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
            count_if(reviews.c.state_before == CardState.NEW),
            count_if(reviews.c.state_before == CardState.REVIEW),
            func.count(),
        )
        .join(cards, cards.c.id == reviews.c.card_id)
        .where(reviews.c.reviewed_at >= day.start, reviews.c.reviewed_at < day.end)
        .where(reviews.c.state_before != CardState.MANUAL)
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
    """Counts for the home screen, each what the next review will show: per deck, what
    studying that deck alone shows; the totals, what studying all of them (or `deck_ids`)
    shows. Both come from the same choice of cards as the queue (`_choose`)."""
    infos = [d for d in deck_infos(conn, config) if deck_ids is None or d.id in deck_ids]
    done = _done_today(conn, day)
    choice = _choose(conn, config, day, now, infos, done=done, for_counting=True)
    # Learning cards are not limited: counted in SQL. Availability is tested inside the sums,
    # not in WHERE: SQLite then reads the cards in deck order through the deck index.
    available = and_(
        available_filter(now), cards.c.state.in_((CardState.LEARNING, CardState.RELEARNING))
    )
    statement = select(
        cards.c.deck_id,
        count_if(and_(available, cards.c.due < day.end)),
        count_if(and_(available, cards.c.due <= now)),
        count_if(available_filter(now)),
    ).group_by(cards.c.deck_id)
    raw = {row[0]: row[1:] for row in conn.execute(statement)}
    result: list[DeckCounts] = []
    learning_total = learning_now = 0
    alone_by_deck = choice.by_deck([info.id for info in infos])
    for info in infos:
        learning, ready, total = (int(v or 0) for v in raw.get(info.id, (0, 0, 0)))
        alone = alone_by_deck[info.id]
        result.append(DeckCounts(info, len(alone.new()), learning, len(alone.reviews()), total))
        learning_total += learning
        learning_now += ready
    _, _, reviews_today = done
    return Overview(
        decks=result,
        new=len(choice.new()),
        learning=learning_total,
        due=len(choice.reviews()),
        reviews_today=reviews_today,
        streak_days=streak_days(conn, day),
        next_due=next_due(conn, now, deck_ids),
        learning_now=learning_now,
        new_waiting=len(choice.requested) + sum(map(len, choice.new_by_deck.values())),
    )


def streak_days(conn: Connection, day: StudyDay) -> int:
    """Consecutive study days with at least one answer, ending today (or yesterday, if today
    has no answer yet: the streak is still alive)."""
    return streaks(study_days(conn), day)[0]


def next_due(conn: Connection, now: datetime, deck_ids: list[int] | None = None) -> datetime | None:
    # States listed rather than `!= NEW`, so that SQLite searches the queue index by state.
    statement = select(func.min(cards.c.due)).where(
        available_filter(now),
        cards.c.state.in_((CardState.LEARNING, CardState.REVIEW, CardState.RELEARNING)),
        cards.c.due > now,
    )
    if deck_ids is not None:
        statement = statement.where(cards.c.deck_id.in_(deck_ids))
    return conn.execute(statement).scalar()


@dataclass(slots=True)
class QueuePlan:
    """Reviews and new cards chosen for today, in study order (learning cards are fetched live)."""

    main: deque[int] = field(default_factory=deque)
    siblings_seen: set[str] = field(default_factory=set)
    new_ids: set[int] = field(default_factory=set)  # which of `main` are new cards


@dataclass(slots=True)
class _Choice:
    """Today's reviews and new cards, per deck, before the overall limits are applied.

    `reviews` is every deck's reviews in study order (most overdue first), each deck's own
    limit applied; `requested` the new cards sent to today's review (by an exam's results),
    which come first and always come up today; `new_by_deck` each deck's other new cards in
    deck order, its own limit applied (less the requested ones)."""

    order: str
    reviews_ahead: bool
    review_overall: int
    new_overall: int
    review_rows: list[tuple[int, int]]  # (card id, deck id)
    requested: list[tuple[int, int]]
    new_by_deck: dict[int, list[int]]

    def by_deck(self, deck_ids: list[int]) -> dict[int, _Choice]:
        """For each deck, the choice when only that deck is studied (one pass over the rows)."""
        reviews_of: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
        requested_of: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
        for row in self.review_rows:
            reviews_of[row[1]].append(row)
        for row in self.requested:
            requested_of[row[1]].append(row)
        return {
            deck_id: _Choice(
                self.order,
                self.reviews_ahead,
                self.review_overall,
                self.new_overall,
                reviews_of[deck_id],
                requested_of[deck_id],
                {deck_id: self.new_by_deck.get(deck_id, [])},
            )
            for deck_id in deck_ids
        }

    def reviews(self) -> list[int]:
        ids = [card_id for card_id, _ in self.review_rows]
        return ids if self.reviews_ahead else ids[: self.review_overall]

    def new(self) -> list[int]:
        """Requested cards first; then, within what the overall limit leaves, each deck's new
        cards taken in turn (interleaved) or one deck after the other."""
        requested = [card_id for card_id, _ in self.requested]
        room = max(0, self.new_overall - len(requested))
        lists = list(self.new_by_deck.values())
        if self.order == "deck":
            merged = [card_id for cards_ in lists for card_id in cards_]
        else:
            turns = zip_longest(*lists)
            merged = [card_id for turn in turns for card_id in turn if card_id is not None]
        return requested + merged[:room]


def _choose(
    conn: Connection,
    config: Config,
    day: StudyDay,
    now: datetime,
    infos: list[DeckInfo],
    *,
    ahead: bool = False,
    done: tuple[dict[int, int], dict[int, int], int] | None = None,
    seen: set[str] | None = None,
    for_counting: bool = False,
) -> _Choice:
    """Choose today's reviews and new cards within each deck's limits, siblings buried (a
    cloze paragraph's cards all live in one deck, so each deck's choice stands on its own).

    `for_counting`: only the sizes of the choice will be read (home's counts). Which reviews
    are chosen depends on their order (most overdue first) only when a limit leaves some out:
    until one does, every due review is taken, one per sibling group, in whatever order. So the
    reviews are first read unsorted (sorting thousands of due reviews by how overdue they are
    was a third of the time home took on 100,000 cards), and read again sorted, from the start,
    as soon as a limit leaves one out."""
    done = done or _done_today(conn, day)
    limits = _Limits.today(conn, config, infos, day, done)
    wanted = [d.id for d in infos]
    seen = _siblings_answered(conn, day) if seen is None else seen
    seen_before = set(seen) if for_counting else seen

    horizon = day.next(7).end if ahead else day.end
    # Without `ahead`, only decks with room left are read, and only until each is full.
    with_room = wanted if ahead else [d for d in wanted if limits.review[d] > 0]
    if not ahead and limits.review_overall <= 0:
        with_room = []
    due_reviews = select(cards.c.id, cards.c.deck_id, cards.c.sibling_key).where(
        available_filter(now),
        cards.c.state == CardState.REVIEW,
        cards.c.due < horizon,
        cards.c.deck_id.in_(with_room),
    )
    if not for_counting:
        due_reviews = due_reviews.order_by(overdue_order(now), cards.c.id)
    review_rows = _plain_rows(conn, due_reviews)
    picked_reviews: list[tuple[int, int]] = []
    unfilled = len(with_room)
    for card_id, deck_id, sibling in review_rows:
        if not ahead and limits.review[deck_id] <= 0:
            if for_counting:  # a limit leaves reviews out: which ones, their order decides
                review_rows.close()
                return _choose(conn, config, day, now, infos, done=done, seen=seen_before)
            continue
        if sibling is not None:
            if sibling in seen:
                continue
            seen.add(sibling)
        limits.review[deck_id] -= 1
        picked_reviews.append((card_id, deck_id))
        if not ahead and limits.review[deck_id] == 0:
            unfilled -= 1
            if unfilled == 0:
                if for_counting:  # every deck is full: more may be due, to be left out
                    review_rows.close()
                    return _choose(conn, config, day, now, infos, done=done, seen=seen_before)
                break

    requested: list[tuple[int, int]] = []
    new_by_deck: dict[int, list[int]] = {}
    # Each deck's new cards are read in deck order, which walks the whole deck when it has no
    # new card left; a mature collection often has none anywhere, which one index probe tells.
    if _has_new_cards(conn, now):
        for info in infos:
            room = limits.new[info.id]
            rows = conn.execute(
                select(cards.c.id, cards.c.sibling_key, cards.c.position)
                .where(
                    cards.c.deck_id == info.id,
                    cards.c.state == CardState.NEW,
                    available_filter(now),
                )
                .order_by(cards.c.position, cards.c.id)
            )
            chosen: list[int] = []
            for card_id, sibling, position in rows:
                if position >= 0 and room <= 0:
                    break
                if sibling is not None:
                    if sibling in seen:
                        continue
                    seen.add(sibling)
                if position < 0:  # sent to today's review: comes up whatever the limits
                    requested.append((card_id, info.id))
                else:
                    chosen.append(card_id)
                room -= 1
            new_by_deck[info.id] = chosen
    return _Choice(
        order=config.new_card_order,
        reviews_ahead=ahead,
        review_overall=limits.review_overall,
        new_overall=limits.new_overall,
        review_rows=picked_reviews,
        requested=requested,
        new_by_deck=new_by_deck,
    )


def _plain_rows(conn: Connection, statement: Select[Any]) -> Generator[tuple[Any, ...]]:
    """The rows of a statement whose columns need no conversion (integers, text), as the
    driver gives them, a batch at a time: a collection with thousands of reviews due reads
    them all to count them, and SQLAlchemy's row objects, made one at a time, cost more than
    the query (a third of the home screen's counts on 100,000 cards). Read in batches, so
    that a loop that stops early leaves the rest unread."""
    result = conn.execute(statement)
    try:
        while batch := result.cursor.fetchmany(512):
            yield from batch
    finally:
        result.close()


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
    seen = _siblings_answered(conn, day)
    choice = _choose(conn, config, day, now, infos, ahead=ahead, seen=seen)
    new = choice.new()
    return QueuePlan(
        main=deque(_spread(choice.reviews(), new)), siblings_seen=seen, new_ids=set(new)
    )


def _has_new_cards(conn: Connection, now: datetime) -> bool:
    statement = (
        select(cards.c.id).where(available_filter(now), cards.c.state == CardState.NEW).limit(1)
    )
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
            cards.c.state.in_((CardState.LEARNING, CardState.RELEARNING)),
            cards.c.due <= bindparam("until", type_=cards.c.due.type),
        )
        .order_by(cards.c.due, cards.c.id)
        .limit(1)
    )
    return Prepared(_in_decks(statement, with_decks))


def due_learning(
    conn: Connection,
    now: datetime,
    deck_ids: list[int] | None,
    ahead: timedelta = timedelta(0),
) -> int | None:
    """The learning card due first, if it is due by `now + ahead`."""
    statement = _due_learning_statement(deck_ids is not None)
    parameters = _with_decks({"now": now, "until": now + ahead}, deck_ids)
    return statement.run(conn, parameters).scalar()


@cache
def _learning_due_today_statement(with_decks: bool) -> Prepared:
    statement = select(func.count()).where(
        available_filter(bindparam("now", type_=cards.c.due.type)),
        cards.c.state.in_((CardState.LEARNING, CardState.RELEARNING)),
        cards.c.due < bindparam("end", type_=cards.c.due.type),
    )
    return Prepared(_in_decks(statement, with_decks))


def learning_due_today(
    conn: Connection, day: StudyDay, now: datetime, deck_ids: list[int] | None
) -> int:
    statement = _learning_due_today_statement(deck_ids is not None)
    parameters = _with_decks({"now": now, "end": day.end}, deck_ids)
    return statement.run(conn, parameters).scalar() or 0
