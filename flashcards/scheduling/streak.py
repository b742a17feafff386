"""Study streaks: runs of consecutive study days with at least one answer (manual changes do not
count). One definition for the home screen and the statistics, read from the days' totals."""

from __future__ import annotations

from sqlalchemy import Connection, select

from ..storage.packed import PackedStatement
from ..storage.tables import review_days
from .days import StudyDay

__all__ = ["STUDY_DAYS", "study_days", "streaks"]


_answers = review_days.c.learning + review_days.c.review + review_days.c.relearning
STUDY_DAYS = PackedStatement(select(review_days.c.day).where(_answers > 0))


def study_days(conn: Connection) -> list[int]:
    """Every study day with at least one answer, as ordinals, ascending."""
    return sorted(day for (day,) in STUDY_DAYS.rows(conn, {}))


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
