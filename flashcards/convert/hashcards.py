"""hashcards decks: `Q:`/`A:` cards and `C:` cloze cards whose `[bracketed]` text is deleted,
with optional TOML front matter between `---` lines (`name` overrides the file's name). A card
runs until the next `Q:` or `C:` line; a heading ends it too and becomes the topic of the cards
below it. The card ids are hashes of the cards' text, as hashcards itself identifies cards."""

from __future__ import annotations

import re
import tomllib

from ..deck.model import DeckError
from ..deck.parser import split_lines
from .model import Conversion, ConvertedCard, ConvertedDeck, stable_id

__all__ = ["convert_hashcards"]

_MARKER = re.compile(r"^(Q|A|C):(?=\s|$)")
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _front_matter(lines: list[str], path: str, result: Conversion) -> tuple[int, str | None]:
    if not lines or lines[0].rstrip() != "---":
        return 0, None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        result.errors.append(DeckError(path, 1, "front matter is not closed"))
        return len(lines), None
    try:
        data = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        line = 1 + (getattr(exc, "lineno", None) or 1)
        message = str(exc).split(" (at ", 1)[0]
        result.errors.append(DeckError(path, line, f"front matter (TOML): {message}"))
        return end + 1, None
    name = data.get("name")
    return end + 1, str(name) if name else None


def _deletions(text: str) -> tuple[str, int, str | None]:
    """`[x]` becomes `{{x}}`, outside inline code; links and images keep their brackets.
    Returns the text, the number of deletions, and why it cannot be converted (or None)."""
    out: list[str] = []
    count = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i : i + 2])
            i += 2
            continue
        if ch == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            close = text.find("`" * run, i + run)
            if close >= 0:
                out.append(text[i : close + run])
                i = close + run
                continue
        if ch == "!" and text.startswith("![", i):
            close = text.find("]", i)
            if close >= 0:
                out.append(text[i : close + 1])
                i = close + 1
                continue
        if ch == "[":
            depth, j = 0, i
            while j < len(text):
                if text[j] == "[":
                    depth += 1
                elif text[j] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= len(text):
                return text, 0, "'[' without ']'"
            inner = text[i + 1 : j]
            if text.startswith("(", j + 1):  # a link, not a deletion
                out.append(text[i : j + 1])
                i = j + 1
                continue
            if not inner.strip():
                return text, 0, "an empty deletion '[]'"
            if "|" in inner or "::" in inner or "{{" in inner or "}}" in inner:
                return text, 0, f"the deletion '[{inner}]' holds '|', '::' or braces"
            out.append("{{" + inner + "}}")
            count += 1
            i = j + 1
            continue
        if text.startswith("{{", i):
            out.append("\\{{")
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out), count, None


def convert_hashcards(text: str, path: str, name: str) -> Conversion:
    result = Conversion()
    lines = split_lines(text)
    start, title = _front_matter(lines, path, result)
    deck = ConvertedDeck(
        source=path, name=name, title=title or name.rsplit("/", 1)[-1], fmt="hashcards"
    )
    result.decks.append(deck)
    topic: list[tuple[int, str]] = []
    current: dict | None = None  # {"marker", "line", "front": [...], "back": [...] or None}

    def close() -> None:
        nonlocal current
        draft, current = current, None
        if draft is None:
            return
        front = "\n".join(draft["front"]).strip()
        here = tuple(t for _, t in topic)
        if draft["marker"] == "Q":
            if draft["back"] is None:
                result.errors.append(DeckError(path, draft["line"], "'Q:' without an 'A:'"))
                return
            back = "\n".join(draft["back"]).strip()
            if not front or not back:
                result.errors.append(DeckError(path, draft["line"], "empty question or answer"))
                return
            card_id = stable_id("hc", front, back)
            deck.cards.append(ConvertedCard("basic", front, back, card_id, draft["line"], here))
            return
        clozed, count, problem = _deletions(front)
        if problem is not None:
            result.errors.append(DeckError(path, draft["line"], problem))
        elif not count:
            result.errors.append(DeckError(path, draft["line"], "'C:' card without a [deletion]"))
        else:
            card_id = stable_id("hc", front)
            deck.cards.append(ConvertedCard("cloze", clozed, "", card_id, draft["line"], here))

    fence: str | None = None
    for index in range(start, len(lines)):
        line = lines[index]
        number = index + 1
        opening = _FENCE.match(line)
        if fence is not None or opening:
            if fence is None:
                assert opening is not None  # outside a fence, only an opening line gets here
                fence = opening.group(1)
            elif opening and opening.group(1)[0] == fence[0]:
                fence = None
            if current is not None:
                (current["back"] if current["back"] is not None else current["front"]).append(line)
            continue
        marker = _MARKER.match(line)
        heading = _HEADING.match(line)
        if marker and marker.group(1) == "A":
            if current is None or current["marker"] != "Q" or current["back"] is not None:
                result.errors.append(DeckError(path, number, "'A:' without a 'Q:' before it"))
                continue
            current["back"] = [line[2:]]
        elif marker:
            close()
            current = {"marker": marker.group(1), "line": number, "front": [line[2:]], "back": None}
        elif heading:
            close()
            level = len(heading.group(1))
            while topic and topic[-1][0] >= level:
                topic.pop()
            topic.append((level, heading.group(2)))
        elif current is not None:
            (current["back"] if current["back"] is not None else current["front"]).append(line)
    close()
    return result
