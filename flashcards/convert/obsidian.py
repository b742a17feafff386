"""Notes written for Obsidian's spaced-repetition plugin: `Q::A`, `Q:::A` (both directions),
multi-line cards around a `?` (or `??`) line, `==highlight==` clozes (`**bold**` and `{{curly}}`
ones when asked), `#flashcards/...` deck tags and the plugin's `<!--SR:!date,interval,ease-->`
schedule comments. Code blocks, other comments and prose are never cards."""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from markdown_it import MarkdownIt

from ..deck.model import DeckError
from ..deck.parser import split_lines
from .model import Conversion, ConvertedCard, ConvertedDeck, Schedule, Skip, stable_id

__all__ = ["CLOZE_SYNTAXES", "convert_obsidian"]

CLOZE_SYNTAXES = ("highlight", "bold", "curly")
DECK_TAG = "flashcards"

_SR_COMMENT = re.compile(r"<!--SR:((?:![^!>]*)+)-->")
_SR_ENTRY = re.compile(r"(\d{4}-\d{2}-\d{2}),(\d+),(\d+)$")
_COMMENT = re.compile(r"<!--.*?-->")
_DECK_TAG = re.compile(r"(?:(?<=\s)|^)#(" + DECK_TAG + r"(?:/[^\s#]+)?)(?=\s|$)")
_CODE_SPAN = re.compile(r"(`+).+?\1")

_TEXT, _CODE, _COMMENT_LINE, _SR_LINE, _HEADING = 0, 1, 2, 3, 4


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark")
    md.core.ruler.disable(["inline", "text_join"])
    md.block.ruler.disable(["reference"])
    return md


def _front_matter(lines: list[str], path: str, result: Conversion) -> tuple[int, list[str]]:
    """The body's first line and the note's tags from its YAML front matter."""
    if not lines or lines[0].rstrip() != "---":
        return 0, []
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        result.errors.append(DeckError(path, 1, "front matter is not closed"))
        return len(lines), []
    import yaml

    try:
        data = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid"  # only a marked error has one
        result.errors.append(DeckError(path, line, f"front matter: {problem}"))
        return end + 1, []
    tags = data.get("tags", []) if isinstance(data, dict) else []
    if isinstance(tags, str):
        tags = re.split(r"[,\s]+", tags)
    return end + 1, [str(t).lstrip("#") for t in tags or [] if t]


def _classify(body: list[str]) -> tuple[list[int], dict[int, tuple[int, int, str]]]:
    classes = [_TEXT] * (len(body) + 1)
    headings: dict[int, tuple[int, int, str]] = {}
    tokens = _markdown().parse("\n".join(body))
    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        start, end = token.map
        if token.type in ("fence", "code_block"):
            classes[start:end] = [_CODE] * (end - start)
        elif token.type == "html_block":
            content = token.content.strip()
            only_sr = _SR_COMMENT.fullmatch(content) is not None
            classes[start:end] = [_SR_LINE if only_sr else _COMMENT_LINE] * (end - start)
        elif token.type == "heading_open" and token.level == 0:
            level = int(token.tag[1])
            headings[start] = (end, level, " ".join(tokens[index + 1].content.split()))
            classes[start:end] = [_HEADING] * (end - start)
    return classes, headings


def _schedules(text: str, path: str, line: int, result: Conversion) -> tuple[Schedule, ...]:
    found: list[Schedule] = []
    for comment in _SR_COMMENT.finditer(text):
        for entry in comment.group(1).split("!")[1:]:
            match = _SR_ENTRY.match(entry.strip())
            try:
                if match is None:
                    raise ValueError
                due = date.fromisoformat(match.group(1))
            except ValueError:
                result.errors.append(
                    DeckError(
                        path, line, f"schedule comment '!{entry}' is not '!YYYY-MM-DD,days,ease'"
                    )
                )
                continue
            found.append(Schedule(due, int(match.group(2)), int(match.group(3))))
    return tuple(found)


def _outside_code(line: str, separator: str) -> int:
    """Where `separator` first occurs outside inline code, or -1."""
    masked = _CODE_SPAN.sub(lambda m: "\0" * len(m.group(0)), line)
    return masked.find(separator)


def _clozed(text: str, syntaxes: frozenset[str]) -> tuple[str, int, str | None]:
    """The paragraph with its cloze markers as `{{…}}` deletions, how many there were, and why
    it cannot be converted (None when it can)."""
    pairs = [("==", "==")] if "highlight" in syntaxes else []
    if "bold" in syntaxes:
        pairs.append(("**", "**"))
    if "curly" in syntaxes:
        pairs.append(("{{", "}}"))
    out: list[str] = []
    count = 0
    i = 0
    while i < len(text):
        if text[i] == "`":
            match = _CODE_SPAN.match(text, i)
            if match:
                out.append(match.group(0))
                i = match.end()
                continue
        opened = next((p for p in pairs if text.startswith(p[0], i)), None)
        if opened is not None:
            close = text.find(opened[1], i + len(opened[0]))
            if close > i + len(opened[0]):
                inner = text[i + len(opened[0]) : close]
                if "|" in inner or "::" in inner or "{{" in inner or "}}" in inner:
                    return text, 0, f"the cloze '{inner}' holds '|', '::' or braces"
                out.append("{{" + inner + "}}")
                count += 1
                i = close + len(opened[1])
                continue
        if text.startswith("{{", i):
            out.append("\\{{")  # literal braces, not one of our deletions
            i += 2
            continue
        out.append(text[i])
        i += 1
    return "".join(out), count, None


