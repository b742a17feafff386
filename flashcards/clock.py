"""Time: the current UTC instant and the user's timezone. Everything stored is UTC; local time
is only for deciding what "today" means and for showing dates."""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["Clock", "FixedClock", "SystemClock", "local_zone", "clock_from_env"]


class Clock:
    """Tells the time; tests substitute a FixedClock."""

    def now(self) -> datetime:
        raise NotImplementedError


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock(Clock):
    """A clock that stands still until moved (tests and reproducible runs)."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant.astimezone(UTC)

    def now(self) -> datetime:
        return self.instant

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.instant += timedelta(**delta)


def clock_from_env() -> Clock:
    """`FLASHCARDS_NOW` (ISO 8601 with offset) pins the clock, for demos and end-to-end tests."""
    pinned = os.environ.get("FLASHCARDS_NOW")
    if pinned:
        instant = datetime.fromisoformat(pinned)
        if instant.tzinfo is None:
            raise ValueError("FLASHCARDS_NOW needs a UTC offset, e.g. 2026-01-05T08:00:00+00:00")
        return FixedClock(instant)
    return SystemClock()


def local_zone(name: str | None = None) -> tzinfo:
    """The named IANA zone, else the system's own (TZ, then /etc/localtime), else UTC."""
    for candidate in (name, os.environ.get("TZ", "").lstrip(":") or None):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                if candidate is name:
                    raise
    localtime = Path("/etc/localtime")
    try:
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            return ZoneInfo(target.split("zoneinfo/", 1)[1])
        with localtime.open("rb") as handle:
            return ZoneInfo.from_file(handle)
    except (OSError, ValueError, ZoneInfoNotFoundError):
        return UTC
