"""Plain records handed from storage to the scheduler and the screens, with converters."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime

import fsrs

from ..deck.model import Choice
from ..review_rules import CardState

__all__ = ["CardRecord", "card_columns"]


@dataclass(frozen=True, slots=True)
class CardRecord:
    id: int
    deck_id: int
    deck_name: str
    kind: str
    front: str
    back: str
    choices: tuple[Choice, ...]
    answers: tuple[tuple[str, ...], ...]
    topic: str
    tags: str
    source_file: str
    source_line: int
    sibling_key: str | None
    retired: bool
    suspended: bool
    leech: bool
    buried_until: datetime | None
    state: CardState
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int
    lapses: int
    recall_passed: int = 0  # true retention's counts over the card's history
    recall_total: int = 0

    @property
    def is_new(self) -> bool:
        return self.state == CardState.NEW

    def to_fsrs(self) -> fsrs.Card:
        if self.is_new:
            return fsrs.Card(card_id=self.id, state=fsrs.State.Learning, step=0, due=self.due)
        return fsrs.Card(
            card_id=self.id,
            state=fsrs.State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )

    def with_fsrs(self, card: fsrs.Card, *, reps: int, lapses: int, **changes) -> CardRecord:
        """This card with the state FSRS gave it (and any other `changes`)."""
        return replace(
            self,
            **changes,
            state=CardState(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
            reps=reps,
            lapses=lapses,
        )

    @classmethod
    def from_row(cls, row) -> CardRecord:
        """A record from a row of `card_columns()` (a SQLAlchemy row or a plain tuple)."""
        (
            card_id, deck_id, deck_name, kind, front, back, choices, answers, topic, tags,
            source_file, source_line, sibling_key, retired, suspended, leech, buried_until,
            state, step, stability, difficulty, due, last_review, reps, lapses, recall_passed,
            recall_total,
        ) = row  # fmt: skip
        return cls(
            id=card_id,
            deck_id=deck_id,
            deck_name=deck_name,
            kind=kind,
            front=front,
            back=back,
            choices=tuple(Choice(text, bool(correct)) for text, correct in json.loads(choices)),
            answers=tuple(tuple(a) for a in json.loads(answers)),
            topic=topic,
            tags=tags,
            source_file=source_file,
            source_line=source_line,
            sibling_key=sibling_key,
            retired=retired,
            suspended=suspended,
            leech=leech,
            buried_until=buried_until,
            state=CardState(state),
            step=step,
            stability=stability,
            difficulty=difficulty,
            due=due,
            last_review=last_review,
            reps=reps,
            lapses=lapses,
            recall_passed=recall_passed,
            recall_total=recall_total,
        )


def card_columns():
    """The columns `CardRecord.from_row` reads (card joined with its deck)."""
    from .tables import cards, decks

    c = cards.c
    d = decks.c
    return (
        c.id,
        c.deck_id,
        d.name.label("deck_name"),
        c.kind,
        c.front,
        c.back,
        c.choices,
        c.answers,
        c.topic,
        c.tags,
        d.file,
        c.source_line,
        c.sibling_key,
        c.retired,
        c.suspended,
        c.leech,
        c.buried_until,
        c.state,
        c.step,
        c.stability,
        c.difficulty,
        c.due,
        c.last_review,
        c.reps,
        c.lapses,
        c.recall_passed,
        c.recall_total,
    )
