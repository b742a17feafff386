"""Opening a collection: the engine, SQLite settings, and the schema version with its upgrades."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import SQLModel

from . import tables  # noqa: F401  (registers the tables on SQLModel.metadata)

__all__ = ["SCHEMA_VERSION", "CollectionError", "create_collection_engine", "database_url"]

SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 10_000


class CollectionError(Exception):
    """The collection cannot be opened or used; the message says what to do."""


def database_url(location: str) -> str:
    """A path becomes a SQLite URL; a value containing '://' is already a SQLAlchemy URL."""
    if "://" in location:
        return location
    return f"sqlite:///{Path(location).expanduser()}"


def _sqlite_settings(dbapi_connection, _record) -> None:
    # pysqlite's implicit transactions get in the way of BEGIN IMMEDIATE; SQLAlchemy emits BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _begin(conn) -> None:
    # Writers take the lock at BEGIN (execution option sqlite_begin="IMMEDIATE") so that two
    # programs on one collection wait for each other, up to the busy timeout, instead of one
    # failing half-way through a transaction; readers begin deferred and never block a writer.
    mode = conn.get_execution_options().get("sqlite_begin", "")
    conn.exec_driver_sql(f"BEGIN {mode}".strip())


def create_collection_engine(location: str) -> Engine:
    """Create the engine for a collection, creating or upgrading its schema."""
    url = database_url(location)
    is_sqlite = url.startswith("sqlite")
    if is_sqlite and url != "sqlite://" and not url.startswith("sqlite:///:memory:"):
        path = Path(url.removeprefix("sqlite:///"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CollectionError(
                f"cannot create the folder {path.parent}: {exc.strerror}"
            ) from exc
    engine = create_engine(url, connect_args={"check_same_thread": False} if is_sqlite else {})
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_settings)
        event.listen(engine, "begin", _begin)
    try:
        with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
            _migrate(conn, is_sqlite)
    except (OperationalError, DatabaseError) as exc:
        engine.dispose()
        raise CollectionError(f"cannot open the collection {location}: {exc.orig}") from exc
    return engine


def _user_version(conn: Connection, is_sqlite: bool) -> int:
    if is_sqlite:
        return conn.exec_driver_sql("PRAGMA user_version").scalar_one()
    if not conn.dialect.has_table(conn, "meta"):
        return 0
    value = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar()
    return int(value or 0)


def _set_user_version(conn: Connection, is_sqlite: bool, version: int) -> None:
    if is_sqlite:
        conn.exec_driver_sql(f"PRAGMA user_version = {int(version)}")
    conn.execute(text("DELETE FROM meta WHERE key = 'schema_version'"))
    conn.execute(
        text("INSERT INTO meta (key, value) VALUES ('schema_version', :v)"), {"v": str(version)}
    )


_V1_TABLES = ("meta", "deck", "card", "review")
_V2_TABLES = ("exam", "exam_answer", "parameter_set")


def _create_tables(conn: Connection, names: tuple[str, ...]) -> None:
    metadata = SQLModel.metadata
    metadata.create_all(conn, tables=[metadata.tables[name] for name in names])


def _create_v1(conn: Connection) -> None:
    _create_tables(conn, _V1_TABLES)


def _add_exams_and_parameters(conn: Connection) -> None:
    _create_tables(conn, _V2_TABLES)


# Each entry upgrades the schema from version N-1 to N; index 0 creates version 1 from nothing.
# Once a version has shipped, its tables never change again: a later change is a new entry with
# explicit DDL, and the creators above become frozen DDL of the version they made.
MIGRATIONS: list[Callable[[Connection], None]] = [_create_v1, _add_exams_and_parameters]
assert len(MIGRATIONS) == SCHEMA_VERSION


def _migrate(conn: Connection, is_sqlite: bool) -> None:
    version = _user_version(conn, is_sqlite)
    if version > SCHEMA_VERSION:
        raise CollectionError(
            f"this collection has schema version {version}, newer than this program "
            f"understands ({SCHEMA_VERSION}): upgrade flashcards"
        )
    for target in range(version + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[target - 1](conn)
        _set_user_version(conn, is_sqlite, target)
