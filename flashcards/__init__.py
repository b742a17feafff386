"""flashcards: a terminal spaced-repetition trainer for ML system design interviews."""

__version__ = "0.1.0"
