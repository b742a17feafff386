"""The collection's schema: migrations match the models; every earlier version upgrades with
its data intact; a newer schema is refused; a failed upgrade changes nothing."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlmodel import SQLModel

from flashcards.search.index import (
    INDEXED,
    STALE,
    TAGS,
    TEXT,
    TOPIC,
    TextIndex,
    open_text_index,
    refresh,
)
from flashcards.storage import SCHEMA_VERSION, Collection, CollectionError
from flashcards.storage import database as database_module
from flashcards.storage.tables import CardRow, ExamRow, ReviewRow

from ..conftest import import_paths, write_deck

FIXTURES = Path(__file__).parents[1] / "fixtures"


# The search's trigram indexes (FTS5 tables, with the tables FTS5 makes for each) and their
# list of cards to index again: built by migration 4 on SQLite alone, used through SQL of
# their own (flashcards/search/index.py), and no part of the models.
SEARCH_TABLES = "card_search"


def describe(path: Path, *, search_tables: bool = True) -> dict:
    """Tables -> (columns with type and nullability, index names)."""
    connection = sqlite3.connect(path)
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
        )
        if search_tables or not name.startswith(SEARCH_TABLES)
    ]
    shape = {}
    for table in tables:
        columns = [
            (row[1], row[2].upper(), bool(row[3]))
            for row in connection.execute(f"PRAGMA table_info('{table}')")
        ]
        indexes = sorted(
            row[1]
            for row in connection.execute(f"PRAGMA index_list('{table}')")
            if not row[1].startswith("sqlite_autoindex")
        )
        shape[table] = (columns, indexes)
    connection.close()
    return shape


def test_migrations_build_exactly_the_models_tables(tmp_path):
    migrated = tmp_path / "migrated.sqlite3"
    Collection(str(migrated)).close()
    modelled = tmp_path / "modelled.sqlite3"
    engine = create_engine(f"sqlite:///{modelled}")
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    assert describe(migrated, search_tables=False) == describe(modelled)


def test_migrations_build_the_search_indexes_on_this_sqlite(tmp_path):
    collection = Collection(str(tmp_path / "new.sqlite3"))
    try:
        with collection.read() as conn:
            assert open_text_index(conn) == TextIndex(last_card_id=0, stale=False)
    finally:
        collection.close()


def write_migration(folder: Path, text: str) -> None:
    (folder / f"{SCHEMA_VERSION + 1:04d}_test.sql").write_text(text, encoding="utf-8")


@pytest.fixture
def extra_migration(tmp_path, monkeypatch):
    """A copy of the migrations, one more to be written into it, and a collection at today's
    version to upgrade with it."""
    path = tmp_path / "old.sqlite3"
    Collection(str(path)).close()
    migrations = tmp_path / "migrations"
    shutil.copytree(database_module.MIGRATIONS_DIR, migrations)
    monkeypatch.setattr(database_module, "MIGRATIONS_DIR", migrations)
    monkeypatch.setattr(database_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    return migrations, path


def tables_of(path: Path) -> set[str]:
    connection = sqlite3.connect(path)
    try:
        return {n for (n,) in connection.execute("SELECT name FROM sqlite_master")}
    finally:
        connection.close()


def test_an_optional_section_this_sqlite_cannot_run_is_skipped(extra_migration):
    migrations, path = extra_migration
    write_migration(
        migrations,
        "CREATE TABLE kept (id INTEGER);\n"
        f"{database_module.SQLITE_OPTIONAL}\n"
        "CREATE TABLE undone (id INTEGER);\n"
        "CREATE VIRTUAL TABLE missing USING no_such_module (a);\n",
    )
    Collection(str(path)).close()
    tables = tables_of(path)
    assert "kept" in tables
    assert not {"undone", "missing"} & tables


def test_an_optional_section_with_a_mistake_fails_the_upgrade(extra_migration):
    migrations, path = extra_migration
    write_migration(
        migrations,
        f"CREATE TABLE kept (id INTEGER);\n{database_module.SQLITE_OPTIONAL}\nCREATE TABLE (;\n",
    )
    with pytest.raises(CollectionError):
        Collection(str(path))
    assert "kept" not in tables_of(path)


def test_an_optional_section_runs_whole_with_its_triggers(extra_migration):
    migrations, path = extra_migration
    write_migration(
        migrations,
        f"{database_module.SQLITE_OPTIONAL}\n"
        "CREATE TABLE counted (n INTEGER);\n"
        "INSERT INTO counted VALUES (0);\n"
        "CREATE TRIGGER count_decks AFTER INSERT ON deck BEGIN\n"
        "\tUPDATE counted SET n = n + 1;\n"
        "END;\n",
    )
    Collection(str(path)).close()
    assert {"counted", "count_decks"} <= tables_of(path)


def test_schema_version_counts_the_migration_files():
    assert sorted(database_module._migration_files("sqlite")) == list(range(1, SCHEMA_VERSION + 1))


def test_postgresql_has_every_version_from_its_first():
    """PostgreSQL starts at version 8 whole; every later version is in both folders."""
    versions = sorted(database_module._migration_files("postgresql"))
    assert versions == list(range(8, SCHEMA_VERSION + 1))


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION + 1))
def test_every_earlier_version_upgrades_with_its_data(tmp_path, version):
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURES / f"schema-v{version}.sqlite3", path)
    collection = Collection(str(path))
    try:
        with collection.read() as conn:
            assert conn.exec_driver_sql("PRAGMA user_version").scalar() == SCHEMA_VERSION
            cards = conn.execute(select(CardRow.__table__).order_by(CardRow.__table__.c.id)).all()
            reviews = conn.execute(select(func.count()).select_from(ReviewRow.__table__)).scalar()
            exams = conn.execute(select(func.count()).select_from(ExamRow.__table__)).scalar()
        assert [c.front for c in cards] == [
            "What does NDCG discount by?",
            "MRR averages the **[…]**.",
        ]
        assert cards[0].stability == 12.5 and cards[0].due - cards[0].last_review == timedelta(
            days=12
        )
        assert reviews == 3
        assert exams == (1 if version >= 2 else 0)
    finally:
        collection.close()


def test_upgraded_collection_is_usable(tmp_path, clock):
    from zoneinfo import ZoneInfo

    from flashcards.config import Config
    from flashcards.study.exam import ExamSpec
    from flashcards.workspace import Workspace

    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURES / "schema-v1.sqlite3", path)
    workspace = Workspace(Collection(str(path)), Config(fuzz=False), clock, ZoneInfo("UTC"))
    try:
        session = workspace.review_session()
        assert session.next_card() is not None
        assert session.answer(3).saved
        exam, _ = workspace.new_exam(ExamSpec(count=2, seed=1))
        exam.answer_basic(0, 1.0)
        assert exam.finish().count == 2
    finally:
        workspace.close()


def test_a_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "future.sqlite3"
    shutil.copy(FIXTURES / f"schema-v{SCHEMA_VERSION}.sqlite3", path)
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with pytest.raises(CollectionError, match="newer than this program"):
        Collection(str(path))
    assert path.read_bytes() == before


def test_a_failed_upgrade_changes_nothing(tmp_path, monkeypatch):
    migrations = tmp_path / "migrations"
    shutil.copytree(database_module.MIGRATIONS_DIR, migrations)
    (migrations / f"{SCHEMA_VERSION + 1:04d}_broken.sql").write_text(
        "CREATE TABLE added (id INTEGER);\nALTER TABLE no_such_table ADD COLUMN x INTEGER;\n"
    )
    monkeypatch.setattr(database_module, "MIGRATIONS_DIR", migrations)
    monkeypatch.setattr(database_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURES / f"schema-v{SCHEMA_VERSION}.sqlite3", path)
    with pytest.raises(CollectionError):
        Collection(str(path))
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "added" not in tables
    connection.close()


def assert_search_indexes_in_step(path: Path) -> None:
    """Each search index holds exactly the terms, at the same places, that it would hold if
    it were built from the cards as they stand."""
    connection = sqlite3.connect(path)
    try:
        for index in (TEXT, TAGS, TOPIC):
            connection.execute(
                f"CREATE VIRTUAL TABLE temp.built USING fts5({index.columns}, content='',"
                " columnsize=0, tokenize='trigram')"
            )
            connection.execute(
                f"INSERT INTO temp.built (rowid, {index.columns}) "
                f"SELECT id, {index.values} FROM main.card"
            )
            connection.execute(
                f"CREATE VIRTUAL TABLE temp.held USING fts5vocab(main, {index.table}, instance)"
            )
            connection.execute(
                "CREATE VIRTUAL TABLE temp.wanted USING fts5vocab(temp, built, instance)"
            )
            terms = "SELECT doc, col, term, offset FROM temp.{} ORDER BY 1, 2, 3, 4"
            held = connection.execute(terms.format("held")).fetchall()
            wanted = connection.execute(terms.format("wanted")).fetchall()
            assert held == wanted, index.table
            for table in ("held", "wanted", "built"):
                connection.execute(f"DROP TABLE temp.{table}")
    finally:
        connection.close()


def not_indexed(collection: Collection) -> int:
    """Cards new since the indexes were last brought up to date, or written since."""
    with collection.read() as conn:
        return conn.exec_driver_sql(
            f"SELECT (SELECT count(*) FROM {STALE}) + (SELECT count(*) FROM card"
            f" WHERE id > (SELECT last_card_id FROM {INDEXED}))"
        ).scalar_one()


def catch_up(collection: Collection) -> None:
    with collection.write() as conn:
        refresh(conn)


SEARCHED = """---
title: Searched
tags: [deck-tag]
---
# Calibration

