"""Study sessions: the headless logic of daily review and exams, driven by the interface."""

from .session import AnswerResult, ReviewSession

__all__ = ["AnswerResult", "ReviewSession"]
