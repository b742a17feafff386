"""SQLModel tables of the collection. These are storage rows; the rest of the program passes
around the plain records of `flashcards.storage.records`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Table, text
from sqlmodel import Field, SQLModel

from .types import UTCDateTime

__all__ = [
    "CardRow",
    "DeckRow",
    "ExamAnswerRow",
    "ExamRow",
    "MetaRow",
    "ParameterSetRow",
    "ReviewDayRow",
    "ReviewRow",
    "RoundAttemptRow",
    "RoundRow",
    "cards",
    "decks",
    "exam_answers",
    "exams",
    "meta",
    "parameter_sets",
    "review_days",
    "reviews",
    "round_attempts",
    "rounds",
]


def _utc(*, nullable: bool = False, index: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class MetaRow(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class DeckRow(SQLModel, table=True):
    __tablename__ = "deck"
    id: int | None = Field(default=None, primary_key=True)
    # What identifies the deck on every machine (schema 9; flashcards.deck.identity): its `id:`,
    # else its path relative to the folder imported, `builtin/…` for a built-in deck. Before
    # schema 9 it was the file's absolute path, which the next import takes over.
    key: str = Field(unique=True)
    name: str = Field(index=True)
    description: str = ""
    tags: str = ""  # space-separated
    settings: str = "{}"  # JSON: desired_retention, new_per_day, reviews_per_day
    builtin: bool = False
    # blake2b of the file's bytes when last imported (schema 3); "" before that.
    digest: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # The resolved file it was last imported from (schema 9): to open it again. On another
    # machine that file may not exist; each import writes its own, without touching any card.
    file: str = Field(default="", sa_column_kwargs={"server_default": ""})


class CardRow(SQLModel, table=True):
    __tablename__ = "card"
    __table_args__ = (
        Index("ix_card_queue", "retired", "suspended", "state", "due", "buried_until"),
        Index("ix_card_deck_position", "deck_id", "position"),
        Index(
            "ix_card_deck_queue", "deck_id", "retired", "suspended", "state", "due", "buried_until"
        ),
        # Every column the statistics (and searches by recall, lapses, state) read of a card
        # (schema 5): they never touch its text.
        # Leeches and buried cards are rare: the statistics count them from these (schema 6).
        # PostgreSQL's migration gives them the same predicates; they are not written here
        # as postgresql_where, which would load SQLAlchemy's PostgreSQL dialect at every start
        # (a third of a second on a busy machine) for a program that mostly never uses it.
        Index(
            "ix_card_leech",
            "leech",
            "retired",
            sqlite_where=text("leech = 1"),
        ),
        Index(
            "ix_card_buried",
            "retired",
            "buried_until",
            sqlite_where=text("buried_until IS NOT NULL"),
        ),
        Index(
            "ix_card_statistics",
            "retired",
            "deck_id",
            "topic",
            "state",
            "suspended",
            "leech",
            "buried_until",
            "stability",
            "last_review",
            "lapses",
            "recall_passed",
            "recall_total",
            "due",
            "reps",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    explicit_id: str | None = Field(default=None, unique=True)
    fingerprint: str = Field(index=True)
    deck_id: int = Field(foreign_key="deck.id", index=True)
    kind: str
    front: str
    back: str
    choices: str = "[]"  # JSON [[text, correct], ...]
    answers: str = "[]"  # JSON [[alternative, ...], ...] per deletion asked
    cloze_source: str | None = None
    cloze_group: str | None = None
    sibling_key: str | None = Field(default=None, index=True)
    topic: str = ""  # headings joined with " › "
    tags: str = ""  # space-separated
    source_line: int = 0
    position: int = 0
    retired: bool = False
    suspended: bool = False
    leech: bool = False
    buried_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # FSRS state (fsrs.Card), except state 0: a new card, never answered (fsrs calls it Learning).
    state: int = 0
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime = Field(sa_column=_utc())
    last_review: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    reps: int = 0
    lapses: int = 0
    created_at: datetime = Field(sa_column=_utc())
    modified_at: datetime = Field(sa_column=_utc())
    # True retention's counts over the card's whole history (schema 5): its first answers of a
    # day in the review state, and how many of those were not Again.
    recall_passed: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    recall_total: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class ReviewRow(SQLModel, table=True):
    __tablename__ = "review"
    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(foreign_key="card.id", index=True)
    rating: int  # 1 Again, 2 Hard, 3 Good, 4 Easy; 0 for a manual change (reset, reschedule)
    reviewed_at: datetime = Field(sa_column=_utc(index=True))
    duration_ms: int | None = None
    state_before: int  # 0 new, 1 learning, 2 review, 3 relearning, 4 manual change
    interval_before: float = 0.0  # the card's scheduled interval in days when answered (0: new)
    scheduled_days: float = 0.0  # days until the next due date
    # The study day (local date at the rollover hour, as date.toordinal()) when answered, and
    # whether this was the card's first answer that day: fixed at answer time, so statistics
    # need no timezone arithmetic over the whole log.
    day: int = Field(default=0, index=True)
    first_of_day: bool = True
    stability: float | None = None
    difficulty: float | None = None


class ReviewDayRow(SQLModel, table=True):
    """One study day's answers (manual changes excluded), kept up to date as answers are given
    and undone (schema 5): the statistics read these instead of the review log."""

    __tablename__ = "review_day"
    day: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    learning: int = 0  # answers to new cards and learning steps
    review: int = 0
    relearning: int = 0
    duration_ms: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    # True retention (see flashcards.review_rules): first answers that day of review cards,
    # young and mature, and how many of those passed.
    young_passed: int = 0
    young_total: int = 0
    mature_passed: int = 0
    mature_total: int = 0


class ExamRow(SQLModel, table=True):
    """One exam: what was asked for and how it went. Exams never touch FSRS state."""

    __tablename__ = "exam"
    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(sa_column=_utc(index=True))
    finished_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    decks: str = "[]"  # JSON list of deck names
    tags: str = "[]"  # JSON list of tags
    seed: int | None = None
    minutes: float | None = None
    weak: bool = False
    count: int = 0  # questions asked
    correct: float = 0.0  # partly right counts one half
    score: float = 0.0  # correct / count
    passed: bool = False
    threshold: float = 0.7
    # JSON list of [card id, [the card's option indexes in the order shown]], one per question
    questions: str = "[]"


class ExamAnswerRow(SQLModel, table=True):
    __tablename__ = "exam_answer"
    id: int | None = Field(default=None, primary_key=True)
    exam_id: int = Field(foreign_key="exam.id", index=True)
    card_id: int = Field(foreign_key="card.id", index=True)
    position: int
    given: str = ""  # typed answer, or chosen option letters, or the self-grade
    credit: float = 0.0  # 1 correct, 0.5 partly, 0 wrong or unanswered
    answered_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    machine_credit: float | None = None  # the grader's credit for a typed answer
    overruled: bool = False  # the person overruled the grader; `credit` is theirs


class ParameterSetRow(SQLModel, table=True):
    """FSRS parameters fitted to this collection's history; the newest accepted one is used."""

    __tablename__ = "parameter_set"
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_column=_utc())
    parameters: str  # JSON list of 21 numbers
    reviews: int = 0
    log_loss_before: float | None = None
    log_loss_after: float | None = None
    rmse_before: float | None = None
    rmse_after: float | None = None
    active: bool = True


