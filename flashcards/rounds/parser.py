"""Turn the text of one `.round.md` file into a round, or into errors located by line.

The format is documented in docs/round-format.md: front matter, then level-2 sections
(`## Prompt`, `## Facts`, and one per step with its budget), rubric items as one-line list items
whose options ride in a trailing HTML comment.
"""

from __future__ import annotations

import re

from ..deck.frontmatter import split_front_matter
from ..deck.model import DeckError, normalize_text
from ..deck.parser import split_lines
from .model import Fact, ParsedRound, RubricItem, Step
from .steps import default_budget, parse_duration

__all__ = ["parse_round"]

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_HEADING = re.compile(r" {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ITEM = re.compile(r" {0,3}[-*+][ \t]+(?:\[[ xX]\][ \t]+)?(.*)$")
_OPTIONS = re.compile(r"<!--(.*?)-->\s*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_FACT = re.compile(r"\*\*(.+?)\*\*\s*:\s*(.*)$", re.DOTALL)
_BUDGET = re.compile(r"^(.*?)\s*\(([^()]*)\)$")
_ITEM_OPTIONS = ("id", "terms", "weight", "cards")

_PROMPT, _FACTS, _STEP = "prompt", "facts", "step"
_SECTION_NAMES = {"prompt": _PROMPT, "facts": _FACTS, "interviewer's facts": _FACTS}


class _Reader:
    """Collects a round's parts and its errors while the lines are walked once."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[DeckError] = []
        self.prompt: list[str] = []
        self.facts: list[Fact] = []
        self.steps: list[Step] = []
        self.ids: dict[str, int] = {}

    def error(self, line: int, message: str) -> None:
        self.errors.append(DeckError(self.path, line, message))

    def claim_id(self, name: str, line: int) -> bool:
        if not _ID.match(name):
            self.error(line, f"'{name}' is not an id: use letters, digits, '.', '_' and '-'")
            return False
        first = self.ids.setdefault(name, line)
        if first != line:
            self.error(line, f"duplicate id '{name}' (first at {self.path}:{first})")
            return False
        return True


def parse_round(text: str, path: str, default_title: str) -> ParsedRound:
    """Parse a round file's text; every problem is reported with its line."""
    lines = split_lines(text)
    front = split_front_matter(lines)
    reader = _Reader(path)
    for line, message in front.errors:
        reader.error(line, message)

    explicit_id = _round_id(front.extra.get("id"), front.key_lines.get("id", 2), reader)
    heading_title: str | None = None
    sections = _sections(lines, front.body_start, reader)
    for kind, heading, line, body in sections:
        if kind is None:
            heading_title = heading_title or _first_title(body)
        elif kind == _PROMPT:
            _read_prompt(line, body, reader)
        elif kind == _FACTS:
            _read_facts(body, reader)
        else:
            _read_step(heading, line, body, reader)

    if not any(kind == _PROMPT for kind, *_ in sections):
        reader.error(1, "round has no '## Prompt' section: say what the interviewer asks")
    if not reader.steps and not any(kind == _STEP for kind, *_ in sections):
        reader.error(1, "round has no steps: add '## Clarify requirements' and the others")
    title = front.title or heading_title or default_title
    errors = sorted(reader.errors, key=lambda e: e.line)
    return ParsedRound(
        path=path,
        title=title,
        key=explicit_id or normalize_text(title).casefold(),
        explicit_id=explicit_id,
        description=front.description,
        prompt="\n".join(reader.prompt).strip(),
        facts=reader.facts,
        steps=reader.steps,
        errors=errors,
    )


def _round_id(value: object, line: int, reader: _Reader) -> str | None:
    if value is None:
        return None
    name = str(value).strip()
    if isinstance(value, str | int) and _ID.match(name):
        return name
    reader.error(line, f"front matter 'id': '{name}' is not an id: use letters, digits, . _ -")
    return None


def _first_title(body: list[tuple[int, str]]) -> str | None:
    for _line, text in body:
        match = _HEADING.match(text)
        if match and len(match.group(1)) == 1 and match.group(2).strip():
            return match.group(2).strip()
    return None


Section = tuple[str | None, str, int, list[tuple[int, str]]]


def _sections(lines: list[str], start: int, reader: _Reader) -> list[Section]:
    """Split the body at level-2 headings outside code: (kind, heading, line, body lines)."""
    sections: list[Section] = [(None, "", 0, [])]
    fence: str | None = None
    for index in range(start, len(lines)):
        text, number = lines[index], index + 1
        opened = _FENCE.match(text)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            sections[-1][3].append((number, text))
            continue
        if opened:
            fence = opened.group(1)
            sections[-1][3].append((number, text))
            continue
        heading = _HEADING.match(text)
        if heading and len(heading.group(1)) == 2:
            name = heading.group(2).strip()
            kind = _SECTION_NAMES.get(normalize_text(name).casefold(), _STEP)
            if kind != _STEP and any(s[0] == kind for s in sections):
                first = next(s[2] for s in sections if s[0] == kind)
                reader.error(number, f"a second '## {name}' section (first at line {first})")
            sections.append((kind, name, number, []))
            continue
        sections[-1][3].append((number, text))
    return sections


def _read_prompt(line: int, body: list[tuple[int, str]], reader: _Reader) -> None:
    reader.prompt = [text for _number, text in body]
    if not "\n".join(reader.prompt).strip():
        reader.error(line, "the prompt is empty: write what the interviewer says first")


def _list_items(
    body: list[tuple[int, str]], reader: _Reader, what: str
) -> list[tuple[int, list[str]]]:
    """The body's list items with their continuation lines; anything else is an error."""
    items: list[tuple[int, list[str]]] = []
    for number, text in body:
        if not text.strip():
            continue
        match = _ITEM.match(text)
        if match and not text.startswith(("    ", "\t")):
            items.append((number, [match.group(1)]))
        elif text[:1] in (" ", "\t") and items:
            items[-1][1].append(text.strip())
        elif text.strip().startswith("<!--") and text.strip().endswith("-->"):
            continue  # a comment for the file's readers
        else:
            reader.error(number, f"only {what} may stand here")
    return items


def _read_facts(body: list[tuple[int, str]], reader: _Reader) -> None:
    for number, parts in _list_items(body, reader, "facts ('- **key words**: the fact')"):
        text = " ".join(parts)
        explicit_id = None
        options = _OPTIONS.search(text)
        if options:
            text = text[: options.start()].rstrip()
            found = _options(options.group(1), number, reader, ("id",))
            if "id" in found and reader.claim_id(found["id"], number):
                explicit_id = found["id"]
        match = _FACT.match(text)
        keywords = tuple(k.strip() for k in match.group(1).split(",") if k.strip()) if match else ()
        if not match or not keywords or not match.group(2).strip():
            reader.error(
                number,
                "fact needs its key words in bold, then a colon: "
                "'- **scale, QPS**: 20k requests per second'",
            )
            continue
        reader.facts.append(Fact(keywords, match.group(2).strip(), number, explicit_id))


def _options(source: str, line: int, reader: _Reader, allowed: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in source.split(";"):
        if not part.strip():
            continue
        key, colon, value = part.partition(":")
        key = key.strip().casefold()
        if not colon or key not in allowed:
            reader.error(line, f"unknown option '{part.strip()}' (expected {', '.join(allowed)})")
            continue
        found[key] = value.strip()
    return found


def _step_budget(heading: str, line: int, reader: _Reader) -> tuple[str, int | None]:
    """A step heading's name and budget in seconds (None when it has none and needs one)."""
    match = _BUDGET.match(heading)
    if match:
        seconds = parse_duration(match.group(2))
        if seconds is not None:
            if seconds <= 0:
                reader.error(line, "a step's budget must be more than zero")
            return match.group(1).strip(), seconds
        if default_budget(heading) is None:
            reader.error(
                line,
                f"'{match.group(2).strip()}' is not a duration: "
                "write it as '5 min', '90 s' or '1 h'",
            )
            return match.group(1).strip() or heading, 0
    budget = default_budget(heading)
    if budget is None:
        reader.error(
            line, f"step '{heading}' has no time budget: write it as '## {heading} (10 min)'"
        )
        return heading, 0
    return heading, budget


def _read_step(heading: str, line: int, body: list[tuple[int, str]], reader: _Reader) -> None:
    name, budget = _step_budget(heading, line, reader)
    for step in reader.steps:
        if step.name.casefold() == name.casefold():
            reader.error(line, f"duplicate step '{name}' (first at line {step.line})")
    items: list[RubricItem] = []
    for number, parts in _list_items(body, reader, "rubric items ('- [ ] …')"):
        if len(parts) > 1:
            reader.error(number + 1, "a rubric item is one line: indent nothing under it")
        item = _read_item(parts[0], number, reader)
        if item is not None:
            items.append(item)
    if not items:
        reader.error(line, f"step '{name}' has no rubric items")
    reader.steps.append(Step(name, budget or 0, line, tuple(items)))


def _read_item(text: str, line: int, reader: _Reader) -> RubricItem | None:
    found: dict[str, str] = {}
    options = _OPTIONS.search(text)
    if options:
        found = _options(options.group(1), line, reader, _ITEM_OPTIONS)
        text = text[: options.start()].rstrip()
    if not text.strip():
        reader.error(line, "empty rubric item")
        return None
    explicit_id = None
    if "id" in found and reader.claim_id(found["id"], line):
        explicit_id = found["id"]
    weight = 1.0
    if "weight" in found:
        try:
            weight = float(found["weight"])
        except ValueError:
            weight = -1.0
        if not 0 < weight < 1000:
            reader.error(line, f"weight must be a positive number, not '{found['weight']}'")
            weight = 1.0
    bold = [a or b for a, b in _BOLD.findall(text)]
    listed = [t.strip() for t in found.get("terms", "").split(",")]
    terms = tuple(dict.fromkeys(t for t in [*bold, *listed] if t.strip()))
    if not terms:
        reader.error(line, "rubric item has no key terms: put one in **bold** or add 'terms:'")
    cards = tuple(c.strip() for c in found.get("cards", "").split(",") if c.strip())
    for card in cards:
        if not _ID.match(card):
            reader.error(line, f"'{card}' is not a card id")
    return RubricItem(text.strip(), terms, line, weight, cards, explicit_id)
