"""Exams: a timed quiz drawn from the collection. Reading FSRS state is allowed (to find weak
cards); changing it is not, except when the person asks to send missed cards to review."""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, insert, select, update

from ..clock import Clock
from ..config import Config
from ..deck.grading import grade_answer
from ..deck.model import Choice
from ..review_rules import CardState, topic_label
from ..scheduling.recall import retrievability
from ..storage.cards import fetch_cards
from ..storage.collection import Collection
from ..storage.inserted import inserted_id
from ..storage.records import CardRecord
from ..storage.tables import cards as cards_t
from ..storage.tables import decks as decks_t
from ..storage.tables import exam_answers as answers_t
from ..storage.tables import exams as exams_t
from .manage import send_to_today

__all__ = [
    "ExamError",
    "ExamQuestion",
    "ExamResult",
    "ExamSession",
    "ExamSpec",
    "Outcome",
    "UnfinishedExam",
    "discard_exam",
    "draw_exam",
    "resume_exam",
    "unfinished_exam",
]


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
    card_ids: tuple[int, ...] | None = None  # only these cards (a round's missed items)


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

    def picked(self, given: str) -> list[str]:
        """The text of the options a stored choice answer ("2,3": numbers as shown) picked."""
        texts = []
        for number in given.split(","):
            if number.strip().isdigit() and 1 <= int(number) <= len(self.options):
                texts.append(self.options[int(number) - 1].text)
        return texts


# Typed answers to a cloze's blanks are stored in one text, in order, between these.
BLANK_SEPARATOR = " | "


@dataclass
class _Answer:
    given: str
    credit: float
    answered_at: datetime | None
    machine_credit: float | None = None  # the grader's credit, for a typed answer
    overruled: bool = False
    forgiven: tuple[str, ...] = ()  # the spellings a forgiven slip was measured against


@dataclass(frozen=True)
class Outcome:
    """How one question went, as the results show it."""

    question: ExamQuestion
    given: str  # typed text, notes, or the picked options' text joined by "; "
    answered: bool
    credit: float
    overruled: bool = False
    forgiven: tuple[str, ...] = ()


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
    missed: list[Outcome]  # short of full credit, unanswered ones included
    forgiven: list[Outcome]  # right, with a slip forgiven
    overruled: int  # typed answers whose verdict the person overruled


