"""The mock rounds' figures: each finished attempt with its step scores and times, and how well
each step is covered over recent rounds, weakest first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from ..rounds.results import stored_step_scores
from ..storage.rounds import recent_attempts

__all__ = ["RECENT_ROUNDS", "RoundFigures", "StepCoverage", "StepFigures", "round_history",
           "step_coverage"]  # fmt: skip

RECENT_ROUNDS = 10  # the attempts a step's coverage is averaged over


@dataclass(frozen=True, slots=True)
class StepFigures:
    """One step of one attempt."""

    name: str
    score: float
    seconds: float
    budget_seconds: int
    reached: bool  # any notes written there

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "score": round(self.score, 4),
            "seconds": round(self.seconds, 1),
            "budget_seconds": self.budget_seconds,
            "reached": self.reached,
        }


@dataclass(frozen=True, slots=True)
class RoundFigures:
    """One finished attempt at a round."""

    title: str
    started_at: datetime
    minutes: float  # the time budget
    score: float
    steps: list[StepFigures]

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "started_at": self.started_at.isoformat(),
            "minutes": round(self.minutes, 2),
            "score": round(self.score, 4),
            "steps": [step.to_json() for step in self.steps],
        }


def round_history(conn: Connection, now: Callable[[], datetime]) -> list[RoundFigures]:
    """Every finished attempt, oldest first."""
    rounds = []
    for attempt in reversed(recent_attempts(conn, now)):
        run = attempt.run
        scores = stored_step_scores(run.round, attempt.marks)
        steps = [
            StepFigures(
                name=step.name,
                score=scores[index] if index < len(scores) else 0.0,
                seconds=step.seconds,
                budget_seconds=step.budget_seconds,
                reached=bool(step.notes.strip()),
            )
            for index, step in enumerate(run.steps)
        ]
        rounds.append(
            RoundFigures(
                title=attempt.title,
                started_at=attempt.started_at,
                minutes=run.budget_seconds / 60,
                score=attempt.score or 0.0,
                steps=steps,
            )
        )
    return rounds


@dataclass(frozen=True, slots=True)
class StepCoverage:
    """A step (by name, any case) over recent attempts."""

    name: str
    attempts: int
    coverage: float  # its average score
    reached: float  # the share of attempts that wrote any notes there

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "attempts": self.attempts,
            "coverage": self.coverage,
            "reached": self.reached,
        }


def step_coverage(rounds: list[RoundFigures], recent: int = RECENT_ROUNDS) -> list[StepCoverage]:
    """Each step (by name, any case) over the last `recent` attempts: its average score and the
    share of attempts that reached it (wrote any notes there), weakest first."""
    by_name: dict[str, list[StepFigures]] = {}
    names: dict[str, str] = {}
    for attempt in rounds[-recent:]:
        for step in attempt.steps:
            key = step.name.casefold()
            names.setdefault(key, step.name)
            by_name.setdefault(key, []).append(step)
    rows = [
        StepCoverage(
            name=names[key],
            attempts=len(steps),
            coverage=round(sum(round(s.score, 4) for s in steps) / len(steps), 4),
            reached=round(sum(s.reached for s in steps) / len(steps), 4),
        )
        for key, steps in by_name.items()
    ]
    return sorted(rows, key=lambda row: (row.coverage, row.reached, row.name))
