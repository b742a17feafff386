"""The collection's decks written back out as our Markdown deck files (docs/deck-format.md), for
example after importing from Anki: one file per deck, topics as headings, each card with its
explicit id and tags when it has them, so that importing the files again finds the same cards
(by id, or by their unchanged text). Rendered and checked by `writer`, like converted decks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..deck.cloze import find_deletions, group_deletions, render_cloze
from ..deck.model import DeckError
from ..storage.export_reads import ExportDeck, ExportedCard
from .model import ConvertedCard, ConvertedDeck
from .writer import render_deck

__all__ = ["MarkdownExport", "ORIGIN", "plan_markdown"]

ORIGIN = "<!-- Written by `flashcards export` from the collection. -->"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(slots=True)
class MarkdownExport:
    files: dict[Path, str] = field(default_factory=dict)
    cards: int = 0
    errors: list[DeckError] = field(default_factory=list)


def _paragraph_id(card: ExportedCard) -> str:
    """A cloze paragraph's id: its cards' explicit id less the `#c1` suffix the parser adds."""
    return (card.explicit_id or "").split("#", 1)[0]


def _extra(card: ExportedCard) -> str:
    source = card.cloze_source or ""
    deletions = find_deletions(source)
    active = group_deletions(deletions).get(card.cloze_group or "", [])
    revealed = render_cloze(source, deletions, active, reveal=True)
    return card.back[len(revealed) :].strip() if card.back.startswith(revealed) else ""


def _converted(card: ExportedCard) -> ConvertedCard:
    if card.kind == "cloze":
        return ConvertedCard(
            "cloze",
            card.cloze_source or "",
            _extra(card),
            _paragraph_id(card),
            0,  # no source line: the card comes from the collection
            card.topic,
            card.tags,
        )
    return ConvertedCard(
        card.kind,
        card.front,
        card.back,
        card.explicit_id or "",
        card.position,
        card.topic,
        card.tags,
        choices=tuple((c.text, c.correct) for c in card.choices),
    )


def _file_name(deck: ExportDeck, taken: set[str]) -> str:
    stem = _UNSAFE.sub("-", Path(deck.file).stem if deck.file else deck.name).strip("-.")
    stem = stem or "deck"
    name, number = stem, 2
    while name.casefold() in taken:
        name, number = f"{stem}-{number}", number + 1
    taken.add(name.casefold())
    return name


def plan_markdown(
    decks: Sequence[ExportDeck], cards: Sequence[ExportedCard], folder: Path
) -> MarkdownExport:
    """Each deck's file in `folder`, rendered and checked; nothing is written here."""
    out = MarkdownExport()
    taken: set[str] = set()
    for deck in decks:
        own = [card for card in cards if card.deck_id == deck.id]
        if not own:
            continue
        converted: list[ConvertedCard] = []
        seen: set[str] = set()
        for card in own:
            if card.kind == "cloze":
                if (card.cloze_source or "") in seen:
                    continue  # one paragraph holds all of its deletions' cards
                seen.add(card.cloze_source or "")
            converted.append(_converted(card))
        name = _file_name(deck, taken)
        rendered = render_deck(
            ConvertedDeck(
                source=deck.name,
                name=name,
                title=deck.name,
                fmt="the collection",
                description=deck.description,
                tags=deck.tags,
                cards=converted,
            ),
            origin=ORIGIN,
        )
        out.errors.extend(rendered.errors)
        out.files[folder / f"{name}.md"] = rendered.text
        out.cards += rendered.basic + rendered.cloze
    return out
