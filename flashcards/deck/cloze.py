"""Cloze deletions: `{{text}}`, `{{c1::text}}`, `{{text::hint}}` and `{{a|b}}` alternatives."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Deletion", "ClozeError", "find_deletions", "group_deletions", "render_cloze"]

_GROUP = re.compile(r"c(\d+)$", re.IGNORECASE)


class ClozeError(ValueError):
    """A malformed deletion; `offset` is its position in the paragraph."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Deletion:
    start: int  # offset of '{{'
    end: int  # offset just after '}}'
    answers: tuple[str, ...]  # accepted answers; the first is the one shown
    hint: str | None
    group: str | None  # 'c1' for numbered deletions, None when the deletion stands alone

    @property
    def shown(self) -> str:
        return self.answers[0]


def _code_span_end(text: str, start: int) -> int:
    """Given a backtick run at `start`, return the offset after its code span (or after the run)."""
    run_end = start
    while run_end < len(text) and text[run_end] == "`":
        run_end += 1
    fence = text[start:run_end]
    search = run_end
    while True:
        found = text.find(fence, search)
        if found < 0:
            return run_end  # an unmatched run is literal text
        after = found + len(fence)
        if after < len(text) and text[after] == "`":
            while after < len(text) and text[after] == "`":
                after += 1
            search = after
            continue
        return after


def find_deletions(text: str) -> list[Deletion]:
    """Find every deletion in a paragraph, skipping inline code; raise ClozeError if malformed."""
    deletions: list[Deletion] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            i += 2
            continue
        if ch == "`":
            i = _code_span_end(text, i)
            continue
        if ch == "{" and text.startswith("{{", i):
            close = text.find("}}", i + 2)
            if close < 0:
                raise ClozeError("unclosed cloze deletion: '{{' without '}}'", i)
            while close + 2 < n and text[close + 2] == "}":
                close += 1  # '{{x^{2}}}' closes at the last pair of braces
            deletions.append(_parse_deletion(text[i + 2 : close], i, close + 2))
            i = close + 2
            continue
        i += 1
    return deletions


def _parse_deletion(inner: str, start: int, end: int) -> Deletion:
    parts = inner.split("::")
    group = None
    if len(parts) >= 2 and (numbered := _GROUP.match(parts[0].strip())):
        group = "c" + str(int(numbered.group(1)))
        parts = parts[1:]
    if len(parts) > 2:
        raise ClozeError("a deletion takes at most one '::hint'", start)
    hint = parts[1].strip() if len(parts) == 2 and parts[1].strip() else None
    answers = tuple(a.strip() for a in parts[0].split("|") if a.strip())
    if not answers:
        raise ClozeError("empty cloze deletion '{{}}'", start)
    return Deletion(start=start, end=end, answers=answers, hint=hint, group=group)


def group_deletions(deletions: list[Deletion]) -> dict[str, list[Deletion]]:
    """Group deletions into cards, in order of first appearance.

    Numbered deletions share a card per number; an unnumbered one is its own card, named by its
    answer so that inserting another deletion before it does not change its identity.
    """
    groups: dict[str, list[Deletion]] = {}
    for deletion in deletions:
        label = deletion.group or "=" + deletion.shown.casefold()
        groups.setdefault(label, []).append(deletion)
    return groups


def render_cloze(text: str, deletions: list[Deletion], active: list[Deletion], reveal: bool) -> str:
    """Show the paragraph with the active deletions hidden (or highlighted when revealed)."""
    active_starts = {d.start for d in active}
    pieces: list[str] = []
    cursor = 0
    for deletion in deletions:
        pieces.append(text[cursor : deletion.start])
        if deletion.start not in active_starts:
            pieces.append(deletion.shown)
        elif reveal:
            pieces.append(f"**{deletion.shown}**")
        else:
            pieces.append(f"**[{deletion.hint or '…'}]**")
        cursor = deletion.end
    pieces.append(text[cursor:])
    return "".join(pieces)
