"""What another tool kept for a card: suspension (at its first import), the review log (Anki;
the answers not yet here, at every import, see `returned`), and review schedules (the Obsidian
plugin's due date, interval and SM-2 ease), which become the cards' FSRS state when they are
first imported.

The memory state comes from fsrs-rs-python's conversion of an SM-2 ease and interval (the one
Anki uses when FSRS is switched on for cards studied under SM-2); the card becomes a review card
due on the tool's due date, last reviewed one interval before. A manual entry in the review log
records the carried state (rating 0, with its stability, difficulty and interval), so the
history shows where the schedule came from and `flashcards doctor` replays later answers from
it. A card already studied here keeps its own schedule: carrying happens once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

import fsrs
from sqlalchemy import insert, select, update

from ..convert.model import PastReview, Schedule
from ..review_rules import CardState
from ..scheduling.days import StudyDay, study_day
from ..storage.collection import Collection
from ..storage.export_reads import card_ids_by_explicit_id
from ..storage.tables import cards, reviews
from .returned import merge_histories

__all__ = [
    "CarriedSchedules",
    "carry_history",
    "carry_schedules",
    "memory_from_sm2",
    "suspend_added",
]

SM2_RETENTION = 0.9  # the retention SM-2's intervals are taken to have achieved (Anki's default)


@dataclass(slots=True)
class CarriedSchedules:
    carried: int = 0
    kept: int = 0  # cards already studied here, which keep their own schedule
    refused: int = 0  # schedules with no usable interval or ease


def memory_from_sm2(
    ease: float, interval_days: float, parameters: tuple[float, ...] | None
) -> tuple[float, float] | None:
    """(stability, difficulty) for a card SM-2 scheduled `interval_days` ahead with `ease`
    (2.5 for 250%), or None when the numbers are out of SM-2's range."""
    import fsrs_rs_python

    if interval_days < 1 or not 1.3 <= ease <= 10:
        return None
    weights = list(parameters or fsrs.Scheduler().parameters)
    state = fsrs_rs_python.FSRS(weights).memory_state_from_sm2(
        ease, float(interval_days), SM2_RETENTION
    )
    return float(state.stability), float(state.difficulty)


def carry_schedules(
    collection: Collection,
    schedules: Mapping[str, Schedule],
    now: datetime,
    today: StudyDay,
    parameters: tuple[float, ...] | None = None,
) -> CarriedSchedules:
    """Give the new cards named in `schedules` (by explicit id) their carried schedule."""
    outcome = CarriedSchedules()
    if not schedules:
        return outcome
    ids = list(schedules)
    with collection.write() as conn:
        rows = [
            row
            for start in range(0, len(ids), 500)
            for row in conn.execute(
                select(cards.c.id, cards.c.explicit_id, cards.c.state, cards.c.reps).where(
                    cards.c.explicit_id.in_(ids[start : start + 500]),
                    cards.c.retired.is_(False),
                )
            )
        ]
        for row in rows:
            if row.state != CardState.NEW or row.reps:
                outcome.kept += 1
                continue
            schedule = schedules[row.explicit_id]
            memory = memory_from_sm2(schedule.ease / 100, schedule.interval_days, parameters)
            if memory is None:
                outcome.refused += 1
                continue
            stability, difficulty = memory
            due = today.next((schedule.due - today.date).days).start
            last_review = min(due - timedelta(days=schedule.interval_days), now)
            conn.execute(
                update(cards)
                .where(cards.c.id == row.id)
                .values(
                    state=CardState.REVIEW,
                    step=None,
                    stability=stability,
                    difficulty=difficulty,
                    due=due,
                    last_review=last_review,
                    modified_at=now,
                )
            )
            conn.execute(
                insert(reviews).values(
                    card_id=row.id,
                    rating=0,
                    reviewed_at=last_review,
                    duration_ms=None,
                    state_before=CardState.MANUAL,
                    interval_before=0.0,
                    scheduled_days=float(schedule.interval_days),
                    day=study_day(last_review, today.zone, today.rollover_hour).date.toordinal(),
                    first_of_day=False,
                    stability=stability,
                    difficulty=difficulty,
                )
            )
            outcome.carried += 1
    return outcome


def suspend_added(collection: Collection, ids: set[str], added_at: datetime) -> int:
    """Suspend the cards among `ids` that the import at `added_at` has just added (a card the
    source had suspended); cards that were already here keep their own state."""
    if not ids:
        return 0
    names = sorted(ids)
    changed = 0
    with collection.write() as conn:
        for start in range(0, len(names), 500):
            changed += conn.execute(
                update(cards)
                .where(
                    cards.c.explicit_id.in_(names[start : start + 500]),
                    cards.c.created_at == added_at,
                    cards.c.retired.is_(False),
                    cards.c.suspended.is_(False),
                )
                .values(suspended=True, modified_at=added_at)
            ).rowcount
    return changed


def carry_history(
    collection: Collection,
    histories: Mapping[str, Sequence[PastReview]],
    added_at: datetime,
    scheduler: fsrs.Scheduler,
    zone: tzinfo,
    rollover_hour: int,
) -> tuple[int, int]:
    """Write the source's answers into the review log of the cards they belong to (by
    explicit id), and give each the FSRS state that replaying its log gives (the replay
    `flashcards doctor` checks against). Answers the log already holds are recognised: a
    package imported twice never brings its reviews twice, and one imported again later
    brings only the answers given since. Returns how many cards and answers came along."""
    if not histories:
        return 0, 0
    ids = card_ids_by_explicit_id(collection, histories)
    by_card = {ids[name]: past for name, past in histories.items() if name in ids}
    return merge_histories(collection, by_card, added_at, scheduler, zone, rollover_hour)
