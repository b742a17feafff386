"""The review loop's statements, compiled once and run straight on SQLite's driver.

SQLAlchemy builds and checks each statement, and its column types still convert every value in
and out (so `UTCDateTime` stays the one place where datetimes cross into the database); only its
per-execution work is skipped: looking up the compiled form, the execution context, result
wrapping. For the small statements run for every card shown and answered that work cost more
than SQLite's own: answering went from 1.2-1.6 ms to about 0.6 ms a card (benchmark row 4,
benchmarks/README.md). On PostgreSQL a statement's round trip to the server dwarfs that work,
so there `Prepared.run` is SQLAlchemy's ordinary execution.

A `Prepared` statement runs on the connection `Collection.read()` or `write()` gives, inside its
transaction: callers need not know which path it takes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Executable

__all__ = ["Prepared", "Result"]

Convert = Callable[[Any], Any] | None
# Where a positional parameter's value comes from: the parameter's name, the item's index when
# it is one of an IN list's items, its value when not given, and its type's converter.
Source = tuple[str, int | None, Any, Convert]


class _Form:
    """A statement compiled for one SQLite dialect: its SQL text, where each positional
    parameter's value comes from, and the column types' converters."""

    def __init__(self, statement: Any, dialect: Dialect, columns: tuple[str, ...] | None) -> None:
        self.compiled = statement.compile(dialect=dialect, column_keys=columns)
        binds = self.compiled.binds
        self.convert: dict[str, Convert] = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in binds.items()
        }
        # IN lists whose items come as a parameter: one placeholder per item, so one SQL text
        # per list length (lists written into the statement have a length of their own).
        self.lists = [name for name, bind in binds.items() if bind.expanding and bind.value is None]
        self.has_lists = any(bind.expanding for bind in binds.values())
        self._texts: dict[tuple[int, ...], tuple[str, list[Source]]]
        self._texts = {}
        if not self.has_lists:
            self.sql = self.compiled.string
            self.plan = [
                (name, binds[name].value, self.convert[name])
                for name in self.compiled.positiontup or ()
            ]
        selected = getattr(statement, "exported_columns", ())
        processors = [
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in selected
        ]
        self.results = [(i, p) for i, p in enumerate(processors) if p is not None]

    def bind(self, params: dict[str, Any]) -> tuple[str, list[Any]]:
        if not self.has_lists:  # the common case, kept short
            values = []
            for name, default, convert in self.plan:
                value = params.get(name, default)
                values.append(value if convert is None else convert(value))
            return self.sql, values
        lengths = tuple(len(params[name]) for name in self.lists)
        found = self._texts.get(lengths)
        if found is None:
            found = self._texts[lengths] = self._expand(params)
        sql, plan = found
        values = []
        for name, index, default, convert in plan:
            value = params.get(name, default)
            if index is not None:
                value = value[index]
            values.append(value if convert is None else convert(value))
        return sql, values

    def _expand(self, params: dict[str, Any]) -> tuple[str, list[Source]]:
        """The SQL text for these list lengths, and where each of its parameters comes from."""
        binds = self.compiled.binds
        given = {name: params.get(name, binds[name].value) for name in binds}
        state = self.compiled.construct_expanded_state(given)
        source: dict[str, tuple[str, int | None]] = {}
        for name, expanded in state.parameter_expansion.items():
            for index, item in enumerate(expanded):
                source[item] = (name, index)
        plan = []
        for name in state.positiontup or ():
            origin, index = source.get(name, (name, None))
            plan.append((origin, index, binds[origin].value, self.convert[origin]))
        return state.statement, plan

    def rows(self, raw: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
        """Rows as the column types give them."""
        if not self.results:
            return list(raw)
        converted: list[Sequence[Any]] = []
        for row in raw:
            values = list(row)
            for index, convert in self.results:
                values[index] = convert(values[index])
            converted.append(values)
        return converted


class Result:
    """A statement's rows (as the column types give them) and the count of rows it changed."""

    __slots__ = ("rows", "rowcount")

    def __init__(self, rows: list[Sequence[Any]], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


class Prepared:
    """A statement for the review loop. `columns` names the columns an INSERT or UPDATE sets
    (their values come as parameters named after them)."""

    def __init__(self, statement: Executable, columns: Iterable[str] | None = None) -> None:
        self.statement = statement
        self.columns = tuple(columns) if columns is not None else None
        # Per dialect, forgotten with it (every opened collection has an engine and a dialect).
        self._forms: WeakKeyDictionary[Dialect, _Form] = WeakKeyDictionary()

    def form(self, dialect: Dialect) -> _Form:
        """The statement compiled for SQLite `dialect` (once; ahead of first use if wanted)."""
        form = self._forms.get(dialect)
        if form is None:
            form = self._forms[dialect] = _Form(self.statement, dialect, self.columns)
        return form

    def run(self, conn: Connection, params: dict[str, Any]) -> Result:
        """Execute with `params` on `conn`, in the transaction `conn` is in, if any."""
        if conn.dialect.name != "sqlite":
            result = conn.execute(self.statement, params)
            plain: list[Sequence[Any]] = (
                [tuple(row) for row in result] if result.returns_rows else []
            )
            return Result(plain, result.rowcount)
        form = self.form(conn.dialect)
        sql, values = form.bind(params)
        driver = conn.connection.driver_connection
        assert driver is not None  # a connection in use has its driver's connection
        cursor = driver.cursor()
        try:
            cursor.execute(sql, values)
            rows = form.rows(cursor.fetchall()) if cursor.description is not None else []
            return Result(rows, cursor.rowcount)
        finally:
            cursor.close()
