"""Turn the text of one Markdown deck into cards, or into errors located by line.

markdown-it-py finds the block structure (code, headings, thematic breaks, HTML comments); card
markers are then read line by line, so a `Q:`, `A:` or `C:` at the start of a line counts wherever
CommonMark would fold it into a neighbouring paragraph or list item, and never inside code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from .cloze import ClozeError, find_deletions, group_deletions, render_cloze
from .frontmatter import split_front_matter
from .model import CardKind, Choice, DeckError, ParsedCard, ParsedDeck

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = ["parse_deck", "split_lines"]

_MARKER = re.compile(r"(Q|A|C):(?=\s|$)")
_META = re.compile(r"<!--\s*((?:id|tags)\s*:.*?)\s*-->\s*$", re.DOTALL)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_OPTION = re.compile(r" {0,3}[-*+][ \t]+\[([ xX])\](?:[ \t]+(.*))?$")

# Line classes
_CODE, _HTML, _HEADING, _BREAK, _META_LINE = 1, 2, 3, 4, 5


@cache
def _markdown() -> MarkdownIt:
    # Only block structure matters here (code, headings, breaks, comments), so inline parsing,
    # tables and link reference definitions are switched off: their lines classify the same.
    # Imported here: a command that parses no deck (statistics, the home screen when the
    # built-in decks are unchanged) does not pay for markdown-it and linkify.
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    md.core.ruler.disable(["inline", "text_join"])
    md.block.ruler.disable(["reference"])
    return md


def split_lines(text: str) -> list[str]:
    """Split on any line ending (LF, CRLF or CR), dropping a leading byte-order mark."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


@dataclass(slots=True)
class _Draft:
    marker: str  # 'Q' or 'C'
    line: int  # 1-based
    topic: tuple[str, ...]
    explicit_id: str | None
    tags: tuple[str, ...]
    front: list[str] = field(default_factory=list)
    back: list[str] = field(default_factory=list)
    front_lines: list[int] = field(default_factory=list)
    answer_line: int | None = None


@dataclass(slots=True)
class _Meta:
    line: int
    explicit_id: str | None
    tags: tuple[str, ...]


def parse_deck(text: str, path: str, default_title: str | None = None) -> ParsedDeck:
    """Parse a deck. Never raises for bad content: problems come back in `ParsedDeck.errors`."""
    lines = split_lines(text)
    front_matter = split_front_matter(lines)
    title = front_matter.title or default_title or path
    deck = ParsedDeck(
        path=path,
        title=title,
        description=front_matter.description,
        tags=front_matter.tags,
        settings=front_matter.settings,
    )
    deck.errors.extend(DeckError(path, line, msg) for line, msg in front_matter.errors)
    deck_id = front_matter.extra.get("id")
    if deck_id is not None:
        if isinstance(deck_id, str | int) and _ID.match(str(deck_id)):
            deck.explicit_id = str(deck_id)
        else:
            line = front_matter.key_lines.get("id", 2)
            message = "front matter 'id': use letters, digits, '.', '_' and '-'"
            deck.errors.append(DeckError(path, line, message))
    offset = front_matter.body_start
    body = lines[offset:]
    classes, headings = _classify(body)
    _Scanner(deck, body, offset, classes, headings).run()
    return deck


def _classify(body: list[str]) -> tuple[list[int], dict[int, tuple[int, int, str]]]:
    """Mark each body line by the block it belongs to; collect top-level headings by first line."""
    classes = [0] * (len(body) + 1)
    headings: dict[int, tuple[int, int, str]] = {}  # start -> (end, level, text)
    tokens = _markdown().parse("\n".join(body))
    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        start, end = token.map
        kind = token.type
        if kind in ("fence", "code_block"):
            classes[start:end] = [_CODE] * (end - start)
        elif kind == "html_block":
            is_meta = token.level == 0 and _META.match(token.content.strip())
            classes[start:end] = [_META_LINE if is_meta else _HTML] * (end - start)
        elif token.level != 0:
            continue
        elif kind == "hr":
            classes[start] = _BREAK
        elif kind == "heading_open":
            content = tokens[index + 1].content
            if token.markup in ("-", "=") and any(
                _MARKER.match(line) for line in content.split("\n")
            ):
                # 'A: text' directly above '---' is a card line and a break, not a heading.
                classes[end - 1] = _BREAK
                continue
            level = int(token.tag[1])
            text = " ".join(content.split())
            headings[start] = (end, level, text)
            classes[start:end] = [_HEADING] * (end - start)
    return classes, headings


