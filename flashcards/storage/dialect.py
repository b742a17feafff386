"""What differs between the two engines a collection lives on, SQLite and PostgreSQL, in one place.

Everything else in the program writes SQL through SQLAlchemy's constructs, which both engines
understand. What they spell differently, or only one of them has, is here, each SQLite form
beside its PostgreSQL counterpart: a reader adding a query finds the portable spelling by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Insert, Integer, Table, cast
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import ReturnTypeFromArgs

__all__ = [
    "add_or_insert",
    "as_count",
    "greatest",
    "is_sqlite",
    "least",
    "lock_schema",
]

# Two programs opening a new or older PostgreSQL collection at once would both upgrade it; the
# second would fail half-way and roll back. The upgrade's transaction takes this lock first
# (released with the transaction), so the second waits and then finds the schema up to date.
# SQLite needs no such lock: the upgrade's transaction begins IMMEDIATE, which is one already.
SCHEMA_LOCK_KEY = 0x666C617368  # "flash": any fixed number, the same in every program


def is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def lock_schema(conn: Connection) -> None:
    """Hold the schema lock until `conn`'s transaction ends (PostgreSQL; SQLite has it already)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")


class greatest(ReturnTypeFromArgs[Any]):  # noqa: N801 (used as a SQL function name)
    """The greatest of its arguments: GREATEST on PostgreSQL, SQLite's scalar max()."""

    inherit_cache = True


class least(ReturnTypeFromArgs[Any]):  # noqa: N801 (used as a SQL function name)
    """The least of its arguments: LEAST on PostgreSQL, SQLite's scalar min()."""

    inherit_cache = True


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
def _least_sqlite(element: least, compiler: Any, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


def as_count(condition: ColumnElement[Any]) -> ColumnElement[int]:
    """A boolean as 0 or 1, to be summed: PostgreSQL has no sum() of booleans (SQLite stores
    them as integers already)."""
    return cast(condition, Integer)


def add_or_insert(dialect_name: str, table: Table, key: str, counts: Sequence[str]) -> Insert:
    """INSERT a row; if a row with the same `key` is there already, add the new row's `counts`
    to it instead. One statement, where an UPDATE then an INSERT would be two: on PostgreSQL
    two programs inserting the same new key at once would both find no row to update, and one
    would then fail on the key (SQLite lets one writer at a time, which hid this). Both engines
    spell it INSERT ... ON CONFLICT (key) DO UPDATE, through each one's own construct."""
    if dialect_name == "postgresql":  # imported only here: it takes a tenth of a second
        from sqlalchemy.dialects import postgresql

        on_server = postgresql.insert(table)
        added = {name: table.c[name] + on_server.excluded[name] for name in counts}
        return on_server.on_conflict_do_update(index_elements=[table.c[key]], set_=added)
    from sqlalchemy.dialects import sqlite

    in_file = sqlite.insert(table)
    added = {name: table.c[name] + in_file.excluded[name] for name in counts}
    return in_file.on_conflict_do_update(index_elements=[table.c[key]], set_=added)
