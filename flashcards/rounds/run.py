"""A round in progress: the clock, the current step, the notes and the questions asked.

Headless: the screen drives it with key presses and ticks, and storage saves its `progress()`.
Time is read from the clock given, so tests move a fixed clock instead of waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .model import Fact, ParsedRound
from .steps import scaled
from .terms import Text

__all__ = ["NO_MATCH_REPLY", "Question", "RoundRun", "StepProgress", "answer_question"]

NO_MATCH_REPLY = "I don't have more on that. State an assumption and go on."


@dataclass(slots=True)
class StepProgress:
    name: str
    budget_seconds: int
    seconds: float = 0.0
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Question:
    asked_at: datetime
    step: int
    text: str
    facts: tuple[str, ...]  # keys of the facts it matched


def answer_question(parsed: ParsedRound, question: str) -> list[Fact]:
    """The facts whose key words the question uses."""
    text = Text(question)
    return [fact for fact in parsed.facts if any(text.contains(k) for k in fact.keywords)]


@dataclass(slots=True)
class RoundRun:
    """One attempt at a round, from the first step to the last."""

    round: ParsedRound
    now: Callable[[], datetime]
    steps: list[StepProgress] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    current: int = 0
    attempt_id: int | None = None
    started_at: datetime | None = None
    _entered: datetime | None = None

    @classmethod
    def start(
        cls, parsed: ParsedRound, now: Callable[[], datetime], minutes: float | None = None
    ) -> RoundRun:
        budgets = scaled([step.budget_seconds for step in parsed.steps], minutes)
        steps = [StepProgress(s.name, b) for s, b in zip(parsed.steps, budgets, strict=True)]
        run = cls(parsed, now, steps)
        run.started_at = now()
        run._entered = run.started_at
        return run

    def resume(self) -> None:
        """Go on after an interruption: the time away does not count."""
        self._entered = self.now()

    # The clock

    def _since_entered(self) -> float:
        if self._entered is None:
            return 0.0
        return max(0.0, (self.now() - self._entered).total_seconds())

    def step_seconds(self, index: int | None = None) -> float:
        index = self.current if index is None else index
        extra = self._since_entered() if index == self.current else 0.0
        return self.steps[index].seconds + extra

    @property
    def budget_seconds(self) -> int:
        return sum(step.budget_seconds for step in self.steps)

    def elapsed(self) -> float:
        return sum(step.seconds for step in self.steps) + self._since_entered()

    def remaining(self) -> float:
        return self.budget_seconds - self.elapsed()

    def over_budget(self, index: int | None = None) -> bool:
        index = self.current if index is None else index
        return self.step_seconds(index) > self.steps[index].budget_seconds

    @property
    def timed_out(self) -> bool:
        return self.remaining() <= 0

    def settle(self) -> None:
        """Bank the current step's running time (before saving, moving or finishing)."""
        if self._entered is None:
            return
        now = self.now()
        self.steps[self.current].seconds += max(0.0, (now - self._entered).total_seconds())
        self._entered = now

    # Moving

    def go_to(self, index: int) -> bool:
        if not 0 <= index < len(self.steps) or index == self.current:
            return False
        self.settle()
        self.current = index
        return True

    def next_step(self) -> bool:
        return self.go_to(self.current + 1)

    def previous_step(self) -> bool:
        return self.go_to(self.current - 1)

    @property
    def on_last_step(self) -> bool:
        return self.current == len(self.steps) - 1

    # Notes and questions

    def set_notes(self, text: str, index: int | None = None) -> None:
        self.steps[self.current if index is None else index].notes = text

    def ask(self, text: str) -> list[Fact]:
        facts = answer_question(self.round, text)
        self.questions.append(
            Question(self.now(), self.current, text.strip(), tuple(f.key for f in facts))
        )
        return facts

    def stop(self) -> None:
        """End the clock: nothing runs after the round is over."""
        self.settle()
        self._entered = None
