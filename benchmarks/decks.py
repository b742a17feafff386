"""Synthetic Markdown decks shaped like the built-in ones: headings, id comments, basic,
cloze and multiple-choice cards of realistic length, now and then a list, a table or code.

Everything is drawn from a seeded `random.Random`, so a given size always gives the same files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CARDS_PER_FILE", "DeckSet", "write_decks"]

# Decks are limited to 10 MB each, so a large set is split into files of this many cards.
CARDS_PER_FILE = 10_000

_SUBJECTS = (
    "the ranking model",
    "the feature store",
    "the candidate generator",
    "a fraud classifier",
    "the embedding index",
    "the label pipeline",
    "a streaming join",
    "the serving fleet",
    "the A/B platform",
    "a two-tower retriever",
    "the drift monitor",
    "a batch scorer",
    "the training job",
    "a calibration layer",
    "the ads auction",
    "a search reranker",
    "the notification model",
    "a content moderation queue",
    "the ETA predictor",
    "a churn model",
)
_VERBS = (
    "degrades",
    "drifts",
    "overfits",
    "stalls",
    "saturates",
    "skews",
    "lags",
    "leaks labels",
    "misses its latency budget",
    "loses calibration",
    "doubles its cost",
    "stops improving",
)
_CONDITIONS = (
    "after a holiday traffic spike",
    "when a new market launches",
    "once labels arrive late",
    "under a cold-start surge",
    "after the upstream schema changed",
    "when the cache expires",
    "during a regional failover",
    "after retraining on last week's data",
    "when position bias creeps in",
    "once the feedback loop closes",
)
_WORDS = (
    "latency",
    "throughput",
    "recall",
    "precision",
    "calibration",
    "freshness",
    "sharding",
    "replication",
    "embedding",
    "retrieval",
    "ranking",
    "sampling",
    "weighting",
    "bias",
    "variance",
    "holdout",
    "backfill",
    "monitoring",
    "rollback",
    "canary",
    "quantisation",
    "distillation",
    "batching",
    "caching",
    "deduplication",
    "negative",
    "positive",
    "stratified",
    "window",
    "aggregate",
    "feature",
    "label",
    "drift",
    "skew",
    "budget",
    "percentile",
    "cohort",
    "exposure",
    "novelty",
    "diversity",
    "coverage",
    "guardrail",
    "threshold",
    "logit",
    "loss",
    "gradient",
    "optimizer",
    "warm-up",
    "schedule",
    "checkpoint",
    "shadow",
    "traffic",
    "replica",
)
_ANSWER_TERMS = (
    "p99 latency",
    "log loss",
    "NDCG@10",
    "expected calibration error",
    "recall@100",
    "hit rate",
    "AUC-PR",
    "click-through rate",
    "queries per second",
    "cost per query",
    "feature freshness",
    "label delay",
    "coverage",
    "cache hit ratio",
    "dwell time",
)


def _sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(_WORDS) for _ in range(words)]
    return " ".join(chosen).capitalize()


def _prose(rng: random.Random, low: int, high: int) -> str:
    """A few sentences, `low` to `high` characters in all."""
    target = rng.randint(low, high)
    parts: list[str] = []
    size = 0
    while size < target:
        sentence = _sentence(rng, rng.randint(6, 16)) + "."
        parts.append(sentence)
        size += len(sentence) + 1
    return " ".join(parts)


@dataclass(slots=True)
class _Writer:
    rng: random.Random
    serial: int = 0

    def unique(self) -> str:
        """A name that makes a card's text unique in the whole set."""
        self.serial += 1
        return f"service-{self.serial:06d}"

    def question(self) -> str:
        rng = self.rng
        return (
            f"Why does {rng.choice(_SUBJECTS)} of {self.unique()} {rng.choice(_VERBS)} "
            f"{rng.choice(_CONDITIONS)}, and what would you check first?"
        )

    def answer(self) -> str:
        rng = self.rng
        roll = rng.random()
        text = _prose(rng, 120, 420)
        if roll < 0.15:
            items = [f"- {_sentence(rng, rng.randint(3, 9))}" for _ in range(rng.randint(3, 5))]
            return text + "\n\n" + "\n".join(items)
        if roll < 0.20:
            lines = [f"score = model({rng.choice(_WORDS)}, {rng.choice(_WORDS)})"]
            lines += [f"log({rng.choice(_WORDS)!r}, score)" for _ in range(rng.randint(1, 4))]
            return text + "\n\n```python\n" + "\n".join(lines) + "\n```"
        if roll < 0.23:
            rows = [
                f"| {rng.choice(_ANSWER_TERMS)} | ~{rng.randint(1, 500)} ms |" for _ in range(3)
            ]
            return text + "\n\n| Stage | Budget |\n|---|---|\n" + "\n".join(rows)
        if roll < 0.6:
            # Wrapped over several lines, as in the built-in decks.
            words = text.split(" ")
            lines, line = [], []
            for word in words:
                line.append(word)
                if sum(len(w) + 1 for w in line) > 100:
                    lines.append(" ".join(line))
                    line = []
            if line:
                lines.append(" ".join(line))
            return "\n".join(lines)
        return text

    def basic(self) -> tuple[list[str], int]:
        return [f"Q: {self.question()}", f"A: {self.answer()}"], 1

    def choice(self) -> tuple[list[str], int]:
        rng = self.rng
        correct = rng.randrange(4)
        options = [
            f"- [{'x' if i == correct else ' '}] {_sentence(self.rng, rng.randint(5, 14))}"
            for i in range(4)
        ]
        lines = [f"Q: {self.question()}", *options]
        if rng.random() < 0.8:
            lines.append(f"A: {_prose(rng, 80, 260)}")
        return lines, 1

    def cloze(self, room: int) -> tuple[list[str], int]:
        """A paragraph with one to three deletions; returns how many cards it makes."""
        rng = self.rng
        answers = rng.sample(_ANSWER_TERMS, k=min(room, rng.choice((1, 1, 2, 2, 3))))
        numbered = len(answers) > 1 and rng.random() < 0.3
        pieces = [f"For {rng.choice(_SUBJECTS)} of {self.unique()}, watch"]
        for index, term in enumerate(answers, 1):
            alternatives = term if rng.random() < 0.7 else f"{term}|{term.upper()}"
            hint = "::metric" if rng.random() < 0.15 else ""
            group = f"c{index}::" if numbered else ""
            pieces.append(f"{{{{{group}{alternatives}{hint}}}}} {rng.choice(_CONDITIONS)}")
            pieces.append("and" if index < len(answers) else "")
        text = " ".join(p for p in pieces if p).rstrip() + ". " + _prose(rng, 20, 120)
        return [f"C: {text}"], len(answers)


