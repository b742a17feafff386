"""The collection handle: where reads and writes of the SQLite file or PostgreSQL database
begin."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from .database import CollectionError, create_collection_engine, shown_location

__all__ = ["Collection", "CollectionUnavailable"]

T = TypeVar("T")


class CollectionUnavailable(CollectionError):
    """The database server stopped answering, and a retry did not reach it: nothing of the
    transaction was written."""


class Collection:
    """An open collection. `read()` and `write()` yield SQLAlchemy connections, the one kind of
    connection the rest of the program sees; `transact()` runs a write that a dropped
    connection must not lose."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.engine = create_collection_engine(location)
        self._writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        # On SQLite, one connection is kept open for whichever thread wants it first: the review
        # loop reads and writes a few small statements per card, and checking a connection out
        # of the pool and back costs more than they do. A thread that finds it taken uses the
        # pool. A server's connections are checked out each time instead, tested on checkout
        # and replaced if the server went away (storage/database.py).
        self._kept_lock = threading.Lock()
        self._kept: Connection | None = None
        self._keeps = self.engine.dialect.name == "sqlite"

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

    @property
    def shown(self) -> str:
        """Where the collection lives, as messages show it (a URL's password masked)."""
        return shown_location(self.location)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading. On SQLite a statement run outside `conn.begin()` reads the
        latest committed state; inside it, every statement sees the collection as at its
        start."""
        kept = self._take_kept()
        if kept is None:
            with self.engine.connect() as conn:
                yield conn
            return
        try:
            yield kept
        finally:
            self._give_back(kept)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back if it raises. On SQLite
        it begins IMMEDIATE, so that two programs writing wait for each other instead of one
        failing half-way."""
        kept = self._take_kept()
        if kept is None:
            with self._writer.begin() as conn:
                yield conn
            return
        # Begun and committed on the driver: SQLAlchemy's own transaction around these few
        # statements cost about a fifth of an answer (benchmark row 4). A statement run through
        # SQLAlchemy in the block joins the transaction (database._begin sees it begun), and is
        # committed with it.
        driver = kept.connection.driver_connection
        assert driver is not None  # a connection in use has its driver's connection
        try:
            driver.execute("BEGIN IMMEDIATE")
            yield kept
            if kept.in_transaction():
                kept.commit()
            else:
                driver.commit()
        except BaseException:
            driver.rollback()
            raise
        finally:
            self._give_back(kept)

    def transact(self, work: Callable[[Connection], T], what: str = "the change") -> T:
        """`work(conn)` in one write transaction. If the connection to the database server was
        lost (a restarted server, a dropped network), nothing was written: it is run once more
        on a new connection. If that fails too, `CollectionUnavailable` says so; `what` names
        what was not saved."""
        for attempt in (1, 2):
            try:
                with self.write() as conn:
                    return work(conn)
            except DBAPIError as error:
                if not self._lost(error):
                    raise
                if attempt == 2:
                    raise CollectionUnavailable(
                        f"the server at {self.shown} is not answering: {what} was not saved; "
                        "try again"
                    ) from error
        raise AssertionError("unreachable")

    def _lost(self, error: DBAPIError) -> bool:
        """Whether `error` means the server could not be reached, or the connection to it was
        lost: the transaction was not committed, and may be run again."""
        if error.connection_invalidated:
            return True
        if self.engine.dialect.name == "sqlite":
            return False
        # psycopg: no SQLSTATE when connecting failed; class 08 a connection exception; 57P01-03
        # the server shutting down or starting up.
        state = getattr(error.orig, "sqlstate", "")
        return state is None or state.startswith(("08", "57P"))

    def _take_kept(self) -> Connection | None:
        if not self._keeps or not self._kept_lock.acquire(blocking=False):
            return None
        try:
            kept = self._kept
            if kept is None or kept.closed or kept.invalidated:
                kept = self._kept = self.engine.connect()
            return kept
        except BaseException:
            self._kept_lock.release()
            raise

    def _give_back(self, kept: Connection) -> None:
        try:
            if kept.in_transaction():  # a read that began one, or a block left by an error
                kept.rollback()
        finally:
            self._kept_lock.release()

    def close(self) -> None:
        with self._kept_lock:
            if self._kept is not None:
                self._kept.close()
                self._kept = None
        self.engine.dispose()
