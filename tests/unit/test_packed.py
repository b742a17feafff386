"""Rows fetched as one JSON array: the same values as the ordinary fetch, and the ordinary fetch
when SQLite has no JSON functions."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import bindparam, column, func, select, table
from sqlalchemy.exc import OperationalError

import flashcards.storage.packed as packed
from flashcards.storage.packed import PackedStatement, packed_column
from flashcards.storage.tables import CardRow

from ..conftest import basic_deck

cards = CardRow.__table__

TOPICS = '# Quotes "and" back\\slashes\n\nQ: q1?\nA: a\n\n# Ünïcödé, and 100%\n\nQ: q2?\nA: a\n'


def statement():
    return select(
        cards.c.id, cards.c.topic, cards.c.stability, cards.c.last_review, (cards.c.id * 0.1)
    ).order_by(cards.c.id)


def test_packed_statement_rows_equal_the_ordinary_fetch(make_workspace):
    workspace = make_workspace({"d.md": basic_deck(3), "t.md": TOPICS})
    with workspace.collection.read() as conn:
        conn.execute(cards.update().where(cards.c.id == 1).values(stability=2.5))
        ordinary = [list(row) for row in conn.execute(statement())]
        found = sorted(PackedStatement(statement()).rows(conn, {}))
    # Reals keep 15 significant digits: 0.30000000000000004 comes back as 0.3.
    assert [row[:4] for row in found] == [row[:4] for row in ordinary]
    assert [row[4] for row in found] == pytest.approx([row[4] for row in ordinary], rel=1e-14)
    assert {row[1] for row in found} >= {'Quotes "and" back\\slashes', "Ünïcödé, and 100%"}
    assert any(row[2] is None for row in found) and any(row[2] == 2.5 for row in found)


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


class NoJson:
    def __getattr__(self, name):
        return getattr(func, "flashcards_missing" if name.startswith("json") else name)


def test_a_column_without_json_comes_the_ordinary_way(make_workspace, monkeypatch):
    workspace = make_workspace({"d.md": basic_deck(12)})
    monkeypatch.setattr(packed, "func", NoJson())
    monkeypatch.setattr(packed, "_json", True)
    with workspace.collection.read() as conn:
        ordinary = [row[0] for row in conn.execute(_scrambled_order())]
        assert packed_column(conn, _scrambled_order()) == ordinary
        assert packed._json is False


def test_other_errors_are_not_taken_for_a_missing_json(make_workspace, monkeypatch):
    monkeypatch.setattr(packed, "_json", True)
    workspace = make_workspace({"d.md": basic_deck(1)})
    missing = select(column("x")).select_from(table("no_such_table"))
    with workspace.collection.read() as conn:
        with pytest.raises(OperationalError, match="no such table"):
            packed_column(conn, missing)
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            PackedStatement(missing).rows(conn, {})
    assert packed._json is True


def test_a_statement_built_once_takes_parameters_and_packs_its_rows(make_workspace):
    workspace = make_workspace({"d.md": basic_deck(5)})
    built = PackedStatement(statement().where(cards.c.id > bindparam("above")))
    with workspace.collection.read() as conn:
        assert sorted(row[0] for row in built.rows(conn, {"above": 2})) == [3, 4, 5]
        assert built.rows(conn, {"above": 5}) == []


def test_a_statement_built_once_without_json_gets_its_rows_the_ordinary_way(
    make_workspace, monkeypatch
):
    workspace = make_workspace({"d.md": basic_deck(3)})
    monkeypatch.setattr(packed, "func", NoJson())
    monkeypatch.setattr(packed, "_json", True)
    built = PackedStatement(statement())
    with workspace.collection.read() as conn:
        rows = built.rows(conn, {})
        assert packed._json is False  # learnt, not asked again
        assert [row[0] for row in rows] == [1, 2, 3]
        assert built.rows(conn, {}) == rows