@dataclass(frozen=True, slots=True)
class DeckSet:
    """Deck files written for one size: the folder holding them and its files."""

    folder: Path
    files: tuple[Path, ...]
    cards: int


def _deck_text(writer: _Writer, cards: int, title: str) -> str:
    rng = writer.rng
    out = [
        "---",
        f"title: {title}",
        "description: Generated for the benchmarks; shaped like the built-in decks.",
        "tags: [benchmark, generated]",
        "---",
    ]
    made = 0
    topic = 0
    next_heading = 0
    while made < cards:
        if made >= next_heading:
            topic += 1
            out += ["", f"# Topic {topic}: {_sentence(rng, 3).lower()}"]
            next_heading = made + rng.randint(15, 60)
        elif rng.random() < 0.08:
            out += ["", f"## {_sentence(rng, rng.randint(2, 5))}"]
        roll = rng.random()
        room = cards - made
        if roll < 0.6 or room == 1:
            lines, count = writer.basic()
        elif roll < 0.8:
            lines, count = writer.cloze(room)
        else:
            lines, count = writer.choice()
        meta = []
        if rng.random() < 0.5:
            meta.append(f"id: gen-{writer.serial:06d}-{made}")
        if rng.random() < 0.1:
            meta.append(f"tags: {rng.choice(_WORDS)} {rng.choice(_WORDS)}")
        out.append("")
        if meta:
            out.append(f"<!-- {'; '.join(meta)} -->")
        out += lines
        made += count
    return "\n".join(out) + "\n"


def write_decks(folder: Path, cards: int, seed: int = 1) -> DeckSet:
    """Write `cards` cards into `folder` as one file per CARDS_PER_FILE cards."""
    folder.mkdir(parents=True, exist_ok=True)
    writer = _Writer(random.Random(seed))
    files = []
    remaining = cards
    index = 0
    while remaining > 0:
        index += 1
        size = min(remaining, CARDS_PER_FILE)
        path = folder / f"generated-{index:02d}.md"
        path.write_text(_deck_text(writer, size, f"Generated deck {index}"), encoding="utf-8")
        files.append(path)
        remaining -= size
    return DeckSet(folder, tuple(files), cards)
