"""Mock design rounds as a person runs them: pick one, start or resume it, save it as it goes,
finish it with confirmed marks and a transcript, and turn what was missed into study.

A round never touches FSRS state or the review log; only the person's "send to review" does,
as an exam's does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from ..rounds.results import Mark, missed_cards, round_score, step_scores, suggest_marks
from ..rounds.run import RoundRun
from ..rounds.transcript import transcript_name, write_transcript
from ..storage import rounds as stored
from ..storage.collection import Collection
from .manage import send_to_today

AttemptRecord = stored.AttemptRecord
RoundSummary = stored.RoundSummary

__all__ = [
    "AttemptRecord",
    "RoundChoiceError",
    "RoundSummary",
    "earlier_attempts",
    "list_rounds",
    "RoundOutcome",
    "find_round",
    "finish_round",
    "resume_round",
    "save_round",
    "send_missed_to_review",
    "missed_card_ids",
    "start_round",
]


class RoundChoiceError(Exception):
    """A round title that names no round (or several); the message lists the known ones."""


def find_round(collection: Collection, title: str) -> stored.RoundSummary:
    """The round whose title or id is `title` (any case), or the one it starts uniquely."""
    with collection.read() as conn:
        summaries = stored.round_summaries(conn)
    wanted = title.casefold().strip()
    exact = [s for s in summaries if wanted in (s.title.casefold(), s.key.casefold())]
    found = exact or [s for s in summaries if s.title.casefold().startswith(wanted)]
    if len(found) == 1:
        return found[0]
    known = ", ".join(s.title for s in summaries) or "none (import a .round.md file)"
    if not found:
        raise RoundChoiceError(f"no round named '{title}'. Known rounds: {known}")
    names = ", ".join(s.title for s in found)
    raise RoundChoiceError(f"'{title}' names several rounds: {names}")


def list_rounds(
    collection: Collection, now: Callable[[], datetime]
) -> tuple[list[stored.RoundSummary], list[stored.AttemptRecord]]:
    """Every round (never-tried and weakest first) and the attempts interrupted before their
    results (newest first), as the list to choose from shows them."""
    with collection.read() as conn:
        return stored.round_summaries(conn), stored.unfinished_attempts(conn, now)


def earlier_attempts(
    collection: Collection, round_id: int, now: Callable[[], datetime]
) -> list[stored.AttemptRecord]:
    """A round's finished attempts, newest first."""
    with collection.read() as conn:
        return stored.attempts_of(conn, round_id, now)


def start_round(
    collection: Collection,
    summary: stored.RoundSummary,
    now: Callable[[], datetime],
    minutes: float | None = None,
) -> RoundRun:
    """A new attempt, stored at once so that it can be resumed from the first second."""
    run = RoundRun.start(summary.round, now, minutes)
    with collection.write() as conn:
        stored.save_attempt(conn, run, summary.id)
    return run


def resume_round(attempt: stored.AttemptRecord) -> RoundRun:
    """An interrupted attempt, its clock going again from now."""
    run = attempt.run
    run.resume()
    return run


def save_round(collection: Collection, run: RoundRun, round_id: int) -> None:
    """Keep the attempt's notes, times and questions so far."""
    with collection.write() as conn:
        stored.save_attempt(conn, run, round_id)


@dataclass(slots=True)
class RoundOutcome:
    """A finished attempt as its results screen shows it; marks may still be changed."""

    run: RoundRun
    round_id: int
    marks: list[Mark]
    transcript: Path

    @property
    def score(self) -> float:
        return round_score(self.marks)

    @property
    def step_scores(self) -> list[float]:
        return step_scores(self.run.round, self.marks)


def finish_round(
    collection: Collection,
    run: RoundRun,
    round_id: int,
    folder: Path,
    zone: tzinfo,
) -> RoundOutcome:
    """Stop the clock, suggest the marks from the notes, and keep the attempt and transcript."""
    run.stop()
    marks = suggest_marks(run.round, run.steps)
    started = run.started_at or run.now()
    outcome = RoundOutcome(run, round_id, marks, folder / transcript_name(run.round, started, zone))
    record_marks(collection, outcome, zone)
    return outcome


def record_marks(collection: Collection, outcome: RoundOutcome, zone: tzinfo) -> None:
    """Store the marks as they stand and write the transcript again."""
    outcome.transcript.parent.mkdir(parents=True, exist_ok=True)
    text = write_transcript(outcome.run, outcome.marks, zone)
    partial = outcome.transcript.with_suffix(".md.part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(outcome.transcript)
    with collection.write() as conn:
        stored.finish_attempt(
            conn,
            outcome.run,
            outcome.round_id,
            {m.item.uid: (m.suggested, m.covered) for m in outcome.marks},
            outcome.score,
            str(outcome.transcript),
        )


def missed_card_ids(collection: Collection, marks: list[Mark]) -> list[int]:
    """The collection's cards linked to the items not covered."""
    with collection.read() as conn:
        return stored.card_ids_by_name(conn, missed_cards(marks))


def send_missed_to_review(collection: Collection, marks: list[Mark], now: datetime) -> int:
    """Bring the cards linked to missed items into today's review; returns how many."""
    return send_to_today(collection, missed_card_ids(collection, marks), now)
