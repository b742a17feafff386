"""A statement's rows fetched as one.

Python's sqlite3 lets go of the GIL around every step of a statement, one step per row. On a
worker thread, while the interface thread is busy drawing, each of those steps then waits up to
Python's switch interval to get the GIL back: a statement that returns a few hundred rows takes
tens of milliseconds longer than SQLite needs. `PackedStatement` has SQLite pack the rows into one
JSON array (json_group_array: built into SQLite since 3.38, and compiled into most builds
before), which comes back in a single step and is unpacked by the json module. A SQLite without
JSON gets the rows the ordinary way."""

from __future__ import annotations

import json

from sqlalchemy import CompoundSelect, Connection, Select, func, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError

from .prepared import DriverConnection, Prepared, run

__all__ = ["PackedStatement", "packed_column"]


class PackedStatement:
    """A statement whose rows come back packed into one JSON array, each row a list of plain
    JSON values (numbers, strings, None; reals keep 15 significant digits), in the statement's
    order only if it has an ORDER BY that SQLite keeps (give the rows a key to sort on when
    order matters). Built once, with bound parameters, and compiled once per collection
    (storage/prepared.py) instead of at every use; `compile_for` compiles it ahead of its
    first use: the statistics screen's biggest statement took 20-30 ms to compile when `t` was
    first pressed, with the interface thread wanting the GIL at the same time."""

    def __init__(self, statement: Select | CompoundSelect) -> None:
        rows = statement.subquery()
        self._packed = Prepared(select(func.json_group_array(func.json_array(*rows.c))))
        self._plain = Prepared(statement)

    def compile_for(self, dialect: Dialect) -> None:
        (self._packed if _json else self._plain).form(dialect)

    def rows(self, conn: Connection, params: dict) -> list[list]:
        """The rows, read on `conn`'s driver connection (in the transaction `conn` is in, if
        any)."""
        driver = DriverConnection(conn.connection.driver_connection, conn.dialect)
        if _json:
            try:
                return json.loads(run(driver, self._packed, params).scalar())
            except conn.dialect.loaded_dbapi.OperationalError as error:
                _learn_no_json(error)
        return [list(row) for row in run(driver, self._plain, params).rows]


def packed_column(conn: Connection, statement: Select) -> list:
    """The one column of `statement`, as a list, in the statement's order: SQLite does not
    merge a subquery with an ORDER BY into an aggregate around it, so the aggregate reads the
    rows sorted (and tests hold this to account). For long lists of integers, such as ids."""
    if _json:
        (column,) = statement.subquery().c
        try:
            return json.loads(conn.execute(select(func.json_group_array(column))).scalar_one())
        except OperationalError as error:
            _learn_no_json(error)
    result = conn.execute(statement)
    try:  # plain values straight from the driver's cursor
        return [row[0] for row in result.cursor.fetchall()]
    finally:
        result.close()


def _learn_no_json(error: BaseException) -> None:
    """Note that this SQLite has no JSON functions, if that is what `error` says; else raise."""
    global _json  # noqa: PLW0603 (learnt once per process)
    if "no such function" not in str(error):
        raise error
    _json = False


_json = True  # whether this SQLite has its JSON functions
