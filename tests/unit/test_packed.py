"""Rows fetched as one: the same values, through the same column types, as SQLAlchemy's own
fetch; on SQLite packed into one JSON array, the ordinary way on PostgreSQL and on a SQLite
without JSON functions."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import bindparam, column, func, select, table
from sqlalchemy.exc import DBAPIError

import flashcards.storage.packed as packed
from flashcards.storage import Collection
from flashcards.storage.packed import PackedStatement, packed_column, packs_rows
from flashcards.storage.tables import CardRow

from ..conftest import basic_deck

pytestmark = pytest.mark.engines

cards = CardRow.__table__

TOPICS = '# Quotes "and" back\\slashes\n\nQ: q1?\nA: a\n\n# Ünïcödé, and 100%\n\nQ: q2?\nA: a\n'


def statement():
    return select(
        cards.c.id,
        cards.c.topic,
        cards.c.stability,
        cards.c.due,
        cards.c.suspended,
        (cards.c.id * 0.1),
    ).order_by(cards.c.id)


def test_packed_rows_equal_the_ordinary_fetch_through_the_column_types(make_workspace, engine):
    workspace = make_workspace({"d.md": basic_deck(3), "t.md": TOPICS})
    with workspace.collection.write() as conn:
        first = conn.execute(select(func.min(cards.c.id))).scalar_one()
        conn.execute(cards.update().where(cards.c.id == first).values(stability=2.5))
    with workspace.collection.read() as conn:
        ordinary = [list(row) for row in conn.execute(statement())]
        found = sorted(PackedStatement(statement()).rows(conn, {}))
        assert packs_rows(conn) is (engine == "sqlite")
    # Reals keep 15 significant digits: 0.30000000000000004 comes back as 0.3.
    assert [row[:5] for row in found] == [row[:5] for row in ordinary]
    assert [float(row[5]) for row in found] == pytest.approx(
        [float(row[5]) for row in ordinary], rel=1e-14
    )
    assert {row[1] for row in found} >= {'Quotes "and" back\\slashes', "Ünïcödé, and 100%"}
    assert any(row[2] is None for row in found) and any(row[2] == 2.5 for row in found)
    # The datetime type is the one boundary: UTC instants, not the stored milliseconds.
    assert all(row[3].tzinfo is UTC for row in found)
    assert {type(row[4]) for row in found} == {bool}


def test_no_rows_is_an_empty_list(make_workspace):
    workspace = make_workspace({"d.md": basic_deck(2)})
    with workspace.collection.read() as conn:
        assert PackedStatement(statement().where(cards.c.id < 0)).rows(conn, {}) == []


def _scrambled_order():
    """Ids in an order that is neither theirs nor the table's: by a value that goes up and
    down with the id, ties broken by the id falling."""
    return select(cards.c.id).order_by((cards.c.id * 7) % 5, cards.c.id.desc())


def test_a_packed_column_keeps_the_statements_order(make_workspace):
    workspace = make_workspace({"d.md": basic_deck(40)})
    with workspace.collection.read() as conn:
        ordinary = [row[0] for row in conn.execute(_scrambled_order())]
        assert packed_column(conn, _scrambled_order()) == ordinary
        assert ordinary != sorted(ordinary) and len(ordinary) == 40
        assert packed_column(conn, _scrambled_order().where(cards.c.id < 0)) == []


def test_a_packed_column_of_datetimes_comes_through_the_column_type(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(3)})
    with workspace.collection.read() as conn:
        due = packed_column(conn, select(cards.c.due).order_by(cards.c.id))
    assert due == [clock.now()] * 3 and due[0].tzinfo is UTC


class NoJson:
    def __getattr__(self, name):
        return getattr(func, "flashcards_missing" if name.startswith("json") else name)


@pytest.mark.sqlite_only
def test_a_sqlite_without_json_gives_rows_the_ordinary_way(make_workspace, tmp_path, monkeypatch):
    workspace = make_workspace({"d.md": basic_deck(12)})
    built = PackedStatement(statement())
    # This engine's SQLite has no JSON functions:
    monkeypatch.setattr(packed, "_PROBE", "SELECT flashcards_missing(json_array(1))")
    monkeypatch.setattr(packed, "func", NoJson())
    with workspace.collection.read() as conn:
        ordinary = [row[0] for row in conn.execute(_scrambled_order())]
        assert packed_column(conn, _scrambled_order()) == ordinary
        assert packs_rows(conn) is False  # asked once, and remembered for this engine
        rows = built.rows(conn, {})
        assert [row[0] for row in rows] == sorted(ordinary)
        assert rows[0][3].tzinfo is UTC
    monkeypatch.undo()
    with workspace.collection.read() as conn:
        assert packs_rows(conn) is False
    other = Collection(str(tmp_path / "other.sqlite3"))  # another engine asks for itself
    try:
        with other.read() as conn:
            assert packs_rows(conn) is True
    finally:
        other.close()


def test_other_errors_are_not_taken_for_a_missing_json(make_workspace):
    workspace = make_workspace({"d.md": basic_deck(1)})
    missing = select(column("x")).select_from(table("no_such_table"))
    with workspace.collection.read() as conn, pytest.raises(DBAPIError):
        packed_column(conn, missing)
    with workspace.collection.read() as conn:
        with pytest.raises(Exception, match="no_such_table"):
            PackedStatement(missing).rows(conn, {})
        conn.rollback()
        assert packs_rows(conn) is (conn.dialect.name == "sqlite")


def test_a_statement_built_once_takes_parameters(make_workspace):
    workspace = make_workspace({"d.md": basic_deck(5)})
    built = PackedStatement(statement().where(cards.c.id > bindparam("above")))
    with workspace.collection.read() as conn:
        ids = sorted(conn.execute(select(cards.c.id)).scalars())
        assert sorted(row[0] for row in built.rows(conn, {"above": ids[1]})) == ids[2:]
        assert built.rows(conn, {"above": ids[-1]}) == []
