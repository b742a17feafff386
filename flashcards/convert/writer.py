"""Render converted cards as deck Markdown (docs/deck-format.md), check the result with our own
parser, and write the files so that a failure leaves nothing half-written."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..deck.cloze import ClozeError, find_deletions, group_deletions
from ..deck.model import DeckError
from ..deck.parser import parse_deck
from .model import ConvertedCard, ConvertedDeck, PastReview, Schedule

__all__ = ["MARK", "Rendered", "WrittenFiles", "render_deck", "write_files"]

MARK = "by `flashcards import`"  # in every file written here: only such files are replaced

_MARKER = re.compile(r"^(Q|A|C):(?=\s|$)")
_HEADING = re.compile(r"^( {0,3})(#{1,6})(?=\s|$)")
_BREAK = re.compile(r"^( {0,3})([-*_])(?:[ \t]*\2){2,}[ \t]*$")
_SETEXT = re.compile(r"^( {0,3})(=+)[ \t]*$")
_COMMENT = re.compile(r"^( {0,3})<!--")
_TASK = re.compile(r"^( {0,3}[-*+][ \t]+)\[")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(slots=True)
class Rendered:
    text: str
    errors: list[DeckError]
    basic: int = 0
    cloze: int = 0
    # The source's review schedules, by the id each card has once imported (a cloze
    # paragraph's deletions get their own ids, in the order of their schedules).
    schedules: dict[str, Schedule] = field(default_factory=dict)
    suspended: set[str] = field(default_factory=set)  # ids of cards the source had suspended
    histories: dict[str, tuple[PastReview, ...]] = field(default_factory=dict)  # by card id


def _escape_lines(text: str, *, front_of_question: bool = False) -> list[str]:
    """Keep each line meaning what it meant: a line that our format would read as a card marker,
    a heading, a break, a card comment (or, in a question, an option) gets a backslash escape.
    Lines inside fenced code are left alone."""
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if opening:
            fence = opening.group(1)
            out.append(line)
            continue
        if _MARKER.match(line):
            out.append(line[0] + "\\" + line[1:])
            continue
        patterns = [_HEADING, _BREAK, _SETEXT, _COMMENT] + ([_TASK] if front_of_question else [])
        match = next((m for p in patterns if (m := p.match(line))), None)
        if match:
            line = match.group(1) + "\\" + line[len(match.group(1)) :]
        out.append(line)
    return out


def _after_marker(marker: str, text: str, **escape) -> list[str]:
    """`Q: first line` and the escaped lines below it; a first line that opens a code block
    goes below a bare marker, where it still opens one."""
    first, _, rest = text.partition("\n")
    if _FENCE.match(first):
        return [marker, *_escape_lines(text, **escape)]
    below = _escape_lines(rest, **escape) if rest else []
    return [f"{marker} {first}", *below]


def _one_paragraph(text: str) -> str:
    """A cloze paragraph must stay one paragraph: blank lines become hard line breaks."""
    lines = [line for line in text.split("\n")]
    joined: list[str] = []
    for line in lines:
        if not line.strip():
            if joined and not joined[-1].endswith("\\"):
                joined[-1] += "\\"
            continue
        joined.append(line)
    return "\n".join(joined)


def _comment(card: ConvertedCard) -> list[str]:
    """The card's id/tags comment; none for a card with neither (an empty id: a card that
    our parser recognises by its content)."""
    parts = [f"id: {card.card_id}"] if card.card_id else []
    if card.tags:
        parts.append("tags: " + " ".join(card.tags))
    return ["<!-- " + "; ".join(parts) + " -->"] if parts else []


def _card_lines(card: ConvertedCard) -> list[str]:
    lines = _comment(card)
    if card.kind == "cloze":
        lines += _after_marker("C:", _one_paragraph(card.front.strip()))
        if card.back.strip():
            lines.append("")
            lines.extend(_escape_lines(card.back.strip()))
        return lines
    lines += _after_marker("Q:", card.front.strip(), front_of_question=True)
    if card.kind == "choice":
        lines += [f"- [{'x' if correct else ' '}] {text}" for text, correct in card.choices]
        if not card.back.strip():
            return lines
    lines += _after_marker("A:", card.back.strip())
    return lines


def _ordered(cards: list[ConvertedCard]) -> list[ConvertedCard]:
    """Cards without a topic first (a heading cannot be closed without another), then each
    topic's cards together, topics in order of first appearance."""
    order: dict[tuple[str, ...], int] = {}
    for card in cards:
        order.setdefault(card.topic, len(order))
    return sorted(cards, key=lambda c: (bool(c.topic), order[c.topic]))