class _Scanner:
    def __init__(
        self,
        deck: ParsedDeck,
        body: list[str],
        offset: int,
        classes: list[int],
        headings: dict[int, tuple[int, int, str]],
    ) -> None:
        self.deck = deck
        self.body = body
        self.offset = offset
        self.classes = classes
        self.headings = headings
        self.stack: list[tuple[int, str]] = []
        self.draft: _Draft | None = None
        self.meta: _Meta | None = None

    def error(self, line: int, message: str) -> None:
        self.deck.errors.append(DeckError(self.deck.path, line, message))

    def run(self) -> None:
        body, classes = self.body, self.classes
        i = 0
        while i < len(body):
            line = body[i]
            number = i + 1 + self.offset
            kind = classes[i]
            if kind == _HEADING:
                end, level, text = self.headings[i]
                self.close()
                self.drop_meta()
                while self.stack and self.stack[-1][0] >= level:
                    self.stack.pop()
                self.stack.append((level, text))
                i = end
                continue
            if kind == _BREAK:
                self.close()
                self.drop_meta()
            elif kind == _META_LINE:
                self.close()
                self.drop_meta()
                self.meta = self.read_meta(line, number)
            elif kind == 0 and (match := _MARKER.match(line)):
                self.marker(match.group(1), line[2:].strip(), number)
            elif self.draft is not None:
                if self.draft.answer_line is None:
                    self.draft.front.append(line)
                    self.draft.front_lines.append(number)
                else:
                    self.draft.back.append(line)
            elif self.meta is not None and line.strip():
                self.drop_meta()
            i += 1
        self.close()
        self.drop_meta()

    def drop_meta(self) -> None:
        if self.meta is not None:
            self.error(self.meta.line, "an id/tags comment must come right before a Q: or C: card")
            self.meta = None

    def read_meta(self, line: str, number: int) -> _Meta | None:
        meta = _META.match(line.strip())
        assert meta is not None  # the line was classed a meta line by this same pattern
        content = meta.group(1)
        explicit_id: str | None = None
        tags: tuple[str, ...] = ()
        for part in content.split(";"):
            if not part.strip():
                continue
            key, sep, value = part.partition(":")
            key, value = key.strip().lower(), value.strip()
            if not sep or key not in ("id", "tags"):
                self.error(number, f"unknown key '{key}' in card comment (use 'id:' and 'tags:')")
                return None
            if key == "id":
                if not _ID.match(value):
                    self.error(
                        number,
                        f"invalid card id '{value}': use letters, digits, '.', '_' and '-'",
                    )
                    return None
                explicit_id = value
            else:
                tags = tuple(dict.fromkeys(t for t in re.split(r"[,\s]+", value) if t))
        return _Meta(number, explicit_id, tags)

    def marker(self, marker: str, rest: str, number: int) -> None:
        if marker == "A":
            draft = self.draft
            if draft is None:
                self.error(number, "'A:' without a 'Q:' before it")
            elif draft.marker == "C":
                self.error(number, "'A:' after a 'C:' card: a cloze card has no separate answer")
            elif draft.answer_line is not None:
                self.error(number, f"a second 'A:' for the question at line {draft.line}")
            else:
                draft.answer_line = number
                draft.back.append(rest)
            return
        self.close()
        meta, self.meta = self.meta, None
        self.draft = _Draft(
            marker=marker,
            line=number,
            topic=tuple(text for _, text in self.stack),
            explicit_id=meta.explicit_id if meta else None,
            tags=meta.tags if meta else (),
        )
        self.draft.front.append(rest)
        self.draft.front_lines.append(number)

    def close(self) -> None:
        draft, self.draft = self.draft, None
        if draft is None:
            return
        if draft.marker == "Q":
            self.close_question(draft)
        else:
            self.close_cloze(draft)

    def close_question(self, draft: _Draft) -> None:
        stem, choices, option_line = self.split_choices(draft)
        front = _join(stem)
        back = _join(draft.back)
        if not front:
            self.error(draft.line, "empty question after 'Q:'")
            return
        if choices:
            if len(choices) < 2:
                self.error(option_line, "a multiple-choice question needs at least two options")
                return
            if not any(choice.correct for choice in choices):
                self.error(
                    draft.line,
                    "multiple-choice question has no correct option: mark one with '- [x]'",
                )
                return
            kind = CardKind.CHOICE
        elif draft.answer_line is None:
            self.error(draft.line, "'Q:' without an 'A:' answer")
            return
        elif not back:
            self.error(draft.answer_line, "empty answer after 'A:'")
            return
        else:
            kind = CardKind.BASIC
        self.deck.cards.append(
            ParsedCard(
                kind=kind,
                front=front,
                back=back,
                line=draft.line,
                topic=draft.topic,
                explicit_id=draft.explicit_id,
                tags=draft.tags,
                choices=tuple(choices),
            )
        )

    def split_choices(self, draft: _Draft) -> tuple[list[str], list[Choice], int]:
        """Take the task-list options out of a question's front."""
        stem: list[str] = []
        choices: list[Choice] = []
        texts: list[list[str]] = []
        first_line = 0
        in_option = False
        for line, number in zip(draft.front, draft.front_lines, strict=True):
            code = self.classes[number - 1 - self.offset] == _CODE
            match = None if code else _OPTION.match(line)
            if match:
                choices.append(Choice(text="", correct=match.group(1) in "xX"))
                texts.append([(match.group(2) or "").strip()])
                first_line = first_line or number
                in_option = True
            elif in_option and (not line.strip() or line[:1].isspace()):
                texts[-1].append(line.strip())  # an option's continuation lines
            else:
                in_option = False
                stem.append(line)
        choices = [
            Choice(text=" ".join(t for t in text if t), correct=choice.correct)
            for choice, text in zip(choices, texts, strict=True)
        ]
        for choice in choices:
            if not choice.text:
                self.error(first_line, "empty multiple-choice option")
                return stem, [], first_line
        return stem, choices, first_line

    def close_cloze(self, draft: _Draft) -> None:
        paragraph: list[str] = []
        extra_start = len(draft.front)
        for index, line in enumerate(draft.front):
            if not line.strip():
                extra_start = index
                break
            paragraph.append(line)
        source = "\n".join(paragraph).strip()
        extra = _join(draft.front[extra_start:])
        try:
            deletions = find_deletions(source)
        except ClozeError as exc:
            self.error(draft.line + source.count("\n", 0, exc.offset), str(exc))
            return
        if not deletions:
            self.error(draft.line, "'C:' card without a {{deletion}}")
            return
        for label, active in group_deletions(deletions).items():
            front = render_cloze(source, deletions, active, reveal=False)
            back = render_cloze(source, deletions, active, reveal=True)
            if extra:
                back = f"{back}\n\n{extra}"
            self.deck.cards.append(
                ParsedCard(
                    kind=CardKind.CLOZE,
                    front=front,
                    back=back,
                    line=draft.line,
                    topic=draft.topic,
                    explicit_id=_cloze_id(draft.explicit_id, label, len(deletions) > 1),
                    tags=draft.tags,
                    answers=tuple(d.answers for d in active),
                    cloze_source=source,
                    cloze_group=label,
                )
            )


def _cloze_id(explicit_id: str | None, label: str, several: bool) -> str | None:
    """An id on a cloze paragraph names the paragraph; each deletion's card gets a suffix."""
    if explicit_id is None or not several:
        return explicit_id
    suffix = label if not label.startswith("=") else re.sub(r"[^a-z0-9]+", "-", label[1:])
    return f"{explicit_id}#{suffix.strip('-') or 'x'}"


def _join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n").strip()
