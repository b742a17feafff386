"""The id of the row an insert just made, read one way wherever a row is added."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult

__all__ = ["inserted_id"]


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key of the one row `result`'s insert made (SQLAlchemy reads it back from
    the driver; an insert of one row into a table with an integer key always has one)."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])
