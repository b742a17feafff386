"""Statements run on every card studied, compiled once and executed on the driver's connection.

SQLAlchemy builds and checks each statement, and its column types still convert every value
(so `UTCDateTime` stays the one place where datetimes cross into the database); only its
per-execution work is skipped: compiling or looking up the compiled form, the execution
context, result wrapping, and its transaction events. That work costs more than SQLite's own
for the small statements of the review loop.

A `Prepared` statement runs on a `DriverConnection` (from `Collection.driver_read()` /
`driver_write()`), or on an ordinary SQLAlchemy connection, which executes the same statement
the ordinary way: callers need not care which they hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect

__all__ = ["DriverConnection", "Prepared", "run"]

_EXPANDING = re.compile(r"__\[POSTCOMPILE_(\w+)\]")


class _Form:
    """A statement compiled for one dialect: SQL text, parameter order and converters."""

    def __init__(self, statement, dialect: Dialect, columns: tuple[str, ...] | None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=columns)
        self.positional = dialect.paramstyle in ("qmark", "format")
        if not self.positional and dialect.paramstyle not in ("named", "pyformat"):
            raise ValueError(f"unsupported parameter style {dialect.paramstyle}")
        self.marker = {"qmark": "?", "format": "%s"}.get(dialect.paramstyle)
        self.paramstyle = dialect.paramstyle
        self.sql = compiled.string
        self.names = list(compiled.positiontup or compiled.binds)
        binds = compiled.binds
        self.defaults = {name: binds[name].value for name in self.names}
        self.expanding = {name for name in self.names if binds[name].expanding}
        self.convert = {}
        for name in self.names:
            processor = binds[name].type._cached_bind_processor(dialect)
            if processor is not None:
                self.convert[name] = processor
        self.plan = [(name, self.convert.get(name)) for name in self.names]
        selected = getattr(statement, "exported_columns", ())
        processors = [column.type._cached_result_processor(dialect, None) for column in selected]
        self.results = [(i, p) for i, p in enumerate(processors) if p is not None]
        self._expanded_sql: dict[tuple[int, ...], str] = {}

    def bind(self, params: dict[str, Any]) -> tuple[str, Any]:
        if self.positional and not self.expanding:  # the common case, kept short
            ordered = []
            for name, convert in self.plan:
                value = params[name] if name in params else self.defaults[name]
                ordered.append(value if convert is None else convert(value))
            return self.sql, ordered
        values = {**self.defaults, **params}
        for name, convert in self.convert.items():
            value = values[name]
            if name in self.expanding:
                values[name] = [convert(item) for item in value]
            else:
                values[name] = convert(value)
        return self._bind_expanding(values) if self.expanding else (self.sql, values)

    def _bind_expanding(self, values: dict[str, Any]) -> tuple[str, Any]:
        """IN (...) lists: one placeholder per item, the SQL text kept per list length."""
        lengths = tuple(len(values[name]) for name in self.names if name in self.expanding)
        sql = self._expanded_sql.get(lengths)
        if sql is None:
            sql = _EXPANDING.sub(lambda m: self._placeholders(m[1], len(values[m[1]])), self.sql)
            self._expanded_sql[lengths] = sql
        if self.positional:
            flat: list[Any] = []
            for name in self.names:
                if name in self.expanding:
                    flat.extend(values[name])
                else:
                    flat.append(values[name])
            return sql, flat
        named = {k: v for k, v in values.items() if k not in self.expanding}
        for name in self.expanding:
            for index, item in enumerate(values[name], 1):
                named[f"{name}_{index}"] = item
        return sql, named

    def _placeholders(self, name: str, count: int) -> str:
        if count == 0:  # as SQLAlchemy does: a list that matches nothing
            return "SELECT 1 WHERE 1 != 1"
        if self.marker is not None:
            return ", ".join([self.marker] * count)
        if self.paramstyle == "named":
            return ", ".join(f":{name}_{i}" for i in range(1, count + 1))
        return ", ".join(f"%({name}_{i})s" for i in range(1, count + 1))

    def rows(self, cursor) -> list[Sequence[Any]]:  # tuples, or lists once converted
        raw = cursor.fetchall()
        if not self.results:
            return raw
        converted: list[Sequence[Any]] = []
        for row in raw:
            values = list(row)
            for index, convert in self.results:
                values[index] = convert(values[index])
            converted.append(values)
        return converted


class Prepared:
    """A statement for the hot path. `columns` names the columns an INSERT or UPDATE sets
    (their values come as parameters named after them)."""

    def __init__(self, statement, columns: Iterable[str] | None = None) -> None:
        self.statement = statement
        self.columns = tuple(columns) if columns is not None else None
        # Per dialect, forgotten with it (every opened collection has an engine and a dialect).
        self._forms: WeakKeyDictionary[Dialect, _Form] = WeakKeyDictionary()

    def form(self, dialect: Dialect) -> _Form:
        form = self._forms.get(dialect)
        if form is None:
            form = self._forms[dialect] = _Form(self.statement, dialect, self.columns)
        return form


class DriverConnection:
    """The driver's (DB-API) connection with the dialect that compiles for it."""

    def __init__(self, connection, dialect: Dialect) -> None:
        self.connection = connection
        self.dialect = dialect


class Result:
    __slots__ = ("rows", "rowcount")

    def __init__(self, rows: list, rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def scalar(self):
        return self.rows[0][0] if self.rows else None


def run(conn: DriverConnection | Connection, prepared: Prepared, params: dict) -> Result:
    """Execute `prepared` with `params` on either kind of connection."""
    if isinstance(conn, DriverConnection):
        form = prepared.form(conn.dialect)
        sql, values = form.bind(params)
        cursor = conn.connection.cursor()
        try:
            cursor.execute(sql, values)
            rows = form.rows(cursor) if cursor.description is not None else []
            return Result(rows, cursor.rowcount)
        finally:
            cursor.close()
    # An INSERT or UPDATE sets the columns its parameters are named after, as `columns` says.
    result = conn.execute(prepared.statement, params)
    rows = [tuple(row) for row in result] if result.returns_rows else []
    return Result(rows, result.rowcount)
