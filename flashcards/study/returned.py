"""Answers given elsewhere (in Anki, on the phone) merged into a card's review log: those the log
already holds are recognised and left out, the others are added, and the card's FSRS state is
replayed from the whole log, so its next due date follows from every answer, wherever given.

An answer is the same as one in the log when it has the same rating and was given within a
second of it, each logged answer standing for one answer only: our own answers go to Anki with
their instant (to the millisecond, a few moved on by a millisecond or so, since Anki wants
each instant once) and come back with it, and Anki's come here with theirs.

The replay reads the log as `flashcards doctor` does: an answer to a new card starts the card
again, and a schedule carried in from another tool is a starting state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

import fsrs
from sqlalchemy import Connection, and_, insert, or_, select, update

from ..convert.model import PastReview
from ..review_rules import CardState, is_lapse
from ..scheduling.days import study_day
from ..storage.collection import Collection
from ..storage.export_reads import card_ids_by_uid
from ..storage.tables import cards, reviews
from ..storage.totals import recount

__all__ = ["SAME_ANSWER", "Returned", "bring_back", "merge_answers", "merge_histories"]

SAME_ANSWER = timedelta(seconds=1)  # answers this close on one card are one answer


_REPLAYED = or_(
    and_(reviews.c.state_before != CardState.MANUAL, reviews.c.rating.between(1, 4)),
    and_(reviews.c.rating == 0, reviews.c.stability.is_not(None), reviews.c.scheduled_days > 0),
)


@dataclass(frozen=True, slots=True)
class _Logged:
    at: datetime
    rating: int
    state_before: int
    stability: float | None
    difficulty: float | None


def _take_known(answer: PastReview, known: list[_Logged]) -> bool:
    """Whether the log holds this answer: an answer of the same rating, within a second, not
    already taken by another (quick answers in a row stay apart). Takes the closest."""
    close = [
        entry
        for entry in known
        if entry.rating == answer.rating and abs(entry.at - answer.reviewed_at) < SAME_ANSWER
    ]
    if not close:
        return False
    known.remove(min(close, key=lambda entry: abs(entry.at - answer.reviewed_at)))
    return True


def merge_answers(
    conn: Connection,
    card_id: int,
    past: Sequence[PastReview],
    now: datetime,
    scheduler: fsrs.Scheduler,
    zone: tzinfo,
    rollover_hour: int,
) -> int:
    """Add to the card's log the answers of `past` it does not hold yet (none later than
    `now`), and give the card the state a replay of its whole log gives. Returns how many
    answers were added. The caller recounts the statistics' totals."""
    logged = [
        _Logged(*row)
        for row in conn.execute(
            select(
                reviews.c.reviewed_at,
                reviews.c.rating,
                reviews.c.state_before,
                reviews.c.stability,
                reviews.c.difficulty,
            )
            .where(reviews.c.card_id == card_id, _REPLAYED)
            .order_by(reviews.c.reviewed_at, reviews.c.id)
        )
    ]
    known = [entry for entry in logged if entry.rating]
    fresh = [
        answer
        for answer in sorted(past, key=lambda a: a.reviewed_at)
        if answer.reviewed_at <= now and not _take_known(answer, known)
    ]
    if not fresh:
        return 0
    merged: list[_Logged | PastReview] = sorted(
        [*logged, *fresh], key=lambda e: e.at if isinstance(e, _Logged) else e.reviewed_at
    )
    card: fsrs.Card | None = None
    reps = lapses = 0
    days_answered: set[int] = set()
    entries: list[dict] = []
    for entry in merged:
        if isinstance(entry, _Logged):
            if entry.rating == 0:  # a carried schedule: the state starts there
                card = fsrs.Card(
                    card_id=card_id,
                    state=fsrs.State.Review,
                    step=None,
                    stability=entry.stability,
                    difficulty=entry.difficulty,
                    due=entry.at,
                    last_review=entry.at,
                )
                reps = lapses = 0
                continue
            at, rating, starts_over = entry.at, entry.rating, entry.state_before == CardState.NEW
        else:
            at, rating, starts_over = entry.reviewed_at, entry.rating, False
        if card is None or starts_over:
            card = fsrs.Card(card_id=card_id, due=at)
            reps = lapses = 0
        if card.last_review is not None and at < card.last_review:
            at = card.last_review
        state_before = CardState.NEW if reps == 0 else int(card.state)
        interval_before = (
            (card.due - card.last_review).total_seconds() / 86400 if card.last_review else 0.0
        )
        lapsed = is_lapse(card.state, rating)
        card, _log = scheduler.review_card(card, fsrs.Rating(rating), review_datetime=at)
        reps += 1
        lapses += lapsed
        day = study_day(at, zone, rollover_hour).date.toordinal()
        if isinstance(entry, PastReview):
            entries.append(
                {
                    "card_id": card_id,
                    "rating": rating,
                    "reviewed_at": at,
                    "duration_ms": entry.duration_ms,
                    "state_before": state_before,
                    "interval_before": interval_before,
                    "scheduled_days": (card.due - at).total_seconds() / 86400,
                    "day": day,
                    "first_of_day": day not in days_answered,
                    "stability": card.stability,
                    "difficulty": card.difficulty,
                }
            )
        days_answered.add(day)
    assert card is not None  # `fresh` held at least one answer
    conn.execute(insert(reviews), entries)
    conn.execute(
        update(cards)
        .where(cards.c.id == card_id)
        .values(
            state=int(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
            reps=reps,
            lapses=lapses,
            modified_at=now,
        )
    )
    return len(entries)


def merge_histories(
    collection: Collection,
    histories: Mapping[int, Sequence[PastReview]],
    now: datetime,
    scheduler: fsrs.Scheduler,
    zone: tzinfo,
    rollover_hour: int,
) -> tuple[int, int]:
    """`merge_answers` for each card (by its row id), in one transaction; returns how many
    cards gained answers and how many answers were added in all."""
    cards_done = answers_done = 0
    with collection.write() as conn:
        for card_id, past in histories.items():
            added = merge_answers(conn, card_id, past, now, scheduler, zone, rollover_hour)
            cards_done += added > 0
            answers_done += added
        if answers_done:
            recount(conn)  # the statistics' totals, now with the answers that came in
    return cards_done, answers_done


@dataclass(frozen=True, slots=True)
class Returned:
    cards: int  # cards that gained answers
    answers: int  # answers added
    unknown: int  # cards of the package that are not (or no longer) in the collection


def bring_back(
    collection: Collection,
    by_uid: Mapping[str, Sequence[PastReview]],
    now: datetime,
    scheduler: fsrs.Scheduler,
    zone: tzinfo,
    rollover_hour: int,
) -> Returned:
    """Merge the answers given in Anki to cards that went there with `flashcards export`,
    found by their lasting identity (the uid the package names)."""
    ids = card_ids_by_uid(collection, by_uid)
    by_card = {ids[uid]: past for uid, past in by_uid.items() if uid in ids}
    cards_done, answers = merge_histories(collection, by_card, now, scheduler, zone, rollover_hour)
    return Returned(cards_done, answers, len(by_uid) - len(by_card))
