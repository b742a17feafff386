"""A daily review session: the headless core that the review screen drives.

Each answer is committed before the next card is shown. Undo restores the card exactly and
removes its review log entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from ..clock import Clock
from ..config import Config
from ..review_rules import CardState, Rating, counts_for_retention, passes
from ..scheduling.days import StudyDay, study_day
from ..scheduling.queue import (
    deck_infos,
    due_learning,
    learning_due_today,
    plan_queue,
)
from ..scheduling.scheduler import Outcome, make_scheduler, outcomes
from ..storage.cards import ReviewEntry, fetch_card, record_answer, restore_card, set_flags
from ..storage.collection import Collection
from ..storage.records import CardRecord

__all__ = ["AnswerResult", "Left", "ReviewSession", "UndoRefused"]

MAX_DURATION_MS = 10 * 60 * 1000


@dataclass(frozen=True, slots=True)
class AnswerResult:
    saved: bool  # False when another program had already answered or changed the card
    became_leech: bool = False


@dataclass(frozen=True, slots=True)
class Left:
    """Cards still to study today, by kind, as Anki's header counts them."""

    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


@dataclass(frozen=True, slots=True)
class _Undo:
    before: CardRecord
    review_id: int | None
    was_answer: bool
    what: str  # what undoing it takes back: the rating's name, "bury" or "suspend"
    left_reps: int  # the card as this session left it: its answers, and when it was changed
    left_at: datetime


class UndoRefused(Exception):
    """Undo would put back a card that another program answered or changed since."""


