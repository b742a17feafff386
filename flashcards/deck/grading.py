"""Grading typed cloze answers: tolerant of case, accents, spacing, punctuation, a leading article
and a small typo in a long word; numbers compare by value with their units, never approximately.

Every answer is first written in a canonical form: numbers as their value (`.10` and `0.1` and
`1/10` are `0.1`), number words up to twelve as digits, units by one name (`43 min`, `43 minutes`
and `43m` are `43 min`), a multiplication sign as `x`. The two forms are then compared exactly,
then without spaces, then with one slip forgiven in an answer of five or more characters that
holds no number. A percentage equals its fraction only where the card writes the percentage:
`{{50%}}` accepts `0.5`, but `{{0.5}}` does not accept `50%` (write `{{0.5|50%}}` for both).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import product

__all__ = ["Grade", "answer_matches", "grade_answer", "normalize_answer", "within_one_edit"]

_PUNCTUATION_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_SEPARATORS = re.compile(r"[\s\-_/()]+")
_ARTICLE = re.compile(r"^(?:the|an|a)\s+(?=\S)")
_LEADING_MINUS = re.compile(r"^[-−](?=[^\d.\s-])")

# Every spelling of a unit, to the one name it stands for. A spelling with two meanings (`m`:
# minutes or million) names both, and matches either.
_UNIT_NAMES: dict[str, tuple[str, ...]] = {}
for _names, _spellings in {
    ("ns",): "ns nanosecond nanoseconds nsec",
    ("µs",): "µs μs us microsecond microseconds usec",
    ("ms",): "ms millisecond milliseconds msec msecs",
    ("s",): "s sec secs second seconds",
    ("min",): "min mins minute minutes",
    ("h",): "h hr hrs hour hours",
    ("day",): "day days",
    ("week",): "wk wks week weeks",
    ("min", "million"): "m",
    ("million",): "million millions mn mio",
    ("thousand",): "k thousand thousands",
    ("billion",): "bn billion billions",
    ("byte",): "byte bytes",
    ("kb",): "kb kilobyte kilobytes kib",
    ("mb",): "mb megabyte megabytes mib",
    ("gb",): "gb gigabyte gigabytes gib",
    ("tb",): "tb terabyte terabytes tib",
    ("pb",): "pb petabyte petabytes",
    ("qps",): "qps",
    ("x",): "x × times fold",
    ("percent",): "% percent pct",
}.items():
    for _spelling in _spellings.split(" "):
        _UNIT_NAMES[_spelling] = _names
_UNIT_NAMES["per cent"] = ("percent",)

_NUMBER_WORDS = {
    word: str(value)
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
}

_UNIT_PATTERN = "|".join(
    re.escape(spelling) for spelling in sorted(_UNIT_NAMES, key=len, reverse=True)
)
# A number not glued to a word before it (`p99` and `log2` stay words), written with digits
# (`0.1`, `.1`, `1,000`, `1/4`) or as a word up to twelve, with the unit that may follow it.
_NUMBER = re.compile(
    r"(?<![\w.])(?P<sign>[-−](?=[\d.]))?"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?|\.\d+"
    r"|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b)"
    r"(?:\s*(?P<unit>" + _UNIT_PATTERN + r")(?![\w]))?"
)


@dataclass(frozen=True)
class Grade:
    """The verdict on one typed answer: `correct`, and the alternative's own spelling when a
    slip in it was forgiven (None for an exact match or a wrong answer)."""

    correct: bool
    forgiven: str | None = None


def _plain(text: str) -> str:
    """Lower-case, accents off (the micro sign kept apart from the Greek mu it folds into)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("µ", "μ"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.casefold().strip()


def _value(number: str) -> Decimal | None:
    number = _NUMBER_WORDS.get(number, number).replace(",", "")
    try:
        if "/" in number:
            top, bottom = number.split("/")
            return Decimal(top) / Decimal(bottom) if Decimal(bottom) else None
        return Decimal(number)
    except InvalidOperation:
        return None


def _written(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _number_forms(match: re.Match, expected: bool) -> set[str]:
    """The canonical ways to read one number with its unit. A typed `4x` also reads as a bare
    `4` (how many times is the number asked for); an expected percentage also reads as its
    fraction."""
    value = _value(match["number"])
    if value is None:
        return {match[0]}
    sign = "minus " if match["sign"] else ""
    unit = match["unit"]
    names = _UNIT_NAMES.get(unit, ()) if unit else ()
    forms = {f"{sign}{_written(value)} {name}".strip() for name in names} or {
        f"{sign}{_written(value)}"
    }
    if not expected and "x" in names:
        forms.add(f"{sign}{_written(value)}")
    if expected and "percent" in names:
        forms.add(f"{sign}{_written(value / 100)}")
    return forms


def _forms(text: str, expected: bool) -> set[str]:
    """Every canonical form of an answer: with and without a leading article (so that `a b
    test` still reads as `A/B test`), each number in each of its readings. A leading minus
    sign is a word (`-ln w` is not `ln w`), not punctuation to strip."""
    plain = _LEADING_MINUS.sub("minus ", _plain(text))
    forms = _canonical(plain, expected)
    without_article = _ARTICLE.sub("", plain)
    if without_article != plain:
        forms |= _canonical(without_article, expected)
    return forms


# The readings of a long text multiply (each `m` is minutes or million): past this many, each
# number is read one way only.
_MOST_FORMS = 64


def _canonical(plain: str, expected: bool) -> set[str]:
    pieces: list[set[str]] = []
    last = 0
    for match in _NUMBER.finditer(plain):
        if match["number"] in _NUMBER_WORDS and match.span() != (0, len(plain)):
            continue  # "one-hot" is a word: a number word counts only as the whole answer
        pieces.append({plain[last : match.start()]})
        pieces.append({f" {form} " for form in _number_forms(match, expected)})
        last = match.end()
    pieces.append({plain[last:]})
    if math.prod(len(piece) for piece in pieces) > _MOST_FORMS:
        pieces = [{min(piece)} for piece in pieces]
    forms = set()
    for choice in product(*pieces):
        joined = _PUNCTUATION_EDGES.sub("", "".join(choice).strip())
        forms.add(_SEPARATORS.sub(" ", joined).strip())
    return forms


def normalize_answer(text: str) -> str:
    """Text folded for comparing words (the design rounds' notes use it too): lower case, no
    accents or surrounding punctuation, hyphens and spaces folded. Numbers and units are left
    as written; `grade_answer` reads those."""
    plain = _PUNCTUATION_EDGES.sub("", _plain(text))
    return re.sub(r"[\s\-_/]+", " ", plain).strip()


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


def _forgivable(typed: str, expected: str) -> bool:
    """One slip is forgiven in a long answer, never where either side holds a number (`log 2`
    is not `log d`), nor in a word shorter than four letters (`top k` is not `top p`), nor in
    the first letter (`looked` is not `booked`): those make another word, not a typo."""
    if len(expected) < 5 or any(ch.isdigit() for ch in typed + expected):
        return False
    if not within_one_edit(typed, expected) or typed[:1] != expected[:1]:
        return False
    at = next((i for i, (a, b) in enumerate(zip(typed, expected, strict=False)) if a != b), None)
    at = min(len(typed), len(expected)) if at is None else at
    start = expected.rfind(" ", 0, at) + 1
    end = expected.find(" ", at)
    return len(expected[start : end if end != -1 else len(expected)]) >= 4


def grade_answer(given: str, accepted: tuple[str, ...]) -> Grade:
    """Does a typed answer match any accepted alternative, and was a slip forgiven?"""
    typed = _forms(given, expected=False) - {""}
    if not typed:
        return Grade(False)
    slipped: str | None = None
    for alternative in accepted:
        for expected in _forms(alternative, expected=True) - {""}:
            for form in typed:
                if form == expected or form.replace(" ", "") == expected.replace(" ", ""):
                    return Grade(True)
                if slipped is None and _forgivable(form, expected):
                    slipped = alternative
    return Grade(slipped is not None, slipped)


def answer_matches(given: str, accepted: tuple[str, ...]) -> bool:
    """Does a typed answer match any accepted alternative?"""
    return grade_answer(given, accepted).correct
