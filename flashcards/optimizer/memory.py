"""The FSRS-6 memory model as the optimizer sees it: memory states from `fsrs_rs_python`, and
the forgetting curve that turns a stability and a number of days into a probability of recall."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import fsrs_rs_python

from ..scheduling.recall import forgetting_curve
from .dataset import fsrs_item

__all__ = ["MemoryState", "memory_states", "retrievability"]

MemoryState = fsrs_rs_python.MemoryState


def retrievability(elapsed_days: float, stability: float, parameters: Sequence[float]) -> float:
    """FSRS-6's forgetting curve (flashcards/scheduling/recall.py) at fractional days, as the
    optimizer's model sees the log."""
    return forgetting_curve(elapsed_days, stability, parameters)


def memory_states(
    parameters: Sequence[float], histories: Iterable[Sequence[tuple[int, int]]]
) -> list[MemoryState]:
    """The memory state after each history of (rating, days since the previous review)."""
    model = fsrs_rs_python.FSRS(list(parameters))
    return model.memory_state_batch([fsrs_item(history) for history in histories])
