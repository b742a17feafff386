"""The FSRS-6 memory model as the optimizer sees it: memory states from `fsrs_rs_python`, and
the forgetting curve that turns a stability and a number of days into a probability of recall."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import fsrs_rs_python

from .dataset import fsrs_item

__all__ = ["MemoryState", "memory_states", "retrievability"]

MemoryState = fsrs_rs_python.MemoryState


def retrievability(elapsed_days: float, stability: float, parameters: Sequence[float]) -> float:
    """FSRS-6's power forgetting curve: R = (1 + f·t/S)^(−d), d = w20, with f chosen so that
    R = 0.9 when t = S."""
    decay = parameters[20]
    factor = 0.9 ** (-1 / decay) - 1
    return (1 + factor * max(elapsed_days, 0.0) / stability) ** (-decay)


def memory_states(
    parameters: Sequence[float], histories: Iterable[Sequence[tuple[int, int]]]
) -> list[MemoryState]:
    """The memory state after each history of (rating, days since the previous review)."""
    model = fsrs_rs_python.FSRS(list(parameters))
    return model.memory_state_batch([fsrs_item(history) for history in histories])
