"""What differs between the two engines a collection lives on, SQLite and PostgreSQL, in one place.

Everything else in the program writes SQL through SQLAlchemy's constructs, which both engines
understand. What they spell differently, or only one of them has, is here, each SQLite form
beside its PostgreSQL counterpart: a reader adding a query finds the portable spelling by name.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Insert, Integer, Table, cast, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import ReturnTypeFromArgs

__all__ = [
    "LIKE_ESCAPE",
    "ALL_ROWS",
    "add_or_insert",
    "as_count",
    "ascii_lower",
    "follow_identity",
    "greatest",
    "is_sqlite",
    "least",
    "like_any_case",
    "lock_schema",
    "optional_section",
    "refused_optional",
    "without_index",
]

# Two programs opening a new or older PostgreSQL collection at once would both upgrade it; the
# second would fail half-way and roll back. The upgrade's transaction takes this lock first
# (released with the transaction), so the second waits and then finds the schema up to date.
# SQLite needs no such lock: the upgrade's transaction begins IMMEDIATE, which is one already.
SCHEMA_LOCK_KEY = 0x666C617368  # "flash": any fixed number, the same in every program


# LIMIT's "every row" as a number both engines take: SQLite reads LIMIT -1 so, PostgreSQL refuses
# a negative limit (its own spelling is LIMIT ALL, or NULL, which SQLite refuses).
ALL_ROWS = 2**62


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


class without_index(ReturnTypeFromArgs[Any]):  # noqa: N801 (used as a SQL function name)
    """A column that SQLite's planner may not look rows up by: `column + 0` on SQLite, for a
    condition nearly every row meets, where a scan beats an index descent per row. PostgreSQL's
    planner weighs that by itself (and has no boolean + integer): the column as it is."""

    inherit_cache = True


@compiles(without_index, "sqlite")
def _without_index_sqlite(element: without_index, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} + 0)"


@compiles(without_index)
def _without_index_default(element: without_index, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


# Text matched in any case means A-Z as a-z, and nothing more: SQLite's LIKE folds those letters
# alone. PostgreSQL's lower() and ILIKE follow the collation's locale (É as é under C.UTF-8),
# except under the "C" collation, present in every database, where lower() folds A-Z alone (and
# fast: translate() took 0.4 µs a character). The search's trigram indexes there hold this same
# expression, lower(column COLLATE "C") (migrations/postgresql/0008_collection.sql).
LIKE_ESCAPE = "\\"
_TO_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """`text` with A-Z as a-z, every other character as it is."""
    return text.translate(_TO_LOWER)


class _case_folded(ReturnTypeFromArgs[Any]):  # noqa: N801 (a SQL construct)
    """A value as `like_any_case` compares it: itself on SQLite, whose LIKE folds A-Z;
    lower(value COLLATE "C") on PostgreSQL."""

    inherit_cache = True


@compiles(_case_folded, "sqlite")
def _case_folded_sqlite(element: _case_folded, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_case_folded)
def _case_folded_default(element: _case_folded, compiler: Any, **kw: Any) -> str:
    return f'lower(({compiler.process(element.clauses, **kw)}) COLLATE "C")'


def like_any_case(value: ColumnElement[Any], pattern: str) -> ColumnElement[bool]:
    """`value LIKE pattern`, A-Z matching a-z and nothing else folded, LIKE_ESCAPE escaping:
    SQLite's own LIKE; on PostgreSQL a LIKE of both sides folded."""
    return _case_folded(value).like(ascii_lower(pattern), escape=LIKE_ESCAPE)


def optional_section(dialect: str) -> str:
    """The line of a migration file after which its statements are optional on `dialect`:
    what they build the program can do without, and they are skipped, all of them, where the
    engine refuses them for want of something (`refused_optional`)."""
    return f"-- {dialect}, optional"


# PostgreSQL's SQLSTATEs for a server that lacks what an optional section needs: no right to
# create the extension (insufficient_privilege), or the extension not installed there
# (feature_not_supported since PostgreSQL 15, undefined_file before).
_REFUSED_SQLSTATES = frozenset({"42501", "0A000", "58P01"})


def refused_optional(error: DBAPIError) -> bool:
    """Whether `error` says the engine lacks what an optional section needs (a module or
    tokenizer on SQLite: "no such …"; the right or the extension on PostgreSQL), rather than
    that the section is wrong."""
    if isinstance(error.orig, sqlite3.Error):
        return str(error.orig).startswith("no such ")
    return getattr(error.orig, "sqlstate", None) in _REFUSED_SQLSTATES


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
