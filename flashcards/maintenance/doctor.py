"""`flashcards doctor`: SQLite's integrity check, rows that point at nothing, and every card's
FSRS state checked against a replay of its review log."""

from __future__ import annotations

import bisect
import math
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import fsrs
from sqlalchemy import Connection, and_, delete, or_, select, update

from ..config import Config
from ..optimizer.store import parameter_sets
from ..review_rules import CardState, is_lapse, is_manual
from ..scheduling.scheduler import make_scheduler
from ..storage.backup import SERVER_BACKUPS, SERVER_INTEGRITY, check_integrity
from ..storage.collection import Collection
from ..storage.tables import cards as cards_t
from ..storage.tables import decks as decks_t
from ..storage.tables import exam_answers as answers_t
from ..storage.tables import exams as exams_t
from ..storage.tables import reviews as reviews_t
from ..storage.totals import recount, totals_agree

__all__ = ["Finding", "Report", "examine", "examine_unopenable"]


# The log entries a replay reads: answers, and the manual entries that carry a schedule in
# from another tool (rating 0 with a stability and an interval; resets and reschedules to
# today have neither).
_REPLAYED = or_(
    and_(reviews_t.c.state_before != CardState.MANUAL, reviews_t.c.rating.between(1, 4)),
    and_(
        reviews_t.c.rating == 0,
        reviews_t.c.stability.is_not(None),
        reviews_t.c.scheduled_days > 0,
    ),
)


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # "integrity", "orphan", "state", "totals"
    message: str
    fixable: bool
    card_id: int | None = None  # for "state": the card whose state disagrees with its log


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    cards_checked: int = 0
    readable: dict[str, int] = field(default_factory=dict)  # rows per table, when unopenable
    notes: list[str] = field(default_factory=list)  # what was not checked here, and why

    @property
    def healthy(self) -> bool:
        return not self.findings


@dataclass(frozen=True, slots=True)
class _Replayed:
    stability: float | None
    difficulty: float | None
    reps: int
    lapses: int
    card: fsrs.Card | None = None  # the whole replayed state (None: never answered)


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


class _Schedulers:
    """The scheduler for a moment: with the parameters accepted most recently before it."""

    def __init__(self, collection: Collection, config: Config) -> None:
        sets = sorted(parameter_sets(collection), key=lambda s: s.created_at)
        self.times = [s.created_at for s in sets]
        self.by_time = [make_scheduler(config, parameters=s.parameters) for s in sets]
        self.default = make_scheduler(config)
        self.newest = self.by_time[-1] if sets else self.default

    def at(self, moment: datetime) -> fsrs.Scheduler:
        index = bisect.bisect_right(self.times, moment) - 1
        return self.by_time[index] if index >= 0 else self.default


def _replay(card_id: int, answers: list, choose: Callable[[datetime], fsrs.Scheduler]) -> _Replayed:
    """Answer a fresh card with the logged ratings; an answer to a new card means the card was
    reset to new before it, so the replay starts again there. A carried schedule (see
    `flashcards.study.carried`) is a starting state, like a fresh card."""
    card = None
    reps = lapses = 0
    for rating, reviewed_at, state_before, *carried in answers:
        if rating == 0:  # a schedule carried from another tool: the state starts there
            stability, difficulty = carried
            card = fsrs.Card(
                card_id=card_id,
                state=fsrs.State.Review,
                step=None,
                stability=stability,
                difficulty=difficulty,
                due=reviewed_at,
                last_review=reviewed_at,
            )
            reps = lapses = 0
            continue
        if card is None or state_before == CardState.NEW:
            card = fsrs.Card(card_id=card_id, due=reviewed_at)
            reps = lapses = 0
        if card.last_review is not None and reviewed_at < card.last_review:
            reviewed_at = card.last_review  # the clock went backwards: answered "at" the last one
        scheduler = choose(reviewed_at)
        lapsed = is_lapse(card.state, rating)
        card, _ = scheduler.review_card(card, fsrs.Rating(rating), review_datetime=reviewed_at)
        reps += 1
        lapses += lapsed
    if card is None:
        return _Replayed(None, None, 0, 0)
    return _Replayed(card.stability, card.difficulty, reps, lapses, card)


