"""What a storage failure means for the person, in one sentence, instead of a traceback."""

from __future__ import annotations

__all__ = ["describe_failure"]

_MEANINGS = (
    (
        "database or disk is full",
        "the disk is full: nothing was written. Free some space and try again.",
    ),
    (
        "disk i/o error",
        "the disk reported an error: nothing was written. Check the disk and try again.",
    ),
    (
        "readonly database",
        "the collection is read-only: nothing was written. Check the file's permissions.",
    ),
    ("read-only file system", "the collection is on a read-only file system: nothing was written."),
    (
        "database is locked",
        "another program kept the collection busy too long: nothing was written; try again.",
    ),
    (
        "malformed",
        "the collection is damaged. Run `flashcards doctor`, and restore a backup with "
        "`flashcards restore`.",
    ),
    (
        "not a database",
        "the file is not a flashcards collection (or is damaged): restore a backup with "
        "`flashcards restore`.",
    ),
    # A collection on a PostgreSQL server.
    *(
        (
            fragment,
            "the PostgreSQL server is not answering: nothing was written. Check that it runs "
            "and that this machine reaches it, then try again.",
        )
        for fragment in (
            "connection is lost",
            "server closed the connection",
            "terminating connection",
            "connection refused",
            "connection failed",
            "could not connect",
            "connection timeout",
            "timeout expired",
        )
    ),
    *(
        (
            fragment,
            "another program changed the same cards at the same moment: nothing was written; "
            "try again.",
        )
        for fragment in ("deadlock detected", "could not serialize access")
    ),
)


def describe_failure(error: BaseException) -> str | None:
    """A sentence for a storage failure we understand, or None for anything else."""
    from .database import CollectionError

    if isinstance(error, CollectionError):  # its message is written for the person
        return str(error)
    text = str(getattr(error, "orig", None) or error).lower()
    for fragment, meaning in _MEANINGS:
        if fragment in text:
            return meaning
    if isinstance(error, PermissionError):
        return f"permission denied: {getattr(error, 'filename', '') or error}"
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {getattr(error, 'filename', '') or ''}".rstrip(": ")
    return None
