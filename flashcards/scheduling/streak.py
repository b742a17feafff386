"""Study streaks: runs of consecutive study days with at least one answer (manual changes do not
count). One definition for the home screen and the statistics, read from the days' totals."""

from __future__ import annotations

from ..storage.statistics import study_days
from .days import StudyDay

__all__ = ["study_days", "streaks"]


def streaks(days_studied: list[int], today: StudyDay) -> tuple[int, int]:
    """(current, longest) runs of consecutive study days; today without answers yet does not
    break the current streak."""
    longest = run = 0
    previous = None
    for ordinal in days_studied:
        run = run + 1 if previous is not None and ordinal == previous + 1 else 1
        longest = max(longest, run)
        previous = ordinal
    studied = set(days_studied)
    cursor = today.date.toordinal()
    if cursor not in studied:
        cursor -= 1
    current = 0
    while cursor in studied:
        current += 1
        cursor -= 1
    return current, longest
