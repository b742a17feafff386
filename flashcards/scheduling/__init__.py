"""Scheduling: FSRS (through the `fsrs` package), study days and today's queue."""

from .days import StudyDay, study_day
from .scheduler import Outcome, format_interval, make_scheduler, outcomes

__all__ = [
    "Outcome",
    "StudyDay",
    "format_interval",
    "make_scheduler",
    "outcomes",
    "study_day",
]
