"""Exams: a timed quiz drawn from the collection. Reading FSRS state is allowed (to find weak
cards); changing it is not, except when the person asks to send missed cards to review."""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, insert, select, update

from ..clock import Clock
from ..config import Config
from ..deck.model import Choice
from ..scheduling.recall import retrievability
from ..storage.cards import fetch_cards
from ..storage.collection import Collection
from ..storage.records import NEW, CardRecord
from ..storage.tables import CardRow, DeckRow, ExamAnswerRow, ExamRow
from .grading import answer_matches

__all__ = [
    "ExamError",
    "ExamQuestion",
    "ExamResult",
    "ExamSession",
    "ExamSpec",
    "draw_exam",
    "exam_history",
]

cards_t = CardRow.__table__
decks_t = DeckRow.__table__
exams_t = ExamRow.__table__
answers_t = ExamAnswerRow.__table__

CORRECT, PARTLY, WRONG = 1.0, 0.5, 0.0


class ExamError(Exception):
    """An exam that cannot start (unknown deck or tag, nothing to ask); says what to do."""


@dataclass(frozen=True)
class ExamSpec:
    deck_ids: list[int] | None = None
    tags: tuple[str, ...] = ()
    count: int = 20
    minutes: float | None = None
    seed: int | None = None
    weak: bool = False


@dataclass(frozen=True)
class ExamQuestion:
    card: CardRecord
    options: tuple[Choice, ...] = ()  # shuffled, for multiple choice

    @property
    def kind(self) -> str:
        return self.card.kind

    @property
    def expected(self) -> str:
        """The correct answer, as shown after the question."""
        if self.kind == "choice":
            return "; ".join(c.text for c in self.options if c.correct)
        if self.kind == "cloze":
            return "; ".join(alternatives[0] for alternatives in self.card.answers)
        return self.card.back


@dataclass
class _Answer:
    given: str
    credit: float
    answered_at: datetime


@dataclass(frozen=True)
class GroupScore:
    name: str
    asked: int
    credit: float

    @property
    def score(self) -> float:
        return self.credit / self.asked if self.asked else 0.0


@dataclass(frozen=True)
class ExamResult:
    exam_id: int
    count: int
    correct: float
    score: float
    passed: bool
    threshold: float
    seconds: float
    by_deck: list[GroupScore]
    by_topic: list[GroupScore]
    missed: list[tuple[ExamQuestion, str]]  # question, what was given


def _weakness(card: CardRecord, retrievability: float, missed_before: int) -> float:
    """Higher for what the history says is weak: forgotten, lapsing, missed, never seen."""
    if card.state == NEW:
        return 1.5 + missed_before
    return (1.0 - retrievability) * 2 + min(card.lapses, 8) * 0.25 + missed_before + 0.05


def draw_exam(
    collection: Collection,
    config: Config,
    spec: ExamSpec,
    now: datetime,
    parameters: Sequence[float] | None = None,
) -> tuple[list[ExamQuestion], int, int]:
    """Draw the questions; returns (questions, eligible card count, the seed used). With
    `spec.weak`, cards are weighted by their recall now under the collection's `parameters`."""
    seed = spec.seed if spec.seed is not None else random.randrange(1, 10**9)
    rng = random.Random(seed)
    with collection.read() as conn:
        ids = _eligible_ids(conn, spec)
        if not ids:
            raise ExamError("no cards match this exam: choose other decks or tags")
        records = fetch_cards(conn, ids)
        missed = _missed_before(conn, ids) if spec.weak else {}
    groups: dict[tuple[str, str], list[CardRecord]] = defaultdict(list)
    for card_id in ids:
        card = records[card_id]
        groups[(card.deck_name, card.topic)].append(card)

    if spec.weak:
        weight = {
            card.id: _weakness(
                card,
                retrievability(card.stability, card.last_review, now, parameters) or 0.0,
                missed.get(card.id, 0),
            )
            for card in records.values()
        }
        # Weighted order without replacement: key u^(1/w), largest first.
        for members in groups.values():
            members.sort(key=lambda c: -math.log(rng.random()) / weight[c.id])
        order = sorted(groups, key=lambda g: (-max(weight[c.id] for c in groups[g]), g))
    else:
        for key in sorted(groups):
            rng.shuffle(groups[key])
        order = sorted(groups)
        rng.shuffle(order)

    # Round-robin across topics, so no heading dominates the exam.
    picked: list[CardRecord] = []
    queues = [list(groups[key]) for key in order]
    while len(picked) < spec.count and any(queues):
        for queue in queues:
            if queue and len(picked) < spec.count:
                picked.append(queue.pop(0))
    rng.shuffle(picked)
    questions = []
    for card in picked:
        options = list(card.choices)
        rng.shuffle(options)
        questions.append(ExamQuestion(card, tuple(options)))
    return questions, len(ids), seed


