"""Progress lines on standard error, shown only once a job has taken more than a second."""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    def __init__(self, label: str, delay: float = 1.0, stream=None) -> None:
        self.label = label
        self.delay = delay
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, stage: str) -> None:
        if time.monotonic() - self.started < self.delay:
            return
        self.shown = True
        elapsed = time.monotonic() - self.started
        self.stream.write(f"{self.label}: {stage} ({elapsed:.1f}s)\n")
        self.stream.flush()
