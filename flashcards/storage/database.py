"""Opening a collection: the engine, SQLite settings, and the schema version with its upgrades."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, OperationalError

from .dialect import lock_schema, optional_section, refused_optional

__all__ = [
    "SCHEMA_VERSION",
    "CollectionError",
    "create_collection_engine",
    "database_url",
    "is_damage",
    "shown_location",
]

SCHEMA_VERSION = 9  # the newest file in migrations/ (and in migrations/postgresql/)
BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 10
WAL_CHECKPOINT_PAGES = 10_000


class CollectionError(Exception):
    """The collection cannot be opened or used; the message says what to do."""


def is_damage(error: BaseException) -> bool:
    """Whether SQLite's error means the file is damaged (or is not a collection at all)."""
    text = str(error).lower()
    return "malformed" in text or "not a database" in text


def database_url(location: str) -> str:
    """A path becomes a SQLite URL; a value containing '://' is already a SQLAlchemy URL. A
    PostgreSQL URL without a driver (`postgresql://`, `postgres://`) gets psycopg, the driver of
    the `postgres` extra (SQLAlchemy would otherwise look for psycopg2)."""
    if "://" not in location:
        return f"sqlite:///{Path(location).expanduser()}"
    scheme, rest = location.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return location


def shown_location(location: str) -> str:
    """The collection's location as messages show it: a URL's password masked, never printed."""
    if "://" not in location:
        return location
    try:
        return make_url(location).render_as_string(hide_password=True)
    except ArgumentError:  # not a URL SQLAlchemy can read: keep only what precedes the host
        scheme, _, rest = location.partition("://")
        return f"{scheme}://***@{rest.rpartition('@')[2]}" if "@" in rest else location


def _sqlite_settings(dbapi_connection, _record) -> None:
    # pysqlite's implicit transactions get in the way of BEGIN IMMEDIATE; SQLAlchemy emits BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    # Each answer is its own commit. Checkpointing the write-ahead log every 1,000 pages (the
    # default: about every 100 answers) made a third of the cost of an answer; every 10,000
    # pages it is a pause of some 60 ms once in about 1,000 answers. The log is cut back to
    # 16 MiB after a checkpoint, and deleted when the collection is closed.
    cursor.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
    cursor.execute(f"PRAGMA journal_size_limit = {16 * 1024 * 1024}")
    cursor.execute("PRAGMA foreign_keys = ON")
    try:  # the statistics need power(); SQLite has it when built with its math functions
        cursor.execute("SELECT power(2, 0.5)")
    except sqlite3.OperationalError:
        dbapi_connection.create_function("power", 2, _power, deterministic=True)
    cursor.close()


def _power(base, exponent):
    try:
        return None if base is None or exponent is None else math.pow(base, exponent)
    except (ValueError, OverflowError):
        return None


def _begin(conn) -> None:
    # Writers take the lock at BEGIN (execution option sqlite_begin="IMMEDIATE") so that two
    # programs on one collection wait for each other, up to the busy timeout, instead of one
    # failing half-way through a transaction; readers begin deferred and never block a writer.
    # Collection.write() may have begun the transaction on the driver already (its fast path
    # for the review loop, see collection.py): then a statement run through SQLAlchemy joins it.
    if not conn.connection.driver_connection.in_transaction:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


def create_collection_engine(location: str) -> Engine:
    """Create the engine for a collection, creating or upgrading its schema."""
    url = database_url(location)
    is_sqlite = url.startswith("sqlite")
    path: Path | None = None
    if is_sqlite and url != "sqlite://" and not url.startswith("sqlite:///:memory:"):
        database = url.removeprefix("sqlite:///")
        if database.startswith("file:"):  # a URI filename: file:PATH?mode=ro&uri=true
            database = database.removeprefix("file:").split("?", 1)[0]
        path = Path(database)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CollectionError(
                f"cannot create the folder {path.parent}: {exc.strerror}"
            ) from exc
    shown = shown_location(location)
    engine = _engine(url, shown, is_sqlite)
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_settings)
        event.listen(engine, "begin", _begin)
    try:
        if is_sqlite:
            _check_and_use_wal(engine)
        with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
            _migrate(conn, is_sqlite)
    except (OperationalError, DatabaseError, sqlite3.DatabaseError) as exc:
        engine.dispose()
        reason = getattr(exc, "orig", None) or exc
        message = f"cannot open the collection {shown}: {_without_password(str(reason), url)}"
        if path is not None and is_damage(reason):
            from .backup import restore_advice

            message += ". " + restore_advice(path)
        raise CollectionError(message) from exc
    except BaseException:
        engine.dispose()
        raise
    return engine