def _eligible_ids(conn: Connection, spec: ExamSpec) -> list[int]:
    statement = (
        select(cards_t.c.id, cards_t.c.tags, decks_t.c.tags.label("deck_tags"))
        .join(decks_t, decks_t.c.id == cards_t.c.deck_id)
        .where(cards_t.c.retired.is_(False), cards_t.c.suspended.is_(False))
        .order_by(cards_t.c.id)
    )
    if spec.deck_ids is not None:
        statement = statement.where(cards_t.c.deck_id.in_(spec.deck_ids))
    wanted = {t.casefold() for t in spec.tags}
    ids = []
    for card_id, tags, deck_tags in conn.execute(statement):
        if wanted and not wanted & {t.casefold() for t in f"{tags} {deck_tags}".split()}:
            continue
        ids.append(card_id)
    return ids


def known_tags(collection: Collection) -> list[str]:
    with collection.read() as conn:
        found: set[str] = set()
        for (tags,) in conn.execute(select(cards_t.c.tags).where(cards_t.c.retired.is_(False))):
            found.update(tags.split())
        for (tags,) in conn.execute(select(decks_t.c.tags)):
            found.update(tags.split())
    return sorted(found, key=str.casefold)


def _missed_before(conn: Connection, ids: list[int]) -> dict[int, int]:
    statement = (
        select(answers_t.c.card_id, func.count())
        .where(answers_t.c.credit < 1.0)
        .group_by(answers_t.c.card_id)
    )
    wanted = set(ids)
    return {card_id: n for card_id, n in conn.execute(statement) if card_id in wanted}


