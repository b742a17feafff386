"""What differs between the two engines a collection lives on, SQLite and PostgreSQL, in one place.

Everything else in the program writes SQL through SQLAlchemy's constructs, which both engines
understand. What they spell differently, or only one of them has, is here, each SQLite form
beside its PostgreSQL counterpart: a reader adding a query finds the portable spelling by name.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Integer, Table, cast, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import ReturnTypeFromArgs

__all__ = [
    "as_count",
    "follow_identity",
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


def follow_identity(conn: Connection, table: Table) -> None:
    """After rows were written with their ids, make the next id the server gives follow them.
    SQLite gives a new row one above the greatest id already; PostgreSQL's identity columns
    count on their own, and would hand out ids already taken."""
    if conn.dialect.name != "postgresql" or "id" not in table.c or not table.c.id.primary_key:
        return
    greatest_id = conn.execute(select(func.max(table.c.id))).scalar()
    sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
    if greatest_id is None:
        conn.exec_driver_sql(f"SELECT setval({sequence}, 1, false)")
    else:
        conn.exec_driver_sql(f"SELECT setval({sequence}, {int(greatest_id)})")