def _engine(url: str, shown: str, is_sqlite: bool) -> Engine:
    if is_sqlite:
        return create_engine(url, connect_args={"check_same_thread": False})
    try:
        dialect = make_url(url).get_backend_name()
    except ArgumentError:
        raise CollectionError(f"{shown} is not a database URL flashcards can read") from None
    if dialect != "postgresql":
        raise CollectionError(
            f"cannot open the collection {shown}: flashcards keeps collections in SQLite "
            f"files or on a PostgreSQL server, not in {dialect}"
        )
    try:
        # A server can restart, and a laptop's connection drop: a pooled connection is tested
        # before use and replaced if the server went away (one round trip per checkout).
        return create_engine(
            url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}
        )
    except ModuleNotFoundError as exc:
        raise CollectionError(
            f"{shown} is a PostgreSQL server, whose driver comes with the `postgres` extra: "
            "install flashcards with it (`uv run --extra postgres flashcards`, or "
            "`pip install 'flashcards[postgres]'`)"
        ) from exc


def _without_password(message: str, url: str) -> str:
    """A driver's message on one line, with the URL's password taken out should it quote it."""
    message = " ".join(message.split())
    try:
        password = make_url(url).password
    except ArgumentError:
        return message
    return message.replace(str(password), "***") if password else message


def _refuse_newer(version: int) -> None:
    if version > SCHEMA_VERSION:
        raise CollectionError(
            f"this collection has schema version {version}, newer than this program "
            f"understands ({SCHEMA_VERSION}): upgrade flashcards"
        )


def _check_and_use_wal(engine: Engine) -> None:
    """Refuse a newer collection before anything is written to it; then switch to write-ahead
    logging (persistent in the file, and impossible inside a transaction)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        _refuse_newer(cursor.execute("PRAGMA user_version").fetchone()[0])
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()
    finally:
        raw.close()


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


MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _migration_files(dialect: str) -> dict[int, Path]:
    """The upgrades, by the version each one reaches. `migrations/NNNN_name.sql` is SQLite's:
    file N upgrades the schema from version N-1 to N. `migrations/postgresql/` holds
    PostgreSQL's: the same numbers from 9 on, and one file that builds version 8 whole (no
    collection could open on PostgreSQL before it). A shipped file never changes; a change to
    the tables is a new file in each folder (and the same change in `tables.py`, which a test
    compares with the migrated schema on both engines)."""
    folder = MIGRATIONS_DIR if dialect == "sqlite" else MIGRATIONS_DIR / dialect
    return {int(path.name[:4]): path for path in folder.glob("[0-9][0-9][0-9][0-9]_*.sql")}


# A line of its own in a migration file: the statements after it are optional, all or none. If
# the engine lacks something they need (SQLite: "no such module: fts5", "no such tokenizer:
# trigram"; PostgreSQL: the right to create an extension, or the extension), the section is
# undone and the upgrade goes on without it: what such a section builds must be something the
# program can do without (it checks for it before use).
SQLITE_OPTIONAL = optional_section("sqlite")


def _statements(script: str) -> list[str]:
    """The statements of a script, in order. A statement ends at a `;` that completes it, so a
    trigger's `BEGIN … END;` body stays in one piece."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        if not pending.strip() and line.lstrip().startswith("--"):
            continue
        pending += line
        if line.rstrip().endswith(";") and sqlite3.complete_statement(pending):
            statements.append(pending.strip().removesuffix(";").strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements


def _apply(conn: Connection, path: Path) -> None:
    marker = f"\n{optional_section(conn.dialect.name)}\n"
    script, _, optional = path.read_text(encoding="utf-8").partition(marker)
    for statement in _statements(script):
        conn.exec_driver_sql(statement)
    if not optional:
        return
    section = conn.begin_nested()
    try:
        for statement in _statements(optional):
            conn.exec_driver_sql(statement)
    except DBAPIError as exc:
        section.rollback()
        if not refused_optional(exc):
            raise
    else:
        section.commit()


def _migrate(conn: Connection, is_sqlite: bool) -> None:
    lock_schema(conn)
    version = _user_version(conn, is_sqlite)
    _refuse_newer(version)
    files = _migration_files(conn.dialect.name)
    for target in sorted(files):
        if version < target <= SCHEMA_VERSION:
            _apply(conn, files[target])
            _set_user_version(conn, is_sqlite, target)
            version = target