<!-- tags: probability, Ranking -->
Q: What does a reliability diagram plot?
A: Predicted probability against observed frequency.

Q: What is the Brier score?
A: The mean squared error of probabilities.

# Drift

Q: What is covariate shift?
A: The inputs change, the labels given the inputs do not.
"""


def test_the_search_indexes_stay_in_step_with_the_cards(tmp_path, clock):
    path = tmp_path / "collection.sqlite3"
    collection = Collection(str(path))
    try:
        deck = write_deck(tmp_path / "decks", "searched.md", SEARCHED)
        import_paths(collection, deck, now=clock.now())
        assert not_indexed(collection) == 3  # new cards: the importer does nothing more
        catch_up(collection)
        assert not_indexed(collection) == 0
        assert_search_indexes_in_step(path)

        # Edit: a changed answer, a topic renamed, tags changed, a card gone (retired), a new one.
        edited = (
            SEARCHED.replace("observed frequency", "the observed rate")
            .replace("# Drift", "# Dataset shift")
            .replace("probability, Ranking", "calibration")
            .replace(
                "Q: What is the Brier score?\nA: The mean squared error of probabilities.\n", ""
            )
            + "\nQ: What is label shift?\nA: The labels change, the inputs given them do not.\n"
        )
        write_deck(tmp_path / "decks", "searched.md", edited)
        report = import_paths(collection, deck, now=clock.now())
        assert (report.added, report.retired) == (1, 1)
        catch_up(collection)
        assert_search_indexes_in_step(path)

        # Any writer, in any order: edits of edits, an id changed, a card deleted.
        with collection.write() as conn:
            conn.exec_driver_sql("UPDATE card SET back = 'first' WHERE id = 1")
            conn.exec_driver_sql("UPDATE card SET back = 'second', tags = 'x y' WHERE id = 1")
            conn.exec_driver_sql("UPDATE card SET id = 100 WHERE id = 3")
            conn.exec_driver_sql("DELETE FROM card WHERE id = 2")
        catch_up(collection)
        assert_search_indexes_in_step(path)

        # New cards edited, or deleted, before they were indexed.
        newer = write_deck(
            tmp_path / "decks", "newer.md", "# New\n\nQ: A?\nA: 1.\n\nQ: B?\nA: 2.\n"
        )
        import_paths(collection, newer, now=clock.now())
        with collection.write() as conn:
            conn.exec_driver_sql("UPDATE card SET back = 'changed' WHERE front = 'A?'")
            conn.exec_driver_sql("DELETE FROM card WHERE front = 'B?'")
        catch_up(collection)
        assert_search_indexes_in_step(path)

        # The newest card deleted: SQLite gives its id to the next new card, before or after
        # the indexes took the deletion in.
        for catch_up_between in (False, True):
            with collection.write() as conn:
                newest = conn.exec_driver_sql("SELECT max(id) FROM card").scalar_one()
                conn.exec_driver_sql("DELETE FROM card WHERE id = ?", (newest,))
            if catch_up_between:
                catch_up(collection)
            deck = f"# Again\n\nQ: Again, {catch_up_between}?\nA: Yes.\n"
            import_paths(
                collection,
                write_deck(tmp_path / "decks", f"again-{catch_up_between}.md", deck),
                now=clock.now(),
            )
            with collection.read() as conn:
                assert conn.exec_driver_sql("SELECT max(id) FROM card").scalar_one() == newest
            catch_up(collection)
            assert_search_indexes_in_step(path)
        assert not_indexed(collection) == 0
    finally:
        collection.close()


def test_an_upgraded_collection_has_its_search_indexes_in_step(tmp_path):
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURES / "schema-v3.sqlite3", path)
    Collection(str(path)).close()  # migration 4 indexes the cards it finds
    assert_search_indexes_in_step(path)
    path = tmp_path / "indexed.sqlite3"
    shutil.copy(FIXTURES / "schema-v4.sqlite3", path)  # a card edited since it was indexed
    collection = Collection(str(path))
    try:
        assert not_indexed(collection) == 1
        catch_up(collection)
    finally:
        collection.close()
    assert_search_indexes_in_step(path)
