"""The browser's search on SQLite and on PostgreSQL side by side: the same collection gives the
same counts on both, in any case, beyond ASCII and with negation; the server's trigram indexes
answer a text or topic: term on a collection large enough for them; and a server that refuses
pg_trgm still searches, by reading the cards."""

from __future__ import annotations

import os
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from flashcards.config import Config
from flashcards.locations import builtin_decks_dir
from flashcards.search import parse, search
from flashcards.search.compile import search_statement
from flashcards.storage import Collection
from flashcards.workspace import Workspace

from ..conftest import NOW, basic_deck, import_paths, write_deck
from ..postgres import ROLE, Server
from .test_search import BEYOND_ASCII

# The trial's queries (../shared/reviews/postgres.md: PostgreSQL found 0 for deck:serv*, DRIFT
# and tag:Monitoring, and is:new -deck:mlops excluded nothing), their other cases, and negation.
BUILT_IN_QUERIES = [
    "deck:serv*",
    "deck:SERV*",
    "drift",
    "Drift",
    "DRIFT",
    "tag:monitoring",
    "tag:Monitoring",
    "topic:LATENCY",
    "is:new -deck:mlops",
    "is:new -deck:MLOps",
    "-drift",
    "-(tag:Monitoring or deck:serv*)",
    '"Feature Store"',
]
CASES = [
    ("deck:serv*", "deck:SERV*"),
    ("drift", "Drift", "DRIFT"),
    ("tag:monitoring", "tag:Monitoring"),
    ("is:new -deck:mlops", "is:new -deck:MLOps"),
]
BEYOND_QUERIES = [
    "\u00e9cole",
    "\u00c9COLE",
    "\u00c9cole",
    '"cold is 0 k"',
    '"cold is 0 \u212a"',
    "e\u017f\u017fay",
    "essay",
    "-\u00e9cole",
]


def workspace_on(location: str) -> Workspace:
    config = Config(fuzz=False, timezone="Europe/Berlin")
    from flashcards.clock import FixedClock

    return Workspace(Collection(location), config, FixedClock(NOW), ZoneInfo("Europe/Berlin"))


def counts(workspace: Workspace, queries: list[str]) -> dict[str, int]:
    day = workspace.today()
    return {q: len(search(workspace.collection, q, day, NOW)) for q in queries}


@pytest.fixture
def both(postgres_server: Server, tmp_path):
    """A workspace on a SQLite file and one on a new PostgreSQL database."""
    name = postgres_server.create()
    opened = [
        workspace_on(str(tmp_path / "collection.sqlite3")),
        workspace_on(postgres_server.url(name)),
    ]
    yield opened
    for workspace in opened:
        workspace.close()
    postgres_server.drop(name)


def test_both_engines_count_the_same(both, tmp_path):
    beyond = write_deck(tmp_path / "decks", "beyond.md", BEYOND_ASCII["beyond.md"])
    for workspace in both:
        import_paths(workspace.collection, builtin_decks_dir(), beyond)
    on_sqlite, on_postgresql = (counts(w, BUILT_IN_QUERIES + BEYOND_QUERIES) for w in both)
    assert on_postgresql == on_sqlite
    for same in CASES:
        assert len({on_sqlite[q] for q in same}) == 1, same
    # Each query finds something and leaves something out, so that agreeing means something.
    everything = len(search(both[0].collection, "", both[0].today(), NOW))
    for query in BUILT_IN_QUERIES:
        assert 0 < on_sqlite[query] < everything, query
    assert on_sqlite["\u00e9cole"] == on_sqlite["\u00c9COLE"] == 1  # É is not é
    # Nor KELVIN SIGN k, nor LONG S s (which lower() and pg_trgm would fold under C.UTF-8).
    assert on_sqlite['"cold is 0 k"'] == 0 and on_sqlite['"cold is 0 \u212a"'] == 1
    assert on_sqlite["essay"] == 0 and on_sqlite["e\u017f\u017fay"] == 1
    assert on_sqlite["-\u00e9cole"] == everything - 1


def plan(workspace: Workspace, query: str) -> str:
    with workspace.collection.read() as conn:
        statement = search_statement(conn, parse(query), workspace.today(), NOW)
        compiled = statement.compile(dialect=conn.dialect)
        rows = conn.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).all()
    return "\n".join(row[0] for row in rows)


def test_the_server_answers_text_from_its_trigram_indexes(postgres_server: Server, tmp_path):
    name = postgres_server.create()
    workspace = workspace_on(postgres_server.url(name))
    try:
        folder = tmp_path / "decks"
        paths = [
            write_deck(folder, f"{n:02}.md", basic_deck(300, title=f"Deck {n}", prefix=f"d{n}"))
            for n in range(10)
        ]
        rare = "<!-- tags: zebra -->\nQ: Which detector watches Zebra drift?\nA: A rare one.\n"
        paths.append(write_deck(folder, "rare.md", "# Zebra\n\n" + rare))
        import_paths(workspace.collection, *paths)
        # As autovacuum does soon after a large import. Until then a GIN index keeps the new
        # cards in its pending list, which the planner counts as a cost: it read the whole
        # table instead (45 ms, against 0.04 ms through the indexes, on 10,000 cards).
        import psycopg  # the `postgres` extra, which the server fixture has checked

        with psycopg.connect(
            host=str(postgres_server.root), dbname=name, user=ROLE, autocommit=True
        ) as admin:
            admin.execute("VACUUM ANALYZE card")
        assert "ix_card_front_trgm" in plan(workspace, "zebra")
        assert "ix_card_back_trgm" in plan(workspace, "zebra")
        assert "ix_card_topic_trgm" in plan(workspace, "topic:zebra")
        for query in ("ZEBRA", "tag:Zebra", "topic:zebra"):
            assert len(search(workspace.collection, query, workspace.today(), NOW)) == 1
    finally:
        workspace.close()
        postgres_server.drop(name)


def test_a_server_that_refuses_pg_trgm_still_searches(postgres_server: Server, tmp_path):
    """A role that owns no database and may not create in it: PostgreSQL refuses it the
    extension, and the collection is made without the trigram indexes."""
    role = f"plain_{os.getpid()}"
    name = f"plain_{os.getpid()}"
    postgres_server.admin(f"CREATE ROLE {role} LOGIN")
    postgres_server.admin(f"CREATE DATABASE {name}")
    import psycopg  # the `postgres` extra, which the server fixture has checked

    with psycopg.connect(
        host=str(postgres_server.root), dbname=name, user=ROLE, autocommit=True
    ) as admin:
        admin.execute(f"GRANT USAGE, CREATE ON SCHEMA public TO {role}")
    url = f"postgresql+psycopg://{role}@/{name}?host={postgres_server.root}"
    workspace = workspace_on(url)
    try:
        deck = basic_deck(5, prefix="Drift")
        import_paths(workspace.collection, write_deck(tmp_path / "decks", "d.md", deck))
        with workspace.collection.read() as conn:
            indexes = conn.execute(text("SELECT indexname FROM pg_indexes")).scalars().all()
            assert not [name for name in indexes if name.endswith("_trgm")]
            extensions = conn.execute(text("SELECT extname FROM pg_extension")).scalars().all()
            assert "pg_trgm" not in extensions
        assert len(search(workspace.collection, "DRIFT question", workspace.today(), NOW)) == 5
        assert len(search(workspace.collection, "tag:x or drift", workspace.today(), NOW)) == 5
    finally:
        workspace.close()
        postgres_server.drop(name)
        postgres_server.admin(f"DROP ROLE {role}")
