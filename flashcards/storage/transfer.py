"""A whole collection copied into another, for example from a SQLite file on a laptop to the
PostgreSQL server that several machines will share, or back into a file.

Every table of the models is copied row by row with its ids, so the copy is the same
collection: the same cards with the same history, exams, rounds and fitted parameters. The
target must be empty (a new file, or a new database on a server), and is written in one
transaction: a copy that fails leaves it empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table, func, insert, select
from sqlmodel import SQLModel

from . import tables as _tables  # noqa: F401 (the models register their tables)
from .collection import Collection
from .dialect import follow_identity

__all__ = ["TransferError", "Transferred", "copy_collection"]

BATCH = 5_000  # rows read and written at a time: memory stays flat on a large review log


class TransferError(Exception):
    """The copy cannot be made; the message says why. Nothing was written."""


@dataclass(frozen=True, slots=True)
class Transferred:
    rows: dict[str, int]  # table -> rows copied

    @property
    def cards(self) -> int:
        return self.rows.get("card", 0)

    @property
    def reviews(self) -> int:
        return self.rows.get("review", 0)


def _tables_in_order() -> list[Table]:
    """The models' tables, each after the tables it refers to."""
    return list(SQLModel.metadata.sorted_tables)


def copy_collection(
    source: Collection,
    target: Collection,
    progress: Callable[[str, int], None] | None = None,
) -> Transferred:
    """Copy everything in `source` into the empty `target`; `progress(table, rows)` hears of
    each batch written."""
    copied: dict[str, int] = {}
    with source.read() as reading, target.write() as writing:
        for table in _tables_in_order():
            if table.name == "meta":
                continue  # the schema's version is the target's own; the rest follows below
            if writing.execute(select(func.count()).select_from(table)).scalar_one():
                raise TransferError(
                    f"the target already holds a collection (its table {table.name} has rows): "
                    "copy into a new file or an empty database"
                )
        for table in _tables_in_order():
            rows = 0
            result = reading.execute(select(table).order_by(*table.primary_key.columns))
            while batch := result.fetchmany(BATCH):
                values = [dict(row._mapping) for row in batch]
                if table.name == "meta":
                    values = [v for v in values if v["key"] != "schema_version"]
                    if not values:
                        continue
                writing.execute(insert(table), values)
                rows += len(values)
                if progress is not None:
                    progress(table.name, rows)
            follow_identity(writing, table)
            copied[table.name] = rows
    return Transferred(copied)
