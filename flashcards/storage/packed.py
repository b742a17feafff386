"""A statement's rows fetched as one, on SQLite.

Python's sqlite3 lets go of the GIL around every step of a statement, one step per row. On a
worker thread, while the interface thread is busy drawing, each of those steps then waits up to
Python's switch interval to get the GIL back: a statement that returns a few hundred rows took
tens of milliseconds longer than SQLite needs (benchmark rows 9 and 10, benchmarks/README.md).
So on SQLite the rows are packed into one JSON array (json_group_array: built into SQLite since
3.38, and compiled into most builds before), which comes back in a single step and is unpacked
by the json module; the columns' types then convert each value, as for any other row.

PostgreSQL's driver receives a statement's rows together, so there the rows come the ordinary
way; so they do on a SQLite built without its JSON functions (asked once per engine).
"""

from __future__ import annotations

import json
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import CompoundSelect, Connection, Select, func, select
from sqlalchemy.engine import Dialect

from .prepared import Prepared

__all__ = ["PackedStatement", "packed_column", "packs_rows"]

# The functions the packing uses; asked of SQLite once per engine, as plain SQL (a freshly opened
# collection's first figures should not wait for a statement to be compiled).
_PROBE = "SELECT json_group_array(json_array(1))"
# Whether each SQLite engine (by its dialect, which lives and dies with it) has JSON functions.
_PACKS: WeakKeyDictionary[Dialect, bool] = WeakKeyDictionary()


def packs_rows(conn: Connection) -> bool:
    """Whether `conn`'s database packs rows into JSON: SQLite with its JSON functions."""
    dialect = conn.dialect
    if dialect.name != "sqlite":
        return False
    known = _PACKS.get(dialect)
    if known is None:
        driver = conn.connection.driver_connection
        assert driver is not None  # a connection in use has its driver's connection
        try:
            driver.execute(_PROBE).fetchall()
        except dialect.loaded_dbapi.OperationalError as error:
            if "no such function" not in str(error):
                raise
            known = False
        else:
            known = True
        _PACKS[dialect] = known
    return known


class PackedStatement:
    """A statement whose rows come back as lists, through its columns' types, in the
    statement's order only if it has an ORDER BY that SQLite keeps (give the rows a key to
    sort on when order matters). Reals keep 15 significant digits in the packing. Built once,
    with bound parameters, and compiled once per collection (storage/prepared.py) instead of
    at every use; `compile_for` compiles it ahead of its first use: the statistics screen's
    biggest statement took 20-30 ms to compile when `t` was first pressed, with the interface
    thread wanting the GIL at the same time."""

    def __init__(self, statement: Select[Any] | CompoundSelect) -> None:
        rows = statement.subquery()
        self._packed = Prepared(select(func.json_group_array(func.json_array(*rows.c))))
        self._plain = Prepared(statement)
        self._types = [column.type for column in statement.exported_columns]
        self._results: WeakKeyDictionary[Dialect, list] = WeakKeyDictionary()

    def compile_for(self, dialect: Dialect) -> None:
        """Compile for SQLite `dialect` ahead of first use (nothing to do for PostgreSQL)."""
        if dialect.name == "sqlite":
            (self._packed if _PACKS.get(dialect, True) else self._plain).form(dialect)
            self._converters(dialect)

    def rows(self, conn: Connection, params: dict[str, Any]) -> list[list[Any]]:
        """The rows, read on `conn` (in the transaction `conn` is in, if any)."""
        if not packs_rows(conn):
            return [list(row) for row in self._plain.run(conn, params).rows]
        rows = json.loads(self._packed.run(conn, params).scalar())
        converters = self._converters(conn.dialect)
        if converters:
            for row in rows:
                for index, convert in converters:
                    row[index] = convert(row[index])
        return rows

    def _converters(self, dialect: Dialect) -> list:
        found = self._results.get(dialect)
        if found is None:
            found = self._results[dialect] = _result_converters(self._types, dialect)
        return found


def packed_column(conn: Connection, statement: Select[Any]) -> list[Any]:
    """The one column of `statement`, as a list, in the statement's order: SQLite does not
    merge a subquery with an ORDER BY into an aggregate around it, so the aggregate reads the
    rows sorted (and tests hold this to account). For long lists of integers, such as ids.
    Elsewhere the values are taken straight from the driver's cursor, in bulk: on PostgreSQL
    20,000 ids took 37 ms so, against 56 ms through SQLAlchemy's result (the query: 30 ms)."""
    (column,) = statement.subquery().c
    if packs_rows(conn):
        values = json.loads(conn.execute(select(func.json_group_array(column))).scalar_one())
    else:
        result = conn.execute(statement)
        try:
            values = [row[0] for row in result.cursor.fetchall()]
        finally:
            result.close()
    converters = _result_converters([column.type], conn.dialect)
    if converters:
        convert = converters[0][1]
        values = [convert(value) for value in values]
    return values


def _result_converters(types: list[Any], dialect: Dialect) -> list:
    """(index, converter) for the columns whose type converts what the database returns."""
    found = []
    for index, type_ in enumerate(types):
        convert = type_.dialect_impl(dialect).result_processor(dialect, None)
        if convert is not None:
            found.append((index, convert))
    return found
