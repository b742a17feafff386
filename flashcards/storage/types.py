"""The one place where datetimes cross into and out of the database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.types import BigInteger, TypeDecorator

__all__ = ["UTCDateTime", "from_millis", "to_millis"]


def to_millis(value: datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("naive datetime: the collection stores UTC instants only")
    return int(value.timestamp() * 1000)


def from_millis(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored as UTC epoch milliseconds, returned with tzinfo=UTC.

    `fsrs` refuses naive datetimes and SQLite has no timezone type, so the conversion happens
    here and nowhere else.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> int | None:
        return None if value is None else to_millis(value)

    def process_result_value(self, value: int | None, dialect) -> datetime | None:
        return None if value is None else from_millis(value)
