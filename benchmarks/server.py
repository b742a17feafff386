"""The collection rows again on a PostgreSQL server (`--db-url`): each measured on a database of
its own, a copy of the SQLite collection the row used, made with `flashcards copy`'s code.

The URL names a database the role may connect to (`postgres` will do) and the role needs
CREATEDB: the databases made here are named `flashcards_bench_<pid>_<n>` and dropped at the end,
and nothing else on the server is touched."""

from __future__ import annotations

import itertools
import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from flashcards.storage import Collection
from flashcards.storage.database import database_url, shown_location
from flashcards.storage.transfer import copy_collection

__all__ = ["BenchServer"]


class BenchServer:
    def __init__(self, url: str) -> None:
        self.url = make_url(database_url(url))
        self.shown = shown_location(url)
        self._admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self._names = itertools.count(1)
        self._made: list[str] = []

    def _name(self) -> str:
        return f"flashcards_bench_{os.getpid()}_{next(self._names)}"

    def _url(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def copy_of(self, sqlite_file: str) -> tuple[str, str]:
        """A new database holding a copy of the collection in `sqlite_file`: (name, URL)."""
        name = self._name()
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self._made.append(name)
        url = self._url(name)
        source, target = Collection(sqlite_file), Collection(url)
        try:
            copy_collection(source, target)
        finally:
            source.close()
            target.close()
        return name, url

    def clone(self, template: str) -> str:
        """A new database copied from `template` by the server (fast): its URL."""
        name = self._name()
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        self._made.append(name)
        return self._url(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self._made:
            self._made.remove(name)

    def close(self) -> None:
        for name in list(self._made):
            with self._admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()