def examine(collection: Collection, config: Config, fix: bool = False) -> Report:
    """Check the collection; with `fix`, repair what can be repaired and say what changed."""
    report = Report()
    path = collection.sqlite_path
    if path is not None:
        for problem in check_integrity(path):
            report.findings.append(Finding("integrity", f"integrity check: {problem}", False))
        if report.findings:
            return report  # a damaged file is for `flashcards restore`, not for repairs
    else:
        report.notes.append(f"integrity: not checked by flashcards: {SERVER_INTEGRITY}")
        report.notes.append(f"backups: {SERVER_BACKUPS}")
    schedulers = _Schedulers(collection, config)
    with collection.read() as conn:
        _orphans(conn, report)
        _states(conn, schedulers, report)
        if not totals_agree(conn):
            report.findings.append(
                Finding("totals", "the statistics' totals disagree with the review log", True)
            )
    if fix:
        _repair(collection, report, schedulers)
    return report


_COUNTED_TABLES = ("deck", "card", "review", "exam")


def examine_unopenable(path: Path) -> Report:
    """What can still be said about a collection file that cannot be opened: SQLite's own
    integrity check, and how many rows of each table can still be read (read-only)."""
    report = Report()
    if not path.exists():
        report.findings.append(Finding("integrity", f"{path} does not exist", False))
        return report
    for problem in check_integrity(path)[:20]:
        report.findings.append(Finding("integrity", f"integrity check: {problem}", False))
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        report.findings.append(Finding("integrity", f"cannot read the file: {exc}", False))
        return report
    try:
        for table in _COUNTED_TABLES:
            try:
                (count,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
            except sqlite3.Error as exc:
                report.findings.append(Finding("unreadable", f"table {table}: {exc}", False))
            else:
                report.readable[table] = count
                if table == "card":
                    report.cards_checked = count
    finally:
        connection.close()
    if not report.findings:  # it reads, so the failure was elsewhere (a newer schema, a lock)
        report.findings.append(Finding("integrity", "the file reads, but would not open", False))
    return report


def _orphans(conn: Connection, report: Report) -> None:
    checks = [
        ("review", reviews_t, reviews_t.c.card_id.not_in(select(cards_t.c.id))),
        ("card", cards_t, cards_t.c.deck_id.not_in(select(decks_t.c.id))),
        ("exam answer", answers_t, answers_t.c.exam_id.not_in(select(exams_t.c.id))),
        ("exam answer", answers_t, answers_t.c.card_id.not_in(select(cards_t.c.id))),
    ]
    for name, table, condition in checks:
        for (row_id,) in conn.execute(select(table.c.id).where(condition)):
            report.findings.append(
                Finding("orphan", f"{name} {row_id} points at a row that does not exist", True)
            )


def _states(conn: Connection, schedulers: _Schedulers, report: Report) -> None:
    logs: dict[int, list] = defaultdict(list)
    statement = (
        select(
            reviews_t.c.card_id,
            reviews_t.c.rating,
            reviews_t.c.reviewed_at,
            reviews_t.c.state_before,
            reviews_t.c.stability,
            reviews_t.c.difficulty,
        )
        .where(_REPLAYED)
        .order_by(reviews_t.c.card_id, reviews_t.c.reviewed_at, reviews_t.c.id)
    )
    for card_id, *entry in conn.execute(statement):
        logs[card_id].append(tuple(entry))
    last_of_new = _last_entries_of_new_cards(conn)
    rows = conn.execute(
        select(
            cards_t.c.id,
            cards_t.c.state,
            cards_t.c.stability,
            cards_t.c.difficulty,
            cards_t.c.reps,
            cards_t.c.lapses,
        )
    )
    for card_id, state, stability, difficulty, reps, lapses in rows:
        report.cards_checked += 1
        answers = logs.get(card_id, [])
        if state == CardState.NEW:
            # New, or reset to new (a manual entry in the log): nothing to compare, unless the
            # log ends with an answer, which the card's state does not hold (undone on one
            # machine after another answered it, say).
            last = last_of_new.get(card_id)
            if last is not None and not is_manual(last[0], last[1]):
                report.findings.append(
                    Finding(
                        "state",
                        f"card {card_id} is new, but its review log ends with an answer "
                        f"(rating {last[0]}, {last[2]:%Y-%m-%d %H:%M} UTC) that its state "
                        "does not hold",
                        bool(answers),
                        card_id,
                    )
                )
            continue
        stored = _Replayed(stability, difficulty, reps, lapses)
        candidates = [
            _replay(card_id, answers, schedulers.at),
            _replay(card_id, answers, lambda _moment: schedulers.newest),
        ]
        if any(_agrees(stored, c) for c in candidates):
            continue
        best = candidates[0]
        report.findings.append(
            Finding(
                "state",
                f"card {card_id}: stored stability {_show(stability)}, difficulty "
                f"{_show(difficulty)}, {reps} reps, {lapses} lapses; its log gives "
                f"{_show(best.stability)}, {_show(best.difficulty)}, {best.reps}, {best.lapses}",
                bool(answers),
                card_id,
            )
        )


def _last_entries_of_new_cards(conn: Connection) -> dict[int, tuple[int, int, datetime]]:
    """For each new card with a review log: its last entry's rating, state before and time."""
    statement = (
        select(
            reviews_t.c.card_id,
            reviews_t.c.rating,
            reviews_t.c.state_before,
            reviews_t.c.reviewed_at,
        )
        .join(cards_t, cards_t.c.id == reviews_t.c.card_id)
        .where(cards_t.c.state == CardState.NEW)
        .order_by(reviews_t.c.card_id, reviews_t.c.reviewed_at, reviews_t.c.id)
    )
    return {card_id: (rating, state, at) for card_id, rating, state, at in conn.execute(statement)}


def _agrees(stored: _Replayed, replayed: _Replayed) -> bool:
    return (
        _close(stored.stability, replayed.stability)
        and _close(stored.difficulty, replayed.difficulty)
        and stored.reps == replayed.reps
        and stored.lapses == replayed.lapses
    )


def _show(value: float | None) -> str:
    return "none" if value is None else f"{value:.4g}"


def _repair(collection: Collection, report: Report, schedulers: _Schedulers) -> None:
    """Delete orphaned rows; give disagreeing cards the state their log gives."""
    with collection.write() as conn:
        for table, condition, name in (
            (reviews_t, reviews_t.c.card_id.not_in(select(cards_t.c.id)), "review"),
            (answers_t, answers_t.c.exam_id.not_in(select(exams_t.c.id)), "exam answer"),
            (answers_t, answers_t.c.card_id.not_in(select(cards_t.c.id)), "exam answer"),
        ):
            removed = conn.execute(delete(table).where(condition)).rowcount
            if removed:
                report.fixed.append(f"deleted {removed} orphaned {name} row(s)")
        disagreeing = [
            f.card_id
            for f in report.findings
            if f.kind == "state" and f.fixable and f.card_id is not None
        ]
        for card_id in disagreeing:
            answers = [
                (r.rating, r.reviewed_at, r.state_before, r.stability, r.difficulty)
                for r in conn.execute(
                    select(reviews_t)
                    .where(reviews_t.c.card_id == card_id, _REPLAYED)
                    .order_by(reviews_t.c.reviewed_at, reviews_t.c.id)
                )
            ]
            replayed = _replay(card_id, answers, schedulers.at)
            values: dict[str, Any] = {
                "stability": replayed.stability,
                "difficulty": replayed.difficulty,
                "reps": replayed.reps,
                "lapses": replayed.lapses,
            }
            stored_state = conn.execute(
                select(cards_t.c.state).where(cards_t.c.id == card_id)
            ).scalar_one()
            if stored_state == CardState.NEW and replayed.card is not None:
                # A new card whose log was answered: it takes the whole state its log gives.
                card = replayed.card
                values.update(
                    state=int(card.state),
                    step=card.step,
                    due=card.due,
                    last_review=card.last_review,
                )
            conn.execute(update(cards_t).where(cards_t.c.id == card_id).values(**values))
            report.fixed.append(
                f"card {card_id}: state set from its review log (stability "
                f"{_show(replayed.stability)}, difficulty {_show(replayed.difficulty)})"
            )
        if any(f.kind in ("totals", "orphan") for f in report.findings):
            recount(conn)  # also after deleting orphaned reviews, which the totals counted
            if any(f.kind == "totals" for f in report.findings):
                report.fixed.append("statistics' totals counted again from the review log")