class RoundRow(SQLModel, table=True):
    """A mock design round as last imported (schema 7). Its prompt, facts, steps and rubric are
    kept as the JSON of `flashcards.rounds.model`, each item with its lasting uid."""

    __tablename__ = "design_round"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # the round's explicit id, else its title folded
    title: str
    description: str = ""
    file: str = ""
    digest: str = ""  # of the file's bytes when last imported
    builtin: bool = False
    content: str = "{}"
    modified_at: datetime = Field(sa_column=_utc())


class RoundAttemptRow(SQLModel, table=True):
    """One attempt at a round: saved as it goes, so an interrupted round can be resumed. It
    never touches FSRS state or the review log."""

    __tablename__ = "round_attempt"
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="design_round.id", index=True)
    started_at: datetime = Field(sa_column=_utc(index=True))
    saved_at: datetime = Field(sa_column=_utc())
    finished_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    content: str = "{}"  # the round as it was when the attempt began
    current_step: int = 0
    steps: str = "[]"  # JSON [{name, budget_seconds, seconds, notes}]
    questions: str = "[]"  # JSON [{asked_at, step, text, facts}]
    marks: str = "{}"  # JSON {item uid: [suggested, covered]}, once finished
    score: float | None = None
    transcript: str = ""  # the Markdown transcript's path


def _table_of(row: type[SQLModel]) -> Table:
    """The Core table SQLModel built for `row`. SQLModel sets `__table__` on each table class
    without declaring it, so a type checker cannot see it there."""
    table = vars(row)["__table__"]
    assert isinstance(table, Table)
    return table


# The tables for SQLAlchemy Core statements (select, update, insert), typed, made here once.
meta = _table_of(MetaRow)
decks = _table_of(DeckRow)
cards = _table_of(CardRow)
reviews = _table_of(ReviewRow)
review_days = _table_of(ReviewDayRow)
exams = _table_of(ExamRow)
exam_answers = _table_of(ExamAnswerRow)
parameter_sets = _table_of(ParameterSetRow)
rounds = _table_of(RoundRow)
round_attempts = _table_of(RoundAttemptRow)
