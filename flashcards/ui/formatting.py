"""Showing stored values to a person: local times and card text made safe for the terminal."""

from __future__ import annotations

from datetime import datetime, tzinfo

from ..study import CardRecord
from ..terminal_text import inert

__all__ = ["card_markdown", "local_when"]


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