def _weakness(card: CardRecord, retrievability: float, missed_before: int) -> float:
    """Higher for what the history says is weak: forgotten, lapsing, missed, never seen."""
    if card.state == CardState.NEW:
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
    if spec.card_ids is not None:
        statement = statement.where(cards_t.c.id.in_(spec.card_ids))
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
    notes: dict[int, str] = field(default_factory=dict)  # typed but not yet graded

    exam_id: int | None = None
    # The moment the time limit counts from: the start, or for a resumed exam the moment of
    # resuming less the time spent before it was left.
    timer_start: datetime = field(init=False)
    # Each question's place in the exam as stored (a resumed exam may lack a deleted card's).
    positions: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.started_at = self.clock.now()
        self.timer_start = self.started_at
        self.positions = list(range(len(self.questions)))

    def _ensure_stored(self, conn: Connection) -> int:
        """The exam's row, written with the first answer so that a crash keeps what was done."""
        if self.exam_id is None:
            inserted = conn.execute(
                insert(exams_t).values(
                    started_at=self.started_at,
                    decks=json.dumps(self.deck_names, ensure_ascii=False),
                    tags=json.dumps(list(self.spec.tags), ensure_ascii=False),
                    seed=self.seed,
                    minutes=self.spec.minutes,
                    weak=self.spec.weak,
                    count=len(self.questions),
                    threshold=self.config.exam_pass_threshold,
                    questions=json.dumps(
                        [
                            [q.card.id, [_option_index(q.card.choices, o) for o in q.options]]
                            for q in self.questions
                        ]
                    ),
                )
            )
            self.exam_id = inserted_id(inserted)
        return self.exam_id

    @property
    def deadline(self) -> datetime | None:
        if self.spec.minutes is None:
            return None
        return self.timer_start + timedelta(minutes=self.spec.minutes)

    def seconds_left(self) -> float | None:
        if self.deadline is None:
            return None
        return max(0.0, (self.deadline - self.clock.now()).total_seconds())

    @property
    def expired(self) -> bool:
        left = self.seconds_left()
        return left is not None and left <= 0

    def _record(self, index: int, given: str, credit: float, **typed) -> float:
        """Keep an answer, committed at once (a later answer to the same question replaces it)."""
        if self.expired:
            raise TimeoutError("the time is up")
        answer = _Answer(given, credit, self.clock.now(), **typed)
        with self.collection.write() as conn:
            exam_id = self._ensure_stored(conn)
            conn.execute(
                answers_t.delete().where(
                    answers_t.c.exam_id == exam_id, answers_t.c.position == self.positions[index]
                )
            )
            conn.execute(
                insert(answers_t).values(
                    exam_id=exam_id,
                    card_id=self.questions[index].card.id,
                    position=self.positions[index],
                    given=given,
                    credit=credit,
                    answered_at=answer.answered_at,
                    machine_credit=answer.machine_credit,
                    overruled=False,
                )
            )
        self.answers[index] = answer
        self.notes.pop(index, None)
        return credit

    def answer_choice(self, index: int, chosen: set[int]) -> float:
        """Options picked (indexes into the shuffled options): all-or-nothing."""
        options = self.questions[index].options
        right = {i for i, option in enumerate(options) if option.correct}
        letters = ",".join(str(i + 1) for i in sorted(chosen))
        return self._record(index, letters, CORRECT if chosen == right else WRONG)

    def answer_cloze(self, index: int, typed: list[str]) -> float:
        """One typed answer per deletion; each deletion is worth an equal share."""
        accepted = self.questions[index].card.answers
        grades = [
            grade_answer(given, alternatives)
            for given, alternatives in zip(typed, accepted, strict=False)
        ]
        credit = sum(g.correct for g in grades) / len(accepted) if accepted else 0.0
        forgiven = tuple(g.forgiven for g in grades if g.forgiven)
        return self._record(
            index,
            BLANK_SEPARATOR.join(typed),
            credit,
            machine_credit=credit,
            forgiven=forgiven,
        )

    def overrule(self, index: int) -> float:
        """The person overrules the grader on a typed answer: "I was right" when it was not
        fully right, "I was wrong" when it was; asked again, the grader's verdict stands again.
        Both verdicts are stored; the score follows the person. Returns the credit now."""
        answer = self.answers.get(index)
        if answer is None or answer.machine_credit is None:
            raise ValueError("only a typed answer's verdict can be overruled")
        if self.result is not None:
            raise RuntimeError("the exam is finished")
        if answer.overruled:
            credit, overruled = answer.machine_credit, False
        else:
            credit, overruled = (CORRECT if answer.machine_credit < CORRECT else WRONG), True
        with self.collection.write() as conn:
            conn.execute(
                update(answers_t)
                .where(
                    answers_t.c.exam_id == self.exam_id,
                    answers_t.c.position == self.positions[index],
                )
                .values(credit=credit, overruled=overruled)
            )
        answer.credit, answer.overruled = credit, overruled
        return credit

    def keep_notes(self, index: int, notes: str) -> None:
        """Notes typed to a question not yet graded: kept with it if the exam ends first."""
        if index not in self.answers:
            self.notes[index] = notes

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
                    "position": self.positions[index],
                    "given": self.notes.get(index, ""),
                    "credit": 0.0,
                    "answered_at": None,
                    "machine_credit": None,
                    "overruled": False,
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
            seconds=(finished - self.timer_start).total_seconds(),
            by_deck=self._groups(lambda q: q.card.deck_name),
            by_topic=self._groups(lambda q: topic_label(q.card.deck_name, q.card.topic)),
            missed=[o for o in self.outcomes() if o.credit < CORRECT],
            forgiven=[o for o in self.outcomes() if o.credit >= CORRECT and o.forgiven],
            overruled=sum(answer.overruled for answer in self.answers.values()),
        )
        return self.result

    def outcomes(self) -> list[Outcome]:
        """Every question with what was given to it, in the order asked."""
        outcomes = []
        for index, question in enumerate(self.questions):
            answer = self.answers.get(index)
            if answer is None:
                outcomes.append(Outcome(question, self.notes.get(index, ""), False, WRONG))
                continue
            given = answer.given
            if question.kind == "choice":
                given = "; ".join(question.picked(given))
            outcomes.append(
                Outcome(
                    question,
                    given,
                    True,
                    answer.credit,
                    answer.overruled,
                    () if answer.overruled else answer.forgiven,
                )
            )
        return outcomes

    def _groups(self, key: Callable[[ExamQuestion], str]) -> list[GroupScore]:
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
        ids = [outcome.question.card.id for outcome in self.result.missed]
        return send_to_today(self.collection, ids, self.clock.now())