def render_deck(deck: ConvertedDeck, origin: str | None = None) -> Rendered:
    """The deck file's text, checked by parsing it back: every card must come out as one card
    (or, for a cloze paragraph, one card per deletion) with no error. `origin` replaces the
    comment that says where the file came from."""
    head = ["---", f"title: {json.dumps(deck.title, ensure_ascii=False)}"]
    if deck.description:
        head.append(f"description: {json.dumps(deck.description, ensure_ascii=False)}")
    if deck.tags:
        head.append(f"tags: {json.dumps(list(deck.tags), ensure_ascii=False)}")
    head += [
        "---",
        origin
        or f"<!-- Converted from {deck.fmt} {MARK}; converting again replaces this file. -->",
        "",
    ]
    lines = list(head)
    starts: list[tuple[int, ConvertedCard]] = []
    current: tuple[str, ...] = ()
    for card in _ordered(deck.cards):
        if card.topic != current:
            common = 0
            while (
                common < min(len(card.topic), len(current))
                and card.topic[common] == current[common]
            ):
                common += 1
            if common == len(card.topic):  # back to a parent topic: repeat its heading
                common -= 1
            for level in range(common, len(card.topic)):
                heading = " ".join(card.topic[level].split()) or "untitled"
                lines += ["#" * (level + 1) + " " + heading, ""]
            current = card.topic
        starts.append((len(lines) + 1 + len(_comment(card)), card))  # the marker's line
        lines += _card_lines(card)
        lines.append("")
    text = "\n".join(lines)
    return _check(deck, text, starts)


def _check(deck: ConvertedDeck, text: str, starts: list[tuple[int, ConvertedCard]]) -> Rendered:
    rendered = Rendered(text=text, errors=[])

    def source_line(line: int) -> int:
        found = [card.line for start, card in starts if start - 1 <= line]
        return found[-1] if found else 0

    expected = 0
    origins: list[tuple[ConvertedCard, int]] = []  # each card to come, and its index in its source
    for _start, card in starts:
        if card.kind == "cloze":
            try:
                count = len(group_deletions(find_deletions(card.front)))
            except ClozeError as exc:
                rendered.errors.append(DeckError(deck.source, card.line, str(exc)))
                continue
            rendered.cloze += count
            expected += count
            origins += [(card, k) for k in range(count)]
        else:
            rendered.basic += 1
            expected += 1
            origins.append((card, 0))
    parsed = parse_deck(text, deck.name + ".md")
    for error in parsed.errors:
        rendered.errors.append(
            DeckError(
                deck.source,
                source_line(error.line),
                f"this card cannot be written as a deck card: {error.message}",
            )
        )
    if not rendered.errors and len(parsed.cards) != expected:
        rendered.errors.append(
            DeckError(
                deck.source,
                0,
                f"converted into {len(parsed.cards)} cards instead of {expected}",
            )
        )
    if not rendered.errors:
        for parsed_card, (card, k) in zip(parsed.cards, origins, strict=True):
            if k < len(card.schedules) and parsed_card.explicit_id:
                rendered.schedules[parsed_card.explicit_id] = card.schedules[k]
            label = parsed_card.cloze_group or ""
            if label in card.suspended and parsed_card.explicit_id:
                rendered.suspended.add(parsed_card.explicit_id)
            if card.history.get(label) and parsed_card.explicit_id:
                rendered.histories[parsed_card.explicit_id] = card.history[label]
    return rendered


@dataclass(slots=True)
class WrittenFiles:
    """Files written by `write_files`, with what they held before, so that `undo` can put
    everything back if the import that follows is refused."""

    paths: list[Path]
    before: dict[Path, bytes | None]
    made_dirs: list[Path]

    def undo(self) -> None:
        for path, old in self.before.items():
            if old is None:
                path.unlink(missing_ok=True)
            else:
                _replace(path, old)
        for folder in reversed(self.made_dirs):
            with contextlib.suppress(OSError):
                folder.rmdir()


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def write_files(files: Mapping[Path, str | bytes]) -> WrittenFiles:
    """Write every file through a temporary file and a rename; files whose content is already
    the same are not touched (so their modification time and digest stay)."""
    written = WrittenFiles(paths=[], before={}, made_dirs=[])
    try:
        for path, text in files.items():
            data = text.encode() if isinstance(text, str) else text
            missing = [p for p in [path.parent, *path.parent.parents] if not p.exists()]
            for folder in reversed(missing):
                folder.mkdir()
                written.made_dirs.append(folder)
            old = path.read_bytes() if path.exists() else None
            written.paths.append(path)
            if old == data:
                continue
            written.before[path] = old
            _replace(path, data)
    except OSError:
        written.undo()
        raise
    return written