@dataclass
class ExamSession:
    """An exam in progress: answers are graded as they come; `finish` stores the result."""

    collection: Collection
    config: Config
    clock: Clock
    questions: list[ExamQuestion]
    spec: ExamSpec
    seed: int
    deck_names: list[str]
    started_at: datetime = field(init=False)
    answers: dict[int, _Answer] = field(default_factory=dict)
    result: ExamResult | None = None

    exam_id: int | None = None

    def __post_init__(self) -> None:
        self.started_at = self.clock.now()

    def _ensure_stored(self, conn: Connection) -> int:
        """The exam's row, written with the first answer so that a crash keeps what was done."""
        if self.exam_id is None:
            self.exam_id = conn.execute(
                insert(exams_t).values(
                    started_at=self.started_at,
                    decks=json.dumps(self.deck_names, ensure_ascii=False),
                    tags=json.dumps(list(self.spec.tags), ensure_ascii=False),
                    seed=self.seed,
                    minutes=self.spec.minutes,
                    weak=self.spec.weak,
                    count=len(self.questions),
                    threshold=self.config.exam_pass_threshold,
                )
            ).inserted_primary_key[0]
        return self.exam_id

    @property
    def deadline(self) -> datetime | None:
        if self.spec.minutes is None:
            return None
        return self.started_at + timedelta(minutes=self.spec.minutes)

    def seconds_left(self) -> float | None:
        if self.deadline is None:
            return None
        return max(0.0, (self.deadline - self.clock.now()).total_seconds())

    @property
    def expired(self) -> bool:
        left = self.seconds_left()
        return left is not None and left <= 0

    def _record(self, index: int, given: str, credit: float) -> float:
        """Keep an answer, committed at once (a later answer to the same question replaces it)."""
        if self.expired:
            raise TimeoutError("the time is up")
        answer = _Answer(given, credit, self.clock.now())
        with self.collection.write() as conn:
            exam_id = self._ensure_stored(conn)
            conn.execute(
                answers_t.delete().where(
                    answers_t.c.exam_id == exam_id, answers_t.c.position == index
                )
            )
            conn.execute(
                insert(answers_t).values(
                    exam_id=exam_id,
                    card_id=self.questions[index].card.id,
                    position=index,
                    given=given,
                    credit=credit,
                    answered_at=answer.answered_at,
                )
            )
        self.answers[index] = answer
        return credit

    def abandon(self) -> None:
        """Quit without a result: whatever was stored of this exam is removed."""
        if self.exam_id is None:
            return
        with self.collection.write() as conn:
            conn.execute(answers_t.delete().where(answers_t.c.exam_id == self.exam_id))
            conn.execute(exams_t.delete().where(exams_t.c.id == self.exam_id))
        self.exam_id = None

    def answer_choice(self, index: int, chosen: set[int]) -> float:
        """Options picked (indexes into the shuffled options): all-or-nothing."""
        options = self.questions[index].options
        right = {i for i, option in enumerate(options) if option.correct}
        letters = ",".join(str(i + 1) for i in sorted(chosen))
        return self._record(index, letters, CORRECT if chosen == right else WRONG)

    def answer_cloze(self, index: int, typed: list[str]) -> float:
        """One typed answer per deletion; each deletion is worth an equal share."""
        accepted = self.questions[index].card.answers
        hits = sum(
            answer_matches(given, alternatives)
            for given, alternatives in zip(typed, accepted, strict=False)
        )
        credit = hits / len(accepted) if accepted else 0.0
        return self._record(index, " | ".join(typed), credit)

    def answer_basic(self, index: int, grade: float, notes: str = "") -> float:
        """The person's own grade: 1 correct, 0.5 partly, 0 wrong."""
        if grade not in (CORRECT, PARTLY, WRONG):
            raise ValueError("grade must be 1, 0.5 or 0")
        return self._record(index, notes, grade)

    def finish(self) -> ExamResult:
        """Store the exam and every answer (unanswered ones count as wrong)."""
        if self.result is not None:
            return self.result
        now = self.clock.now()
        finished = min(now, self.deadline) if self.deadline else now
        count = len(self.questions)
        credit = sum(answer.credit for answer in self.answers.values())
        score = credit / count if count else 0.0
        threshold = self.config.exam_pass_threshold
        passed = score >= threshold
        with self.collection.write() as conn:
            exam_id = self._ensure_stored(conn)
            conn.execute(
                update(exams_t)
                .where(exams_t.c.id == exam_id)
                .values(finished_at=finished, correct=credit, score=score, passed=passed)
            )
            answered = set(self.answers)
            unanswered = [
                {
                    "exam_id": exam_id,
                    "card_id": question.card.id,
                    "position": index,
                    "given": "",
                    "credit": 0.0,
                    "answered_at": None,
                }
                for index, question in enumerate(self.questions)
                if index not in answered
            ]
            if unanswered:
                conn.execute(insert(answers_t), unanswered)
        self.result = ExamResult(
            exam_id=exam_id,
            count=count,
            correct=credit,
            score=score,
            passed=passed,
            threshold=threshold,
            seconds=(finished - self.started_at).total_seconds(),
            by_deck=self._groups(lambda q: q.card.deck_name),
            by_topic=self._groups(
                lambda q: q.card.deck_name + (" › " + q.card.topic if q.card.topic else "")
            ),
            missed=[
                (q, self.answers[i].given if i in self.answers else "")
                for i, q in enumerate(self.questions)
                if i not in self.answers or self.answers[i].credit < 1.0
            ],
        )
        return self.result

    def _groups(self, key) -> list[GroupScore]:
        asked: dict[str, int] = defaultdict(int)
        credit: dict[str, float] = defaultdict(float)
        for index, question in enumerate(self.questions):
            name = key(question)
            asked[name] += 1
            credit[name] += self.answers[index].credit if index in self.answers else 0.0
        groups = [GroupScore(name, asked[name], credit[name]) for name in asked]
        return sorted(groups, key=lambda g: (g.score, g.name))

    def send_missed_to_review(self) -> int:
        """Make the missed cards due now: review cards come back today; new cards go first
        in their deck's new-card order. Returns how many cards were moved."""
        if self.result is None:
            raise RuntimeError("finish the exam first")
        now = self.clock.now()
        ids = [question.card.id for question, _ in self.result.missed]
        if not ids:
            return 0
        with self.collection.write() as conn:
            conn.execute(
                update(cards_t)
                .where(cards_t.c.id.in_(ids), cards_t.c.state != NEW)
                .values(due=now, buried_until=None, modified_at=now)
            )
            conn.execute(
                update(cards_t)
                .where(cards_t.c.id.in_(ids), cards_t.c.state == NEW)
                .values(position=-1, buried_until=None, modified_at=now)
            )
        return len(ids)


def exam_history(collection: Collection) -> list[dict]:
    """Every finished exam, oldest first, as `flashcards stats --json` prints them."""
    with collection.read() as conn:
        rows = conn.execute(
            select(exams_t)
            .where(exams_t.c.finished_at.is_not(None))
            .order_by(exams_t.c.started_at, exams_t.c.id)
        ).all()
    return [
        {
            "started_at": row.started_at.isoformat(),
            "decks": json.loads(row.decks),
            "count": row.count,
            "correct": row.correct,
            "score": round(row.score, 4),
            "passed": row.passed,
        }
        for row in rows
    ]
