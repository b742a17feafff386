"""Study days: they follow the user's local clock and start at the rollover hour (04:00)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

__all__ = ["StudyDay", "study_day"]


@dataclass(frozen=True, slots=True)
class StudyDay:
    """One study day: its local date and the UTC instants where it starts and ends."""

    date: date
    start: datetime
    end: datetime
    zone: tzinfo
    rollover_hour: int

    def previous(self, days: int = 1) -> StudyDay:
        return _make(self.date - timedelta(days=days), self.zone, self.rollover_hour)

    def next(self, days: int = 1) -> StudyDay:
        return _make(self.date + timedelta(days=days), self.zone, self.rollover_hour)


def _make(day: date, zone: tzinfo, rollover_hour: int) -> StudyDay:
    start = datetime.combine(day, time(rollover_hour), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(rollover_hour), tzinfo=zone)
    return StudyDay(day, start, end.astimezone(UTC), zone, rollover_hour)


def study_day(now: datetime, zone: tzinfo, rollover_hour: int) -> StudyDay:
    """The study day containing the UTC instant `now`."""
    local = now.astimezone(zone)
    day = local.date()
    if local.hour < rollover_hour:
        day -= timedelta(days=1)
    result = _make(day, zone, rollover_hour)
    # Around a daylight-saving change the wall-clock rule can be off by the shift; trust instants.
    if now < result.start:
        return result.previous()
    if now >= result.end:
        return result.next()
    return result
