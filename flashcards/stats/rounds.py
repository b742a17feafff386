"""The mock rounds' figures: each finished attempt with its step scores and times, and how well
each step is covered over recent rounds, weakest first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection

from ..rounds.results import stored_step_scores
from ..storage.rounds import recent_attempts

__all__ = ["RECENT_ROUNDS", "round_history", "step_coverage"]

RECENT_ROUNDS = 10  # the attempts a step's coverage is averaged over


def round_history(conn: Connection, now: Callable[[], datetime]) -> list[dict]:
    """Every finished attempt, oldest first, as `flashcards stats --json` prints it."""
    rounds = []
    for attempt in reversed(recent_attempts(conn, now)):
        run = attempt.run
        scores = stored_step_scores(run.round, attempt.marks)
        rounds.append(
            {
                "title": attempt.title,
                "started_at": attempt.started_at.isoformat(),
                "minutes": round(run.budget_seconds / 60, 2),
                "score": round(attempt.score or 0.0, 4),
                "steps": [
                    {
                        "name": step.name,
                        "score": round(scores[index], 4) if index < len(scores) else 0.0,
                        "seconds": round(step.seconds, 1),
                        "budget_seconds": step.budget_seconds,
                        "reached": bool(step.notes.strip()),
                    }
                    for index, step in enumerate(run.steps)
                ],
            }
        )
    return rounds


def step_coverage(rounds: list[dict], recent: int = RECENT_ROUNDS) -> list[dict]:
    """Each step (by name, any case) over the last `recent` attempts: its average score and the
    share of attempts that reached it (wrote any notes there), weakest first."""
    by_name: dict[str, list[dict]] = {}
    names: dict[str, str] = {}
    for attempt in rounds[-recent:]:
        for step in attempt["steps"]:
            key = step["name"].casefold()
            names.setdefault(key, step["name"])
            by_name.setdefault(key, []).append(step)
    rows = [
        {
            "name": names[key],
            "attempts": len(steps),
            "coverage": round(sum(s["score"] for s in steps) / len(steps), 4),
            "reached": round(sum(s["reached"] for s in steps) / len(steps), 4),
        }
        for key, steps in by_name.items()
    ]
    return sorted(rows, key=lambda row: (row["coverage"], row["reached"], row["name"]))
