"""A statement's rows fetched as one.

Python's sqlite3 lets go of the GIL around every step of a statement, one step per row. On a
worker thread, while the interface thread is busy drawing, each of those steps then waits up to
Python's switch interval to get the GIL back: a statement that returns a few hundred rows takes
tens of milliseconds longer than SQLite needs. `packed_rows` has SQLite pack the rows into one
JSON array (json_group_array: built into SQLite since 3.38, and compiled into most builds
before), which comes back in a single step and is unpacked by the json module. A SQLite without
JSON gets the rows the ordinary way."""

from __future__ import annotations

import json

from sqlalchemy import Connection, Select, func, select
from sqlalchemy.exc import OperationalError

__all__ = ["packed_rows"]


def packed_rows(conn: Connection, statement: Select) -> list[list]:
    """The rows of `statement`, each a list of plain JSON values (numbers, strings, None); in
    the statement's order only if it has an ORDER BY that SQLite keeps (give the rows a key to
    sort on when order matters). Reals keep 15 significant digits."""
    global _json  # noqa: PLW0603 (learnt once per process)
    if _json:
        rows = statement.subquery()
        packed = select(func.json_group_array(func.json_array(*rows.c)))
        try:
            return json.loads(conn.execute(packed).scalar_one())
        except OperationalError as error:
            if "no such function" not in str(error):
                raise
            _json = False
    return [list(row) for row in conn.execute(statement)]


_json = True  # whether this SQLite has its JSON functions
