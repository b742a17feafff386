"""Plain data produced by the deck parser: cards, decks and located errors."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["CardKind", "Choice", "DeckError", "ParsedCard", "ParsedDeck", "normalize_text"]


def normalize_text(text: str) -> str:
    """Collapse runs of white space so that re-wrapping a line never changes a card's identity.
    (str.split() is the fastest way to do it: imports normalize every card.)"""
    return " ".join(text.split())


class CardKind(StrEnum):
    BASIC = "basic"
    CLOZE = "cloze"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class DeckError:
    """A problem in a deck file, located by path and 1-based line (0 when it concerns the file)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class Choice:
    text: str
    correct: bool


@dataclass(frozen=True, slots=True)
class ParsedCard:
    """One reviewable card, as written in a deck file.

    `front` and `back` are Markdown ready to show. For a cloze card `cloze_source` is the whole
    `C:` paragraph and `cloze_group` names the deletion(s) this card asks for; `answers` holds the
    accepted alternatives of each deletion asked.
    """

    kind: CardKind
    front: str
    back: str
    line: int
    topic: tuple[str, ...] = ()
    explicit_id: str | None = None
    tags: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    answers: tuple[tuple[str, ...], ...] = ()
    cloze_source: str | None = None
    cloze_group: str | None = None

    @property
    def match_front(self) -> str:
        """The text that says what the card asks, used to recognise a card after an edit."""
        if self.kind is CardKind.CLOZE:
            return normalize_text(self.cloze_source or "")
        if self.kind is CardKind.CHOICE:
            options = " ".join(("[x] " if c.correct else "[ ] ") + c.text for c in self.choices)
            return normalize_text(self.front + " " + options)
        return normalize_text(self.front)

    @property
    def match_back(self) -> str:
        """The text that says what the card answers (for a cloze: which deletion it asks)."""
        if self.kind is CardKind.CLOZE:
            return normalize_text(self.cloze_group or "")
        return normalize_text(self.back)

    @property
    def fingerprint(self) -> str:
        """A digest of the card's content; equal fingerprints mean the same card."""
        payload = "\x1f".join((self.kind.value, self.match_front, self.match_back))
        return hashlib.blake2b(payload.encode(), digest_size=16).hexdigest()


@dataclass(slots=True)
class ParsedDeck:
    """A deck file's settings and cards (or the errors that stop it from being imported)."""

    path: str  # as the user named it, for messages
    title: str
    file: str = ""  # the resolved file on this machine (to open it again; not its identity)
    digest: str = ""  # of the file's bytes, so that an unchanged file need not be parsed again
    # What identifies the deck on every machine (see flashcards.deck.identity): its `id:` from
    # the front matter, else its place, the path relative to the folder imported (None for a
    # file named on its own), and whether it lies in the built-in decks' folder.
    explicit_id: str | None = None
    place: str | None = None
    builtin: bool = False
    description: str = ""
    tags: tuple[str, ...] = ()
    settings: dict[str, float | int] = field(default_factory=dict)
    cards: list[ParsedCard] = field(default_factory=list)
    errors: list[DeckError] = field(default_factory=list)
