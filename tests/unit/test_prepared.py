"""The review loop's prepared statements: on SQLite they run straight on the driver and give
exactly what SQLAlchemy's own execution gives (same values, same types); on PostgreSQL they are
SQLAlchemy's own execution. Either way they run inside the collection's transactions."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.exc import StatementError

from flashcards.review_rules import CardState
from flashcards.scheduling.queue import due_learning
from flashcards.storage.cards import fetch_card, fetch_cards
from flashcards.storage.prepared import Prepared
from flashcards.storage.records import CardRecord, card_columns
from flashcards.storage.tables import CardRow, DeckRow

pytestmark = pytest.mark.engines

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
decks = DeckRow.__table__


def _ids(collection) -> list[int]:
    with collection.read() as conn:
        return [row[0] for row in conn.execute(select(cards.c.id).order_by(cards.c.id))]


def test_a_prepared_fetch_equals_sqlalchemys_own(make_workspace):
    workspace = make_workspace(DECK)
    collection = workspace.collection
    ids = _ids(collection)
    with collection.read() as conn:
        prepared = fetch_cards(conn, ids)
        one = fetch_card(conn, ids[1])
        missing = fetch_card(conn, 10_000)
    with collection.engine.connect() as conn:  # SQLAlchemy's own execution, on a new connection
        statement = select(*card_columns()).join(decks, decks.c.id == cards.c.deck_id)
        ordinary = {row[0]: CardRecord.from_row(row) for row in conn.execute(statement)}
    assert prepared == ordinary and len(prepared) == 3
    assert one == ordinary[ids[1]]
    assert missing is None
    record = prepared[ids[0]]
    assert record.due.tzinfo is UTC  # the column type's conversion ran
    assert record.retired is False and type(record.suspended) is bool


@pytest.mark.parametrize("count", [0, 1, 2, 3])
def test_in_lists_of_any_length(make_workspace, count):
    workspace = make_workspace(DECK)
    ids = _ids(workspace.collection)
    statement = Prepared(
        select(cards.c.id)
        .where(cards.c.id.in_(bindparam("ids", expanding=True)))
        .where(cards.c.state.in_((0, 1)))
        .order_by(cards.c.id)
    )
    wanted = ids[:count]
    with workspace.collection.read() as conn:
        found = [row[0] for row in statement.run(conn, {"ids": wanted}).rows]
        # the same statement again with another length: the SQL text is kept per length
        again = [row[0] for row in statement.run(conn, {"ids": [ids[2], ids[0]]}).rows]
        ordinary = [row[0] for row in conn.execute(statement.statement, {"ids": wanted})]
    assert found == ordinary == wanted
    assert again == [ids[0], ids[2]]


def test_datetime_parameters_convert_at_the_one_boundary(make_workspace, clock):
    workspace = make_workspace(DECK)
    first, second, _third = _ids(workspace.collection)
    soon = clock.now() + timedelta(minutes=5)
    with workspace.collection.write() as conn:
        conn.execute(
            cards.update().where(cards.c.id == second).values(state=CardState.LEARNING, due=soon)
        )
    deck = fetch_card_deck(workspace, second)
    with workspace.collection.read() as conn:
        assert due_learning(conn, clock.now(), None) is None
        assert due_learning(conn, clock.now(), None, timedelta(minutes=10)) == second
        assert due_learning(conn, clock.now(), [deck], timedelta(minutes=10)) == second
        assert due_learning(conn, clock.now(), [deck + 99], timedelta(minutes=10)) is None
        with pytest.raises((ValueError, StatementError), match="naive"):
            due_learning(conn, datetime(2026, 1, 5, 9), None)
    assert first != second


def fetch_card_deck(workspace, card_id: int) -> int:
    with workspace.collection.read() as conn:
        record = fetch_card(conn, card_id)
    assert record is not None
    return record.deck_id


def test_a_write_that_fails_leaves_nothing(make_workspace):
    workspace = make_workspace(DECK)
    collection = workspace.collection
    first, second, third = _ids(collection)
    update = Prepared(cards.update().where(cards.c.id == bindparam("card")), columns=("lapses",))
    with pytest.raises(RuntimeError), collection.write() as conn:
        assert update.run(conn, {"card": first, "lapses": 7}).rowcount == 1
        raise RuntimeError("interrupted")
    with collection.write() as conn:
        update.run(conn, {"card": second, "lapses": 5})
    with collection.engine.connect() as conn:  # seen from another connection: committed
        lapses = dict(conn.execute(select(cards.c.id, cards.c.lapses)).all())
    assert lapses == {first: 0, second: 5, third: 0}


def test_reads_and_writes_nest_and_run_on_two_threads_at_once(make_workspace):
    """The connection SQLite keeps for the review loop is one; whoever finds it taken (a read
    inside a read, another thread) is given another, and sees committed writes."""
    workspace = make_workspace(DECK)
    collection = workspace.collection
    first = _ids(collection)[0]
    update = Prepared(cards.update().where(cards.c.id == bindparam("card")), columns=("lapses",))
    read_lapses = Prepared(select(cards.c.lapses).where(cards.c.id == bindparam("card")))
    inside = threading.Event()
    done = threading.Event()
    seen: list[int] = []

    def other_thread() -> None:
        inside.wait(10)
        with collection.write() as conn:
            update.run(conn, {"card": first, "lapses": 2})
        with collection.read() as conn:
            seen.append(read_lapses.run(conn, {"card": first}).scalar())
        done.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    with collection.read() as outer:
        inside.set()
        assert done.wait(10)  # the other thread was not kept waiting for this read
        with collection.read() as inner:
            assert inner is not outer
            assert read_lapses.run(inner, {"card": first}).scalar() == 2
        assert read_lapses.run(outer, {"card": first}).scalar() == 2
    thread.join()
    assert seen == [2]


@pytest.mark.sqlite_only
def test_a_write_waits_for_another_program_then_commits(make_workspace, db_location):
    workspace = make_workspace(DECK)
    first = _ids(workspace.collection)[0]
    update = Prepared(cards.update().where(cards.c.id == first), columns=("lapses",))
    other = sqlite3.connect(db_location, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    released = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    released.start()
    try:
        with workspace.collection.write() as conn:
            update.run(conn, {"lapses": 3})
    finally:
        released.join()
        other.close()
    with workspace.collection.read() as conn:
        assert conn.execute(select(cards.c.lapses).where(cards.c.id == first)).scalar() == 3


def test_ordinary_and_prepared_statements_share_a_writes_transaction(make_workspace):
    workspace = make_workspace(DECK)
    collection = workspace.collection
    first, second, _third = _ids(collection)
    update = Prepared(cards.update().where(cards.c.id == bindparam("card")), columns=("lapses",))

    def both(conn, lapses: int) -> None:
        update.run(conn, {"card": first, "lapses": lapses})
        conn.execute(cards.update().where(cards.c.id == second).values(lapses=lapses))

    with pytest.raises(RuntimeError), collection.write() as conn:
        both(conn, 4)
        raise RuntimeError("interrupted")
    with collection.engine.connect() as conn:
        assert set(conn.execute(select(cards.c.lapses)).scalars()) == {0}
    with collection.write() as conn:
        both(conn, 6)
    with collection.engine.connect() as conn:
        lapses = dict(conn.execute(select(cards.c.id, cards.c.lapses)).all())
    assert lapses[first] == lapses[second] == 6
