"""Grading a finished round: marks suggested from the notes, confirmed by the person, and the
scores, times and questions that follow from them."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Fact, ParsedRound, RubricItem
from .run import Question, StepProgress
from .terms import Text

__all__ = [
    "Mark",
    "facts_asked",
    "missed_cards",
    "round_score",
    "step_scores",
    "stored_step_scores",
    "suggest_marks",
]


@dataclass(slots=True)
class Mark:
    step: int
    item: RubricItem
    suggested: bool  # its key terms appear in the step's notes
    covered: bool  # as the person confirmed or changed it


def suggest_marks(parsed: ParsedRound, steps: list[StepProgress]) -> list[Mark]:
    """Every rubric item, pre-marked as covered when one of its key terms is in its step's notes."""
    marks: list[Mark] = []
    for index, step in enumerate(parsed.steps):
        notes = Text(steps[index].notes if index < len(steps) else "")
        for item in step.items:
            found = any(notes.contains(term) for term in item.terms)
            marks.append(Mark(index, item, found, found))
    return marks


def _score(marks: list[Mark]) -> float:
    total = sum(mark.item.weight for mark in marks)
    if total <= 0:
        return 0.0
    return sum(mark.item.weight for mark in marks if mark.covered) / total


def step_scores(parsed: ParsedRound, marks: list[Mark]) -> list[float]:
    """Each step's covered weight over its whole weight, 0 to 1."""
    return [_score([m for m in marks if m.step == index]) for index in range(len(parsed.steps))]


def round_score(marks: list[Mark]) -> float:
    """The covered weight over the weight of every item: heavier steps count for more."""
    return _score(marks)


def missed_cards(marks: list[Mark]) -> list[str]:
    """The card ids linked to items not covered, each once, in rubric order."""
    return list(dict.fromkeys(card for m in marks if not m.covered for card in m.item.cards))


def facts_asked(parsed: ParsedRound, questions: list[Question]) -> tuple[list[Fact], list[Fact]]:
    """The facts the person asked for, and those never asked."""
    asked_keys = {key for question in questions for key in question.facts}
    asked = [fact for fact in parsed.facts if fact.key in asked_keys]
    never = [fact for fact in parsed.facts if fact.key not in asked_keys]
    return asked, never


def stored_step_scores(parsed: ParsedRound, marks: dict[str, tuple[bool, bool]]) -> list[float]:
    """Each step's score from stored marks (item uid -> (suggested, covered))."""
    return step_scores(
        parsed,
        [
            Mark(index, item, *marks.get(item.uid, (False, False)))
            for index, step in enumerate(parsed.steps)
            for item in step.items
        ],
    )
