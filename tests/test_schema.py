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

from flashcards.storage import SCHEMA_VERSION, Collection, CollectionError
from flashcards.storage import database as database_module
from flashcards.storage.tables import CardRow, ExamRow, ReviewRow

FIXTURES = Path(__file__).parent / "fixtures"


def describe(path: Path) -> dict:
    """Tables -> (columns with type and nullability, index names)."""
    connection = sqlite3.connect(path)
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
        )
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
    assert describe(migrated) == describe(modelled)


def test_schema_version_counts_the_migration_files():
    assert len(database_module._migration_files()) == SCHEMA_VERSION


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