def _option_index(choices: tuple[Choice, ...], option: Choice) -> int:
    return next(i for i, choice in enumerate(choices) if choice is option)


@dataclass(frozen=True)
class UnfinishedExam:
    """An exam left before its results (quit, or the program stopped): it can be resumed."""

    exam_id: int
    started_at: datetime
    answered: int
    count: int


def unfinished_exam(collection: Collection) -> UnfinishedExam | None:
    """The newest exam with answers but no result whose questions were kept (schema 7 on)."""
    with collection.read() as conn:
        row = conn.execute(
            select(exams_t.c.id, exams_t.c.started_at, exams_t.c.count)
            .where(exams_t.c.finished_at.is_(None), exams_t.c.questions != "[]")
            .order_by(exams_t.c.started_at.desc(), exams_t.c.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        answered = conn.execute(
            select(func.count()).select_from(answers_t).where(answers_t.c.exam_id == row.id)
        ).scalar_one()
    # `row.count` would be the tuple method to a type checker: the column goes by its name.
    return UnfinishedExam(row.id, row.started_at, answered, row._mapping["count"])


def resume_exam(collection: Collection, config: Config, clock: Clock, exam_id: int) -> ExamSession:
    """The unfinished exam as it was left: the same questions with their options in the same
    order, the answers given, and (for a timed exam) the time that was left at the last
    answer. A card deleted since is dropped; one whose options changed shows them as now."""
    with collection.read() as conn:
        row = conn.execute(select(exams_t).where(exams_t.c.id == exam_id)).one()
        answers = conn.execute(
            select(answers_t).where(answers_t.c.exam_id == exam_id).order_by(answers_t.c.position)
        ).all()
        drawn = json.loads(row.questions)
        cards = fetch_cards(conn, [card_id for card_id, _ in drawn])
    questions: list[ExamQuestion] = []
    position_of: dict[int, int] = {}
    for position, (card_id, order) in enumerate(drawn):
        card = cards.get(card_id)
        if card is None:
            continue
        options = card.choices
        if sorted(order) == list(range(len(card.choices))):
            options = tuple(card.choices[i] for i in order)
        position_of[position] = len(questions)
        questions.append(ExamQuestion(card, options))
    spec = ExamSpec(
        tags=tuple(json.loads(row.tags)),
        count=row._mapping["count"],  # not `row.count`, a tuple method to a type checker
        minutes=row.minutes,
        seed=row.seed,
        weak=row.weak,
    )
    session = ExamSession(
        collection, config, clock, questions, spec, row.seed, json.loads(row.decks)
    )
    session.exam_id = row.id
    session.started_at = row.started_at
    session.positions = sorted(position_of)
    spent = timedelta(0)
    for answer in answers:
        if answer.position not in position_of:
            continue
        index = position_of[answer.position]
        question = questions[index]
        forgiven: tuple[str, ...] = ()
        if question.kind == "cloze" and answer.machine_credit is not None:
            typed = answer.given.split(BLANK_SEPARATOR)
            grades = [
                grade_answer(t, a) for t, a in zip(typed, question.card.answers, strict=False)
            ]
            forgiven = tuple(g.forgiven for g in grades if g.forgiven)
        session.answers[index] = _Answer(
            answer.given,
            answer.credit,
            answer.answered_at,
            answer.machine_credit,
            answer.overruled,
            forgiven,
        )
        if answer.answered_at is not None:
            spent = max(spent, answer.answered_at - row.started_at)
    if spec.minutes is not None:
        spent = min(spent, timedelta(minutes=spec.minutes))
    session.timer_start = clock.now() - spent
    return session


def discard_exam(collection: Collection, exam_id: int) -> None:
    """Remove an unfinished exam and its answers (the person chose a new one instead)."""
    with collection.write() as conn:
        conn.execute(answers_t.delete().where(answers_t.c.exam_id == exam_id))
        conn.execute(
            exams_t.delete().where(exams_t.c.id == exam_id, exams_t.c.finished_at.is_(None))
        )
