"""A collection on a PostgreSQL server: its schema matches the models, two programs opening a new
database at once upgrade it once, and no message ever shows the URL's password."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from flashcards.storage import SCHEMA_VERSION, Collection, CollectionError
from flashcards.storage.database import database_url, shown_location


def describe(url: str) -> dict:
    """Tables -> (columns with type, nullability and whether numbered by the server; indexes
    with their columns and predicate)."""
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        shape = {}
        for table in sorted(inspector.get_table_names()):
            columns = [
                (c["name"], str(c["type"]), c["nullable"], bool(c.get("identity")) or
                 "nextval" in str(c.get("default") or ""))
                for c in inspector.get_columns(table)
            ]  # fmt: skip
            indexes = sorted(
                (i["name"], tuple(i["column_names"]), i.get("dialect_options", {}).get(
                    "postgresql_where"))
                for i in inspector.get_indexes(table)
            )  # fmt: skip
            shape[table] = (columns, indexes)
        return shape
    finally:
        engine.dispose()


def test_migrations_build_exactly_the_models_tables_on_postgresql(postgres_server):
    migrated = postgres_server.create()
    modelled = postgres_server.create(empty=True)
    engine = create_engine(postgres_server.url(modelled))
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    try:
        ours, theirs = (
            describe(postgres_server.url(migrated)),
            describe(postgres_server.url(modelled)),
        )
        assert ours.keys() == theirs.keys()
        partial = {}
        for table in ours:
            columns, indexes = ours[table]
            # The search's trigram indexes come from the migration's optional section, as
            # SQLite's FTS tables do, and are no part of the models (test_search_engines.py).
            indexes = [i for i in indexes if not i[0].endswith("_trgm")]
            partial |= {name: where for name, _, where in indexes if where}
            # The models leave PostgreSQL's predicates out (see tables.py): compared below.
            assert (columns, [i[:2] for i in indexes]) == (
                theirs[table][0],
                [i[:2] for i in theirs[table][1]],
            ), table
        # The two partial indexes hold the same rows as SQLite's (leeches, buried cards).
        assert partial == {"ix_card_buried": "(buried_until IS NOT NULL)", "ix_card_leech": "leech"}
    finally:
        postgres_server.drop(migrated)
        postgres_server.drop(modelled)


def test_two_programs_opening_a_new_database_upgrade_it_once(postgres_server):
    name = f"empty_{threading.get_ident()}"
    postgres_server.admin(f"CREATE DATABASE {name}")
    url = postgres_server.url(name)
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def open_it() -> None:
        start.wait()
        try:
            Collection(url).close()
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        engine = create_engine(url)
        with engine.connect() as conn:
            version = (
                conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'"))
                .scalars()
                .all()
            )
        engine.dispose()
        assert version == [str(SCHEMA_VERSION)]
    finally:
        postgres_server.drop(name)


def test_a_url_without_a_driver_gets_the_postgres_extras_driver():
    assert database_url("postgresql://me@db/cards") == "postgresql+psycopg://me@db/cards"
    assert database_url("postgres://me@db/cards") == "postgresql+psycopg://me@db/cards"
    assert database_url("sqlite:///x.sqlite3") == "sqlite:///x.sqlite3"


def test_the_password_is_masked_wherever_the_location_is_shown():
    shown = shown_location("postgresql://fc:s3cret-pw@db.example:5432/cards")
    assert "s3cret-pw" not in shown
    assert shown == "postgresql://fc:***@db.example:5432/cards"


def test_a_server_that_cannot_be_reached_is_reported_without_the_password():
    pytest.importorskip("psycopg", reason="the `postgres` extra (psycopg) is not installed")
    # Port 1 on the loopback address: nothing listens there, so the connection is refused.
    with pytest.raises(CollectionError) as caught:
        Collection("postgresql://fc:s3cret-pw@127.0.0.1:1/cards")
    message = str(caught.value)
    assert "s3cret-pw" not in message
    assert message.startswith("cannot open the collection postgresql://fc:***@127.0.0.1:1/cards: ")
    assert "Connection refused" in message


def test_a_database_flashcards_does_not_keep_collections_in_is_refused_by_name():
    with pytest.raises(CollectionError, match="SQLite files or on a PostgreSQL server"):
        Collection("mysql://fc:s3cret-pw@127.0.0.1/cards")


@pytest.mark.parametrize(
    ("driver_says", "person_reads"),
    [
        ("consuming input failed: server closed the connection unexpectedly", "not answering"),
        ("the connection is lost", "not answering"),
        ("terminating connection due to administrator command", "not answering"),
        ("deadlock detected", "at the same moment"),
    ],
)
def test_a_server_failure_reads_as_a_sentence(driver_says, person_reads):
    from flashcards.storage.errors import describe_failure

    meaning = describe_failure(RuntimeError(driver_says))
    assert meaning is not None and person_reads in meaning
    assert "nothing was written" in meaning