def convert_obsidian(
    text: str,
    path: str,
    name: str,
    *,
    cloze_syntaxes: frozenset[str] = frozenset({"highlight"}),
    require_tag: bool = False,
) -> Conversion:
    """Convert one note. With `require_tag` (a note found in a folder) a note without a
    `#flashcards` tag is skipped, as the plugin itself would."""
    result = Conversion()
    lines = split_lines(text)
    start, note_tags = _front_matter(lines, path, result)
    body = lines[start:]
    classes, headings = _classify(body)
    deck_tags = [t for t in note_tags if t == DECK_TAG or t.startswith(DECK_TAG + "/")]
    for i, line in enumerate(body):
        if classes[i] == _TEXT:
            deck_tags += _DECK_TAG.findall(line)
    if require_tag and not deck_tags:
        result.skipped.append(Skip(path, 0, f"no #{DECK_TAG} tag: not a flashcards note"))
        return result
    sub_decks = sorted({t[len(DECK_TAG) + 1 :] for t in deck_tags if "/" in t})
    deck = ConvertedDeck(
        source=path,
        name=name,
        title=name.rsplit("/", 1)[-1],
        fmt="Obsidian",
        description=f"Obsidian deck {', '.join(sub_decks)}" if sub_decks else "",
        tags=tuple(sub_decks),
    )
    result.decks.append(deck)

    topic: list[tuple[int, str]] = []
    block: list[tuple[int, str, bool]] = []  # (line number, text, is a schedule line)

    def flush() -> None:
        if block:
            _block_cards(block, tuple(t for _, t in topic), path, deck, cloze_syntaxes, result)
            block.clear()

    i = 0
    while i < len(body):
        number = start + i + 1
        kind = classes[i]
        if kind == _HEADING:
            flush()
            end, level, heading = headings[i]
            while topic and topic[-1][0] >= level:
                topic.pop()
            topic.append((level, _DECK_TAG.sub("", heading).strip()))
            i = end
            continue
        if kind == _SR_LINE:
            block.append((number, body[i], True))
        elif kind != _TEXT:
            flush()
        else:
            line = _DECK_TAG.sub("", body[i]).rstrip()
            if not line.strip():
                flush()
            else:
                block.append((number, line, False))
        i += 1
    flush()
    return result


def _block_cards(
    block: list[tuple[int, str, bool]],
    topic: tuple[str, ...],
    path: str,
    deck: ConvertedDeck,
    syntaxes: frozenset[str],
    result: Conversion,
) -> None:
    """The cards of one paragraph: a multi-line card, single-line cards, or a cloze."""
    first = block[0][0]

    def card(kind: str, front: str, back: str, card_id: str, line: int, schedules=()) -> None:
        deck.cards.append(
            ConvertedCard(kind, front, back, card_id, line, topic, (), tuple(schedules))
        )

    def block_schedules() -> tuple[Schedule, ...]:
        return _schedules("\n".join(t for _, t, _ in block), path, first, result)

    clean = [(n, _COMMENT.sub("", t).rstrip(), sr) for n, t, sr in block]
    text_lines = [(n, t) for n, t, sr in clean if not sr]
    separator = next(
        ((k, t.strip()) for k, (_n, t) in enumerate(text_lines) if t.strip() in ("?", "??")),
        None,
    )
    if separator is not None:
        k, mark = separator
        front = "\n".join(t for _, t in text_lines[:k]).strip()
        back = "\n".join(t for _, t in text_lines[k + 1 :]).strip()
        if not front or not back:
            result.errors.append(
                DeckError(path, text_lines[k][0], f"a '{mark}' card needs text above and below")
            )
            return
        forward = stable_id("obs", front, back)
        schedules = block_schedules()
        card("basic", front, back, forward, first, schedules[:1])
        if mark == "??":
            card("basic", back, front, forward + "-r", first, schedules[1:2])
        return
    singles = False
    for index, (number, line, is_sr) in enumerate(clean):
        if is_sr:
            continue
        raw = block[index][1]
        after = block[index + 1] if index + 1 < len(block) else None
        here = _schedules(raw, path, number, result)
        if not here and after is not None and after[2]:
            here = _schedules(after[1], path, after[0], result)
        for separator_text, both in ((":::", True), ("::", False)):
            at = _outside_code(line, separator_text)
            if at < 0:
                continue
            front = line[:at].strip()
            back = line[at + len(separator_text) :].strip()
            singles = True
            if not front or not back:
                result.errors.append(
                    DeckError(path, number, f"'{separator_text}' needs text on both sides")
                )
                break
            forward = stable_id("obs", front, back)
            card("basic", front, back, forward, number, here[:1])
            if both:
                card("basic", back, front, forward + "-r", number, here[1:2])
            break
    if singles:
        return
    paragraph = "\n".join(t for _, t in text_lines).strip()
    clozed, count, problem = _clozed(paragraph, syntaxes)
    if problem is not None:
        result.skipped.append(Skip(path, first, problem))
    elif count:
        card("cloze", clozed, "", stable_id("obs", clozed), first, block_schedules())
