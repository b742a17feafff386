"""The collection handle: where reads and writes of the SQLite (or other SQL) store begin."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.pool import PoolProxiedConnection

from .database import create_collection_engine
from .prepared import DriverConnection

__all__ = ["Collection"]


class Collection:
    """An open collection. `read()` and `write()` yield SQLAlchemy connections in a transaction."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.engine = create_collection_engine(location)
        self._writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._driver_lock = threading.Lock()
        self._pooled: PoolProxiedConnection | None = None  # checked out on first use

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

    @contextmanager
    def driver_read(self) -> Iterator[DriverConnection]:
        """The driver connection for the review loop's reads (see `prepared.py`); on SQLite
        each statement reads the latest committed state."""
        with self._driver_lock:
            driver = self._driver()
            try:
                yield driver
            finally:
                driver.connection.rollback()  # ends what a non-SQLite driver began; else nothing

    @contextmanager
    def driver_write(self) -> Iterator[DriverConnection]:
        """Like `write()`, on the driver connection: one transaction (on SQLite taken with
        BEGIN IMMEDIATE, as `write()` does), committed when the block ends."""
        with self._driver_lock:
            driver = self._driver()
            connection = driver.connection
            try:
                if self.engine.dialect.name == "sqlite":
                    connection.execute("BEGIN IMMEDIATE")
                yield driver
                connection.commit()
            except BaseException:
                connection.rollback()
                raise

    def _driver(self) -> DriverConnection:
        """One pooled connection, kept checked out while the collection is open: the review
        loop runs a few statements per card, and a checkout each time costs more than they."""
        if self._pooled is None:
            self._pooled = self.engine.raw_connection()
        return DriverConnection(self._pooled.driver_connection, self.engine.dialect)

    def close(self) -> None:
        with self._driver_lock:
            if self._pooled is not None:
                self._pooled.close()
                self._pooled = None
        self.engine.dispose()
