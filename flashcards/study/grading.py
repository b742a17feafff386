"""Grading typed cloze answers: tolerant of case, accents, spacing, punctuation and a small typo
in a long word, strict about numbers."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["answer_matches", "normalize_answer", "within_one_edit"]

_PUNCTUATION_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_SEPARATORS = re.compile(r"[\s\-_/]+")


def normalize_answer(text: str) -> str:
    """Lower-case, strip accents and surrounding punctuation, fold hyphens and spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.casefold().strip()
    plain = _PUNCTUATION_EDGES.sub("", plain)
    return _SEPARATORS.sub(" ", plain).strip()


def within_one_edit(a: str, b: str) -> bool:
    """True if b is a at most one insertion, deletion, substitution or adjacent swap away."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        first, second = diffs[0], diffs[-1]
        return (
            len(diffs) == 2
            and second == first + 1
            and a[first] == b[second]
            and a[second] == b[first]
        )
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def answer_matches(given: str, accepted: tuple[str, ...]) -> bool:
    """Does a typed answer match any accepted alternative?"""
    typed = normalize_answer(given)
    if not typed:
        return False
    for alternative in accepted:
        expected = normalize_answer(alternative)
        if typed == expected or typed.replace(" ", "") == expected.replace(" ", ""):
            return True
        # One slip is forgiven in a long answer, never in one that holds a number.
        forgiving = len(expected) >= 5 and not any(ch.isdigit() for ch in expected)
        if forgiving and within_one_edit(typed, expected):
            return True
    return False
