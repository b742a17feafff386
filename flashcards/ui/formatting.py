"""Showing stored values to a person: local times, durations, percentages, text cut to one
line, and card text made safe for the terminal. Every screen formats these here; the clock
reading of rounds and exams is `flashcards.rounds.steps.format_duration` (headless: the round
transcripts use it too)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from ..study import CardRecord
from ..terminal_text import inert

__all__ = [
    "card_markdown",
    "flattened",
    "local_when",
    "minutes_seconds",
    "one_line",
    "percent",
    "seconds_taken",
]


def local_when(instant: datetime | None, zone: tzinfo, now: datetime) -> str:
    """'today 14:30', 'tomorrow 04:00', 'Mon 3 Feb 09:15' in the user's timezone."""
    if instant is None:
        return "nothing scheduled"
    local = instant.astimezone(zone)
    today = now.astimezone(zone).date()
    days = (local.date() - today).days
    clock = local.strftime("%H:%M")
    if days == 0:
        return f"today {clock}"
    if days == 1:
        return f"tomorrow {clock}"
    return f"{local:%a} {local.day} {local:%b %Y} {clock}"


def percent(value: float | None) -> str:
    """'83%'; a dash for a figure with nothing to measure."""
    return "–" if value is None else f"{value:.0%}"


def minutes_seconds(seconds: float) -> str:
    """A time taken, rounded to the second: '3m 05s', '42s'."""
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


def seconds_taken(milliseconds: int | None) -> str:
    """An answer's time to a tenth of a second: '4.2s'; a dash when none was measured."""
    return "–" if milliseconds is None else f"{milliseconds / 1000:.1f}s"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def one_line(text: str, width: int) -> str:
    """The text's first non-empty line, spaces collapsed and bold marks dropped (a cloze shows
    its gap as **[…]**), cut to `width` with an ellipsis."""
    line = next((part for part in text.splitlines() if part.strip()), "")
    return _cut(" ".join(line.replace("**", "").split()), width)


def flattened(text: str, width: int = 70) -> str:
    """All of the text on one line (every run of spaces and line breaks one space), cut to
    `width` with an ellipsis."""
    return _cut(" ".join(text.split()), width)


def card_markdown(card: CardRecord, revealed: bool) -> tuple[str, str | None]:
    """The front, and the back once revealed, as Markdown safe to render."""
    front = card.front
    if card.choices:
        lines = []
        for index, choice in enumerate(card.choices):
            letter = chr(ord("a") + index)
            mark = (" ✓" if choice.correct else " ✗") if revealed else ""
            text = f"**{choice.text}**" if revealed and choice.correct else choice.text
            lines.append(f"- {letter}) {text}{mark}")
        front = front + "\n\n" + "\n".join(lines)
    back = card.back if revealed else None
    if revealed and card.choices and not back:
        back = "Correct: " + "; ".join(c.text for c in card.choices if c.correct)
    return inert(front), (inert(back) if back is not None else None)
