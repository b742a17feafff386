"""The review loop's prepared statements: on the driver's connection they give exactly what the
ordinary SQLAlchemy execution gives (same values, same types), and driver transactions commit
or roll back whole."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from flashcards.review_rules import CardState
from flashcards.scheduling.queue import due_learning
from flashcards.storage.cards import fetch_card, fetch_cards
from flashcards.storage.prepared import DriverConnection, Prepared, run
from flashcards.storage.tables import CardRow

DECK = {
    "ranking.md": """
    # Ranking

    Q: What does NDCG discount gains by?
    A: The log of the rank: log2(rank + 1).

    Q: What does MRR average?
    A: The reciprocal rank of the first relevant item.

    Q: Which metric counts relevant items in the top k?
    A: Recall@k.
    """
}

cards = CardRow.__table__


def test_a_driver_fetch_equals_the_ordinary_fetch(make_workspace):
    workspace = make_workspace(DECK)
    collection = workspace.collection
    with collection.read() as conn:
        ids = [row[0] for row in conn.execute(select(cards.c.id).order_by(cards.c.id))]
        ordinary = fetch_cards(conn, ids)
    with collection.driver_read() as driver:
        by_driver = fetch_cards(driver, ids)
        one = fetch_card(driver, ids[1])
        missing = fetch_card(driver, 10_000)
    assert by_driver == ordinary
    assert one == ordinary[ids[1]]
    assert missing is None
    record = by_driver[ids[0]]
    assert record.due.tzinfo is UTC  # the column type's conversion ran
    assert record.retired is False and type(record.suspended) is bool


@pytest.mark.parametrize("count", [0, 1, 2, 3])
def test_in_lists_of_any_length(make_workspace, count):
    workspace = make_workspace(DECK)
    statement = Prepared(
        select(cards.c.id)
        .where(cards.c.id.in_(bindparam("ids", expanding=True)))
        .where(cards.c.state.in_((0, 1)))
        .order_by(cards.c.id)
    )
    wanted = [1, 2, 3][:count]
    with workspace.collection.driver_read() as driver:
        by_driver = [row[0] for row in run(driver, statement, {"ids": wanted}).rows]
        # the same statement again with another length: the SQL text is kept per length
        again = [row[0] for row in run(driver, statement, {"ids": [3, 1]}).rows]
    with workspace.collection.read() as conn:
        ordinary = [row[0] for row in run(conn, statement, {"ids": wanted}).rows]
    assert by_driver == ordinary == wanted
    assert again == [1, 3]


@pytest.mark.parametrize("paramstyle", ["qmark", "named"])
def test_positional_and_named_parameter_styles_give_the_same(make_workspace, tmp_path, paramstyle):
    """SQLite's driver takes both styles, so both code paths run for real here (other
    databases' drivers use the named or the format style)."""
    workspace = make_workspace(DECK)
    with workspace.collection.read() as conn:
        ordinary = fetch_cards(conn, [1, 2, 3])
    raw = sqlite3.connect(tmp_path / "collection.sqlite3")
    try:
        driver = DriverConnection(raw, SQLiteDialect_pysqlite(paramstyle=paramstyle))
        assert fetch_cards(driver, [1, 2, 3]) == ordinary  # an IN list, with conversions
        assert fetch_cards(driver, []) == {}
        assert fetch_card(driver, 2) == ordinary[2]
        assert due_learning(driver, ordinary[1].due, [1, 2]) is None  # none is learning
    finally:
        raw.close()


def test_datetime_parameters_convert_at_the_one_boundary(make_workspace, clock):
    workspace = make_workspace(DECK)
    soon = clock.now() + timedelta(minutes=5)
    with workspace.collection.write() as conn:
        conn.execute(
            cards.update().where(cards.c.id == 2).values(state=CardState.LEARNING, due=soon)
        )
    with workspace.collection.driver_read() as driver:
        assert due_learning(driver, clock.now(), None) is None
        assert due_learning(driver, clock.now(), None, timedelta(minutes=10)) == 2
        assert due_learning(driver, clock.now(), [1], timedelta(minutes=10)) == 2  # its deck
        assert due_learning(driver, clock.now(), [99], timedelta(minutes=10)) is None
        with pytest.raises(ValueError, match="naive"):
            due_learning(driver, datetime(2026, 1, 5, 9), None)


def test_a_driver_write_that_fails_leaves_nothing(make_workspace, clock):
    workspace = make_workspace(DECK)
    collection = workspace.collection
    update = Prepared(cards.update().where(cards.c.id == bindparam("card")), columns=("lapses",))
    with pytest.raises(RuntimeError), collection.driver_write() as driver:
        assert run(driver, update, {"card": 1, "lapses": 7}).rowcount == 1
        raise RuntimeError("interrupted")
    with collection.driver_write() as driver:
        run(driver, update, {"card": 2, "lapses": 5})
    with collection.read() as conn:
        lapses = dict(conn.execute(select(cards.c.id, cards.c.lapses)).all())
    assert lapses == {1: 0, 2: 5, 3: 0}


def test_a_driver_write_waits_for_another_program_then_commits(make_workspace, tmp_path):
    workspace = make_workspace(DECK)
    update = Prepared(cards.update().where(cards.c.id == 1), columns=("lapses",))
    other = sqlite3.connect(
        tmp_path / "collection.sqlite3", isolation_level=None, check_same_thread=False
    )
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    released = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    released.start()
    try:
        with workspace.collection.driver_write() as driver:
            run(driver, update, {"lapses": 3})
    finally:
        released.join()
        other.close()
    with workspace.collection.read() as conn:
        assert conn.execute(select(cards.c.lapses).where(cards.c.id == 1)).scalar() == 3
