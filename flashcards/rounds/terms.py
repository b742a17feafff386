"""Finding key terms in free text: a rubric item's terms in a step's notes, a fact's key words in
a question typed to the interviewer.

Tolerant as exam grading is (case, accents, punctuation, hyphens and spacing ignored; a slip in
a long word forgiven; numbers exact), and also of plurals, since notes are not answers.
"""

from __future__ import annotations

import re

from ..deck.grading import normalize_answer, within_one_edit

__all__ = ["Text", "mentions"]

_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")


def _stem(token: str) -> str:
    """Fold an English plural to its singular, roughly: enough for 'embeddings' = 'embedding'."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 4 and token.endswith(("ches", "shes", "sses", "xes", "zes")):
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def _tokens(text: str) -> list[str]:
    return [_stem(t) for t in _TOKEN.findall(normalize_answer(text))]


def _same(a: str, b: str) -> bool:
    """Equal, or one slip apart in a long word: a letter dropped, added or two swapped. A
    letter replaced is not a slip here: in notes it mostly makes another word (`context` and
    `content`, `privacy` and `primacy`)."""
    if a == b:
        return True
    if len(a) < 5 or a.isdigit() or b.isdigit() or a[:1] != b[:1]:
        return False
    if len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1:
        return False
    return within_one_edit(a, b)


class Text:
    """A text tokenised once, to be searched for many terms."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)

    def contains(self, term: str) -> bool:
        """Whether the term's words appear in order, or run together or apart
        ('re-ranking' = 're ranking' = 'reranking')."""
        wanted = _tokens(term)
        if not wanted:
            return False
        n, tokens = len(wanted), self.tokens
        joined = "".join(wanted)
        for start in range(len(tokens)):
            window = tokens[start : start + n]
            if len(window) == n and all(_same(a, b) for a, b in zip(window, wanted, strict=True)):
                return True
            for size in range(1, n + 2):
                run = tokens[start : start + size]
                # Words run together or apart must match exactly: with a slip allowed,
                # `recall@k` would match any `recall`, and `P(click)` any `click`.
                if len(run) == size and (size != n or n == 1) and "".join(run) == joined:
                    return True
        return False


def mentions(text: str, terms: tuple[str, ...]) -> bool:
    """Does the text mention any one of the terms?"""
    searched = Text(text)
    return any(searched.contains(term) for term in terms)
