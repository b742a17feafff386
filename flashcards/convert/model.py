"""Plain data of a conversion: the cards read from another tool's files, what was skipped, and
the located problems that stop a conversion."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from ..deck.model import DeckError, normalize_text

__all__ = [
    "Conversion",
    "ConvertedCard",
    "ConvertedDeck",
    "PastReview",
    "Schedule",
    "Skip",
    "safe_id",
    "stable_id",
]

_ID_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def stable_id(prefix: str, *parts: str) -> str:
    """A card id that depends only on the source: the same note always gets the same id."""
    text = "\x1f".join(normalize_text(p) for p in parts)
    return f"{prefix}-{hashlib.blake2b(text.encode(), digest_size=6).hexdigest()}"


def safe_id(prefix: str, value: str) -> str:
    """An id from an id the source gives (an Anki guid, an id column): kept when it is already
    made of letters, digits, '.', '_' and '-', else hashed."""
    if value and not _ID_CHARS.search(value) and len(value) <= 80:
        return f"{prefix}-{value}"
    return stable_id(prefix, value)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A review schedule the source tool kept for a card (the Obsidian plugin's comment)."""

    due: date
    interval_days: int
    ease: int


@dataclass(frozen=True, slots=True)
class PastReview:
    """One answer from the source's review log (Anki's revlog)."""

    reviewed_at: datetime  # UTC
    rating: int  # 1 Again .. 4 Easy
    duration_ms: int | None


@dataclass(slots=True)
class ConvertedCard:
    """One card (or one cloze paragraph) in our terms: Markdown text, ready to be written.

    For a cloze card `front` holds the paragraph with `{{…}}` deletions and `back` the extra
    notes shown with the answer (may be empty)."""

    kind: str  # "basic", "cloze" or "choice"
    front: str
    back: str
    card_id: str
    line: int  # where the card starts in the source, for messages
    topic: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    # Which of its cards the source had suspended: "" for a basic card, the cloze numbers
    # ("c1", "c2") for a cloze paragraph.
    suspended: frozenset[str] = frozenset()
    # The source's answers, keyed the same way ("" or "c1", "c2", ...).
    history: dict[str, tuple[PastReview, ...]] = field(default_factory=dict)
    # A multiple-choice card's options (kind "choice"), each (text, correct).
    choices: tuple[tuple[str, bool], ...] = ()


@dataclass(slots=True)
class ConvertedDeck:
    """The cards of one source file (or one deck of it), to be written as one deck file."""

    source: str  # the input path as given, for messages
    name: str  # the output file's name without '.md'
    title: str
    fmt: str
    description: str = ""
    tags: tuple[str, ...] = ()
    cards: list[ConvertedCard] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)  # files to put beside the deck


@dataclass(frozen=True, slots=True)
class Skip:
    """Something in the source that is not converted, and why."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class Conversion:
    decks: list[ConvertedDeck] = field(default_factory=list)
    errors: list[DeckError] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    warnings: list[Skip] = field(default_factory=list)  # converted, but not quite as it was
    # The answers given in Anki to cards of ours that went there with `flashcards export`, by
    # the card's lasting identity (its uid): they come back, the notes are not converted.
    returned: dict[str, tuple[PastReview, ...]] = field(default_factory=dict)

    def extend(self, other: Conversion) -> None:
        self.decks.extend(other.decks)
        self.errors.extend(other.errors)
        self.skipped.extend(other.skipped)
        self.warnings.extend(other.warnings)
        self.returned.update(other.returned)
