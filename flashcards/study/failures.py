"""What a failed background job says to the person: the meaning of a storage failure we
understand (see `storage.errors`), or else the error's type and text, never a traceback."""

from __future__ import annotations

from ..storage.errors import describe_failure

__all__ = ["explain_failure"]


def explain_failure(error: BaseException) -> str:
    """One line for the notification of a job that failed with `error`."""
    from .session import UndoRefused

    if isinstance(error, UndoRefused):  # its message is written for the person
        return str(error)
    return describe_failure(error) or f"{type(error).__name__}: {error}"
