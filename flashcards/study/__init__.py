"""Study sessions: the headless logic of daily review and exams, driven by the interface."""

from ..storage.records import CardRecord
from .session import AnswerResult, ReviewSession

__all__ = ["AnswerResult", "CardRecord", "ReviewSession"]
