"""Plain data of a mock design round as written in a `.round.md` file."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from ..deck.model import DeckError, normalize_text

__all__ = [
    "ROUND_SUFFIX",
    "Fact",
    "ParsedRound",
    "RubricItem",
    "Step",
    "round_from_json",
    "round_to_json",
]

ROUND_SUFFIX = ".round.md"


@dataclass(frozen=True, slots=True)
class Fact:
    """Something the interviewer knows and says only when asked with one of its key words."""

    keywords: tuple[str, ...]
    text: str
    line: int
    explicit_id: str | None = None

    @property
    def key(self) -> str:
        """The fact's identity within its round: its id, else its key words."""
        return self.explicit_id or ", ".join(k.casefold() for k in self.keywords)


@dataclass(frozen=True, slots=True)
class RubricItem:
    """One line of a step's rubric: what a strong candidate covers there."""

    text: str  # Markdown, without the task box and the options comment
    terms: tuple[str, ...]  # any one of them in the step's notes suggests the item was covered
    line: int
    weight: float = 1.0
    cards: tuple[str, ...] = ()  # card ids that teach it
    explicit_id: str | None = None
    uid: str = ""  # its identity in the collection, given when the round is imported

    @property
    def plain(self) -> str:
        """The item's text without Markdown emphasis, for screens and matching."""
        return normalize_text(self.text.replace("**", "").replace("`", ""))

    def fingerprint(self, round_key: str, step: str) -> str:
        """An identity for an item without an explicit id: its round, step and text."""
        payload = "\x1f".join((round_key, step.casefold(), self.plain.casefold()))
        return hashlib.blake2b(payload.encode(), digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    budget_seconds: int
    line: int
    items: tuple[RubricItem, ...] = ()

    @property
    def weight(self) -> float:
        return sum(item.weight for item in self.items)


@dataclass(slots=True)
class ParsedRound:
    path: str  # as the user named it, for messages
    title: str
    key: str = ""  # the round's identity: its explicit id, else its title folded
    explicit_id: str | None = None
    description: str = ""
    prompt: str = ""
    facts: list[Fact] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    file: str = ""  # resolved
    digest: str = ""
    errors: list[DeckError] = field(default_factory=list)

    @property
    def budget_seconds(self) -> int:
        return sum(step.budget_seconds for step in self.steps)

    @property
    def items(self) -> list[tuple[Step, RubricItem]]:
        return [(step, item) for step in self.steps for item in step.items]


def round_to_json(parsed: ParsedRound) -> str:
    """The round's content, stored with it and with each attempt (not its errors or file)."""
    return json.dumps(
        {
            "title": parsed.title,
            "key": parsed.key,
            "description": parsed.description,
            "prompt": parsed.prompt,
            "facts": [asdict(fact) for fact in parsed.facts],
            "steps": [asdict(step) for step in parsed.steps],
        },
        ensure_ascii=False,
    )


def round_from_json(data: str, path: str = "") -> ParsedRound:
    content = json.loads(data)
    facts = [replace(Fact(**fact), keywords=tuple(fact["keywords"])) for fact in content["facts"]]
    steps = [
        Step(
            step["name"],
            step["budget_seconds"],
            step["line"],
            tuple(
                RubricItem(**{**item, "terms": tuple(item["terms"]), "cards": tuple(item["cards"])})
                for item in step["items"]
            ),
        )
        for step in content["steps"]
    ]
    return ParsedRound(
        path=path,
        title=content["title"],
        key=content["key"],
        description=content["description"],
        prompt=content["prompt"],
        facts=facts,
        steps=steps,
    )
