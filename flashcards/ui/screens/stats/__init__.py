"""The statistics screen: the screen, its sections laid out as text, and its charts."""

from .screen import TOPICS_SHOWN, StatsScreen

__all__ = ["TOPICS_SHOWN", "StatsScreen"]