class ReviewSession:
    """Today's queue for some decks (or all), one card at a time."""

    def __init__(
        self,
        collection: Collection,
        config: Config,
        clock: Clock,
        zone: tzinfo,
        deck_ids: list[int] | None = None,
        *,
        ahead: bool = False,
        parameters: tuple[float, ...] | None = None,
    ) -> None:
        self.collection = collection
        self.parameters = parameters  # fitted FSRS parameters; None: the defaults
        self.config = config
        self.clock = clock
        self.zone = zone
        self.deck_ids = deck_ids
        self.ahead = ahead
        self.done = 0
        self.current: CardRecord | None = None
        self.current_outcomes: dict[int, Outcome] = {}
        self._shown_at: datetime | None = None
        self._undo: list[_Undo] = []
        self._known_day: StudyDay | None = None
        self.day = self._today()
        with collection.read() as conn:
            self._retention = {info.id: info.desired_retention for info in deck_infos(conn, config)}
            self.plan = plan_queue(conn, config, self.day, clock.now(), deck_ids, ahead=ahead)

    def _today(self) -> StudyDay:
        """The study day now; worked out again only once `now` leaves the last one (the
        instants where a day starts and ends are exact, daylight-saving changes included)."""
        now = self.clock.now()
        known = self._known_day
        if known is None or not known.start <= now < known.end:
            known = self._known_day = study_day(now, self.zone, self.config.rollover_hour)
        return known

    @property
    def left(self) -> Left:
        """Cards still to study today: the planned queue, the learning cards due today, and
        the card on screen."""
        with self.collection.read() as conn:
            learning = learning_due_today(conn, self.day, self.clock.now(), self.deck_ids)
        new_ids = self.plan.new_ids
        new = sum(1 for card_id in self.plan.main if card_id in new_ids)
        review = len(self.plan.main) - new
        # A learning card on screen is already among `learning`; any other is counted here.
        current = self.current
        if current is not None and current.state not in (CardState.LEARNING, CardState.RELEARNING):
            if current.is_new:
                new += 1
            else:
                review += 1
        return Left(new, learning, review)

    def next_card(self) -> CardRecord | None:
        """Move to the next card to study, or None when today's work is done."""
        now = self.clock.now()
        today = self._today()
        if today != self.day:  # the day rolled over while studying
            self.day = today
            with self.collection.read() as conn:
                self.plan = plan_queue(conn, self.config, self.day, now, self.deck_ids)
        card = self._pick(now)
        self.current = card
        self._shown_at = now
        self.current_outcomes = self._outcomes(card, now) if card else {}
        return card

    def _pick(self, now: datetime) -> CardRecord | None:
        with self.collection.read() as conn:
            learning_id = due_learning(conn, now, self.deck_ids)
            if learning_id is not None:
                return fetch_card(conn, learning_id)
            while self.plan.main:
                record = fetch_card(conn, self.plan.main.popleft())
                if record is not None and self._still_wanted(record, now):
                    return record
            ahead = timedelta(minutes=self.config.learn_ahead_minutes)
            learning_id = due_learning(conn, now, self.deck_ids, ahead)
            if learning_id is not None:
                return fetch_card(conn, learning_id)
        return None

    def reload_current(self) -> CardRecord | None:
        """Read the current card again (after its deck file was edited); move on if it is gone."""
        if self.current is None:
            return self.next_card()
        with self.collection.read() as conn:
            record = fetch_card(conn, self.current.id)
        if record is None or record.retired or record.suspended:
            return self.next_card()
        self.current = record
        self.current_outcomes = self._outcomes(record, self.clock.now())
        return record

    def _still_wanted(self, record: CardRecord, now: datetime) -> bool:
        """Skip a card that another program answered, suspended or buried after we planned."""
        buried = record.buried_until is not None and record.buried_until > now
        if record.retired or record.suspended or buried:
            return False
        if record.state in (CardState.LEARNING, CardState.RELEARNING):
            return False  # now a learning card: it comes back through the learning queue
        return record.is_new or self.ahead or record.due < self.day.end

    def _outcomes(self, card: CardRecord, now: datetime) -> dict[int, Outcome]:
        scheduler = make_scheduler(
            self.config, self._retention.get(card.deck_id), parameters=self.parameters
        )
        return outcomes(scheduler, card, now, self.config.leech_lapses)

    def intervals(self) -> dict[int, str]:
        """The label of each rating's next interval for the current card ('10m', '2d')."""
        return {rating: outcome.label for rating, outcome in self.current_outcomes.items()}

    def answer(self, rating: int) -> AnswerResult:
        """Rate the current card (1 Again .. 4 Easy) and store it at once."""
        before = self.current
        if before is None:
            raise RuntimeError("no card to answer")
        outcome = self.current_outcomes[rating]
        now = self.clock.now()
        duration = int((now - (self._shown_at or now)).total_seconds() * 1000)
        today = self._today()
        first_of_day = before.last_review is None or before.last_review < today.start
        changes: dict[str, int | bool] = {}
        if counts_for_retention(before.state, first_of_day):
            changes.update(
                recall_passed=before.recall_passed + passes(rating),
                recall_total=before.recall_total + 1,
            )
        if outcome.became_leech:
            changes.update(leech=True, suspended=True)
        after = before.with_fsrs(outcome.card, reps=outcome.reps, lapses=outcome.lapses, **changes)
        entry = ReviewEntry(
            rating=rating,
            reviewed_at=outcome.card.last_review or now,
            duration_ms=max(0, min(duration, MAX_DURATION_MS)),
            state_before=before.state,
            interval_before=(
                (before.due - before.last_review).total_seconds() / 86400
                if before.last_review
                else 0.0
            ),
            scheduled_days=outcome.interval.total_seconds() / 86400,
            stability=outcome.card.stability,
            difficulty=outcome.card.difficulty,
            day=today.date.toordinal(),
            # Answered earlier today exactly when its last answer falls after today's start.
            first_of_day=first_of_day,
        )
        # Run again once if the connection to a database server was lost (nothing was written
        # then); if the server stays away, the error says the answer was not saved.
        review_id = self.collection.transact(
            lambda conn: record_answer(conn, before, after, entry, now), what="your answer"
        )
        self.current = None
        if review_id is None:
            return AnswerResult(saved=False)
        self.done += 1
        name = Rating(rating).name
        self._undo.append(
            _Undo(before, review_id, was_answer=True, what=name, left_reps=after.reps, left_at=now)
        )
        if before.sibling_key:
            self.plan.siblings_seen.add(before.sibling_key)
        return AnswerResult(saved=True, became_leech=outcome.became_leech)

    def bury(self) -> CardRecord | None:
        """Hide the current card until the next study day starts; the card buried, if any."""
        return self._set_current("bury", buried_until=self.day.end)

    def suspend(self) -> CardRecord | None:
        """Take the current card out of study until it is unsuspended; the card, if any."""
        return self._set_current("suspend", suspended=True)

    def _set_current(self, what: str, **flags: object) -> CardRecord | None:
        before = self.current
        if before is None:
            return None
        now = self.clock.now()
        with self.collection.write() as conn:
            set_flags(conn, [before.id], now, **flags)
        self._undo.append(
            _Undo(before, None, was_answer=False, what=what, left_reps=before.reps, left_at=now)
        )
        self.current = None
        return before

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def undo_what(self) -> str | None:
        """What `undo` would take back: a rating's name ("Good"), "bury" or "suspend"."""
        return self._undo[-1].what if self._undo else None

    def undo(self) -> CardRecord | None:
        """Undo the last answer, bury or suspend; that card becomes the current card again.
        Raises `UndoRefused` (and forgets that step) when the card was answered or changed
        elsewhere since: undoing would silently throw that change away."""
        if not self._undo:
            return None
        last = self._undo.pop()
        now = self.clock.now()
        with self.collection.write() as conn:
            restored = restore_card(
                conn,
                last.before,
                now,
                last.review_id,
                left_reps=last.left_reps,
                left_at=last.left_at,
            )
        if not restored:
            raise UndoRefused(
                f"Cannot undo {last.what}: the card was answered or changed elsewhere since "
                "(another machine or window), and undoing would throw that away. Nothing was "
                "undone."
            )
        if self.current is not None and self.current.id != last.before.id:
            self.plan.main.appendleft(self.current.id)
        if last.was_answer:
            self.done -= 1
        self.current = last.before
        self._shown_at = now
        self.current_outcomes = self._outcomes(last.before, now)
        return last.before
