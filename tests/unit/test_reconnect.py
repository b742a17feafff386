"""A collection on a server outlives the server's restart: a lost connection is replaced, an
answer whose transaction the restart cut off is given once more, and when the server stays
away the person is told that the answer was not saved, never left to believe it was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

import flashcards.study.session as session_module
from flashcards.review_rules import Rating
from flashcards.storage import CollectionUnavailable
from flashcards.storage.tables import CardRow, ReviewRow
from flashcards.study.failures import explain_failure
from tests.postgres import Server

from ..conftest import basic_deck

cards = CardRow.__table__
reviews = ReviewRow.__table__


@pytest.fixture
def db_location(postgres_server: Server) -> Iterator[str]:
    """These tests are about a server: their collection is always on one, reached with a
    password (the test server trusts its local users, and ignores it)."""
    name = postgres_server.create()
    yield postgres_server.url(name).replace("://flashcards@", "://flashcards:s3cret@")
    postgres_server.drop(name)


def _answers(workspace) -> tuple[int, int]:
    """(review rows, the cards' answers counted in reps)."""
    with workspace.collection.read() as conn:
        logged = conn.execute(select(func.count()).select_from(reviews)).scalar_one()
        reps = conn.execute(select(func.sum(cards.c.reps))).scalar_one()
    return logged, int(reps)


def test_answers_go_on_after_the_server_restarts(make_workspace, postgres_server):
    workspace = make_workspace({"d.md": basic_deck(4)})
    session = workspace.review_session()
    session.next_card()
    assert session.answer(Rating.Good).saved
    postgres_server.restart()  # between two answers
    session.next_card()
    assert session.answer(Rating.Good).saved
    assert _answers(workspace) == (2, 2)


def test_an_answer_cut_off_by_a_restart_is_given_again_once(
    make_workspace, postgres_server, monkeypatch
):
    workspace = make_workspace({"d.md": basic_deck(4)})
    session = workspace.review_session()
    session.next_card()
    assert session.answer(Rating.Good).saved
    real = session_module.record_answer
    tries = []

    def restart_first(conn, *args):
        tries.append(conn)
        if len(tries) == 1:  # the transaction has begun on a live connection: cut it off
            postgres_server.restart()
        return real(conn, *args)

    monkeypatch.setattr(session_module, "record_answer", restart_first)
    card = session.next_card()
    assert session.answer(Rating.Easy).saved
    assert len(tries) == 2
    assert _answers(workspace) == (2, 2)  # counted once, not twice
    with workspace.collection.read() as conn:
        assert conn.execute(select(cards.c.reps).where(cards.c.id == card.id)).scalar() == 1


def test_a_server_that_stays_away_is_said_so_and_the_key_can_be_pressed_again(
    make_workspace, postgres_server
):
    workspace = make_workspace({"d.md": basic_deck(4)})
    session = workspace.review_session()
    card = session.next_card()
    postgres_server.pause()
    try:
        with pytest.raises(CollectionUnavailable) as raised:
            session.answer(Rating.Good)
    finally:
        postgres_server.resume()
    message = explain_failure(raised.value)
    assert message.startswith("the server at postgresql+psycopg://flashcards:***@/")
    assert "s3cret" not in message
    assert "is not answering: your answer was not saved" in message
    assert session.current == card  # still on screen: pressing the key again answers it
    assert session.answer(Rating.Good).saved
    assert _answers(workspace) == (1, 1)
