"""The collection handle: where reads and writes of the SQLite (or other SQL) store begin."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection

from .database import create_collection_engine

__all__ = ["Collection"]


class Collection:
    """An open collection. `read()` and `write()` yield SQLAlchemy connections in a transaction."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.engine = create_collection_engine(location)
        self._writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")

    @property
    def sqlite_path(self) -> Path | None:
        """The collection's file, when it is a SQLite file (backups work on files)."""
        url = self.engine.url
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        database = url.database
        if database.startswith("file:"):
            database = database.removeprefix("file:").split("?", 1)[0]
        return Path(database)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._writer.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()
