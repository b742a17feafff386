"""Rescheduling under new parameters: every studied card's history is answered again, review by
review, by the `fsrs` scheduler with the new parameters, and the card takes the state and due
date it would have had if those parameters had always been in use."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import fsrs
from sqlalchemy import and_, select, update

from ..config import Config
from ..review_rules import CardState
from ..scheduling.days import StudyDay, study_day
from ..scheduling.queue import deck_infos
from ..scheduling.scheduler import make_scheduler
from ..storage.collection import Collection
from ..storage.tables import cards, reviews

__all__ = ["Move", "ReschedulePlan", "apply_reschedule", "plan_reschedule"]


@dataclass(frozen=True, slots=True)
class Move:
    card_id: int
    reps: int  # as read: the card is left alone if it was answered in the meantime
    due_before: datetime
    card: fsrs.Card  # the replayed state; `card.due` is the new due date
    days: int  # study days the due date moves (negative: earlier)


@dataclass(frozen=True, slots=True)
class ReschedulePlan:
    considered: int  # studied cards (not new, not retired)
    changes: tuple[Move, ...]  # every card whose state or due date changes

    @property
    def moves(self) -> list[Move]:
        """Cards whose due date moves to another study day."""
        return [move for move in self.changes if move.days != 0]

    @property
    def earlier(self) -> int:
        return sum(1 for move in self.moves if move.days < 0)

    @property
    def later(self) -> int:
        return sum(1 for move in self.moves if move.days > 0)

    @property
    def median_days(self) -> float:
        """The median size of a move, in days (0 when nothing moves)."""
        moves = self.moves
        return statistics.median(abs(move.days) for move in moves) if moves else 0.0

    @property
    def largest_days(self) -> int:
        return max((abs(move.days) for move in self.moves), default=0)

    def summary(self) -> str:
        moved = len(self.moves)
        if not moved:
            return f"No card moves ({self.considered} studied cards checked)."
        return (
            f"{moved} of {self.considered} studied cards move: {self.earlier} earlier, "
            f"{self.later} later; median move {self.median_days:g} days, largest "
            f"{self.largest_days}."
        )


def plan_reschedule(
    collection: Collection,
    config: Config,
    parameters: Sequence[float],
    today: StudyDay,
) -> ReschedulePlan:
    """Replay each studied card's reviews under `parameters`; nothing is written."""
    with collection.read() as conn:
        retention = {info.id: info.desired_retention for info in deck_infos(conn, config)}
        rows = conn.execute(
            select(
                cards.c.id,
                cards.c.deck_id,
                cards.c.state,
                cards.c.step,
                cards.c.stability,
                cards.c.difficulty,
                cards.c.due,
                cards.c.reps,
            ).where(cards.c.retired.is_(False), cards.c.state != CardState.NEW)
        ).all()
        history: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
        for answer in conn.execute(
            select(reviews.c.card_id, reviews.c.rating, reviews.c.reviewed_at).order_by(
                reviews.c.reviewed_at, reviews.c.id
            )
        ):
            history[answer.card_id].append((answer.rating, answer.reviewed_at))
    parameters = tuple(parameters)
    changes: list[Move] = []
    considered = 0
    for row in rows:
        answers = history.get(row.id)
        if not answers:
            continue
        considered += 1
        scheduler = make_scheduler(config, retention.get(row.deck_id), parameters)
        card = fsrs.Card(card_id=row.id, state=fsrs.State.Learning, step=0, due=answers[0][1])
        for rating, reviewed_at in answers:
            card, _log = scheduler.review_card(card, fsrs.Rating(rating), reviewed_at)
        unchanged = (
            card.due == row.due
            and int(card.state) == row.state
            and card.step == row.step
            and card.stability == row.stability
            and card.difficulty == row.difficulty
        )
        if unchanged:
            continue
        days = _day(card.due, today) - _day(row.due, today)
        changes.append(Move(row.id, row.reps, row.due, card, days))
    return ReschedulePlan(considered, tuple(changes))


def _day(instant: datetime, today: StudyDay) -> int:
    return study_day(instant, today.zone, today.rollover_hour).date.toordinal()


def apply_reschedule(collection: Collection, plan: ReschedulePlan, now: datetime) -> int:
    """Write the replayed states; return how many cards were updated. A card answered since the
    plan was made keeps its newer state."""
    updated = 0
    with collection.write() as conn:
        for move in plan.changes:
            result = conn.execute(
                update(cards)
                .where(and_(cards.c.id == move.card_id, cards.c.reps == move.reps))
                .values(
                    state=int(move.card.state),
                    step=move.card.step,
                    stability=move.card.stability,
                    difficulty=move.card.difficulty,
                    due=move.card.due,
                    modified_at=now,
                )
            )
            updated += result.rowcount
    return updated
