"""The seven steps of the design-interview framework, their default budgets, and durations."""

from __future__ import annotations

import re

from ..deck.model import normalize_text

__all__ = ["FRAMEWORK_STEPS", "default_budget", "format_duration", "parse_duration", "scaled"]

# (name, default minutes, other names it is recognised by); the budgets add up to 45 minutes.
FRAMEWORK_STEPS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    (
        "Clarify requirements",
        5,
        ("clarifying requirements", "requirements", "clarify the requirements"),
    ),
    ("Frame as an ML task", 5, ("framing", "frame the problem as an ml task", "ml framing")),
    ("Data preparation", 8, ("data", "data and features", "feature engineering")),
    ("Model development", 8, ("model", "modelling", "modeling")),
    ("Evaluation", 7, ("offline and online evaluation",)),
    ("Deployment and serving", 7, ("serving", "deployment")),
    ("Monitoring", 5, ("monitoring and maintenance", "operations")),
)

_DEFAULTS = {
    normalize_text(name).casefold(): minutes * 60
    for canonical, minutes, aliases in FRAMEWORK_STEPS
    for name in (canonical, *aliases)
}

_DURATION = re.compile(
    r"(\d+(?:\.\d+)?|\.\d+)\s*"
    r"(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


def default_budget(name: str) -> int | None:
    """The default budget in seconds of a framework step named so, else None."""
    return _DEFAULTS.get(normalize_text(name).casefold())


def parse_duration(text: str) -> int | None:
    """'5 min', '90 s', '1.5 h' -> seconds; None when the text is not a duration."""
    match = _DURATION.fullmatch(text.strip())
    if not match:
        return None
    return round(float(match.group(1)) * _UNIT_SECONDS[match.group(2)[0].lower()])


def scaled(budgets: list[int], minutes: float | None) -> list[int]:
    """Budgets scaled in proportion so that they add up to `minutes` (unchanged for None)."""
    total = sum(budgets)
    if minutes is None or total <= 0:
        return list(budgets)
    factor = minutes * 60 / total
    return [max(1, round(b * factor)) for b in budgets]


def format_duration(seconds: float) -> str:
    """A clock reading: '4:05', '1:02:03'; negative values get a minus sign."""
    sign = "-" if seconds < 0 else ""
    whole = int(abs(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes}:{secs:02d}"
