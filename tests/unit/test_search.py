"""The browser's search language over a small hand-made collection: what each query matches,
on SQLite and on PostgreSQL, with and without their text indexes; that values reach SQL only as
bound parameters; and the errors with their positions."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from flashcards.search import SearchError, compile_query, parse, search
from flashcards.search import compile as compile_module
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
from flashcards.search.recall import retrievability
from flashcards.storage import Collection
from flashcards.storage.tables import CardRow

from ..conftest import NOW

pytestmark = pytest.mark.engines

DECKS = {
    "01-offline.md": """
---
title: Offline metrics
tags: [metrics]
---
# Ranking

Q: What does NDCG discount by?
A: The log of the rank.

Q: What is 50% recall?
A: Half of the positives are found.

Q: Name a snake_case metric?
A: log_loss is one.

<!-- tags: ranking, IR -->
Q: What is MRR?
A: Mean reciprocal rank.
""",
    "02-online.md": """
---
title: Online metrics
---
# Experiments
## Power

Q: What does an A/B test compare?
A: Two variants.

# Guardrails

Q: What is a guardrail metric?
A: A metric that must not get worse.
""",
    "03-serving.md": """
---
title: Serving
tags: infra
---
# Latency

Q: What is p99 latency?
A: The 99th percentile.

# Safety

Q: Why escape 'O'Reilly' in SQL?
A: The apostrophe ends a string.
""",
}

FRONTS = {
    "ndcg": "What does NDCG discount by?",
    "recall": "What is 50% recall?",
    "snake": "Name a snake_case metric?",
    "mrr": "What is MRR?",
    "ab": "What does an A/B test compare?",
    "guard": "What is a guardrail metric?",
    "p99": "What is p99 latency?",
    "quote": "Why escape 'O'Reilly' in SQL?",
}
ALL = set(FRONTS)
DAY = timedelta(days=1)

# How the hand-made collection stands at NOW (Monday 09:00 in Berlin; the study day ends on
# Tuesday 04:00). Retrievability with the default parameters: ndcg 0.71, snake 0.87,
# p99 0.96, mrr 0.99, ab 1.0; the new cards have none.
STATES = {
    "ndcg": dict(state=2, stability=5.0, difficulty=5.0, last_review=NOW - 40 * DAY,
                 due=NOW - 10 * DAY, reps=8, lapses=4),
    "mrr": dict(state=2, stability=100.0, difficulty=3.0, last_review=NOW - 2 * DAY,
                due=NOW + 98 * DAY, reps=3),
    "recall": dict(suspended=True),
    "snake": dict(state=2, stability=2.0, difficulty=9.0, last_review=NOW - 3 * DAY,
                  due=NOW - DAY, reps=12, lapses=9, leech=True, suspended=True),
    "ab": dict(state=1, step=1, stability=1.0, difficulty=5.0, last_review=NOW,
               due=NOW + timedelta(minutes=10), reps=1),
    "guard": dict(buried_until=NOW + DAY),
    "p99": dict(state=3, step=0, stability=3.0, difficulty=6.0, last_review=NOW - DAY,
                due=NOW + 2 * DAY, reps=5, lapses=1),
}  # fmt: skip


@pytest.fixture
def workspace(make_workspace):
    workspace = make_workspace(DECKS)
    cards = CardRow.__table__
    with workspace.collection.write() as conn:
        for name, values in STATES.items():
            conn.execute(update(cards).where(cards.c.front == FRONTS[name]).values(**values))
    return workspace


def found(workspace, query: str) -> list[str]:
    names = {front: name for name, front in FRONTS.items()}
    ids = search(workspace.collection, query, workspace.today(), NOW)
    cards = CardRow.__table__
    with workspace.collection.read() as conn:
        fronts = dict(conn.execute(select(cards.c.id, cards.c.front)).all())
    return [names[fronts[card_id]] for card_id in ids]


TABLE = [
    # text: case-insensitive substring of the front or the back
    ("", ALL),
    ("NDCG", {"ndcg"}),
    ("rank", {"ndcg", "mrr"}),
    ("what is", {"recall", "mrr", "guard", "p99", "ndcg"}),  # "discount" holds "is"
    ('"what is"', {"recall", "mrr", "guard", "p99"}),
    ('"log of the"', {"ndcg"}),
    ("a/b", {"ab"}),
    ("%", {"recall"}),  # LIKE's wildcards match literally
    ("50%", {"recall"}),
    ("_", {"snake"}),
    ("log_loss", {"snake"}),
    ("\\", set()),
    ("O'Reilly", {"quote"}),
    ("nothing-like-this", set()),
    ("rank discount", {"ndcg"}),
    ("rank or snake", {"ndcg", "mrr", "snake"}),
    ("rank -mean", {"ndcg"}),
    # deck: the whole name, any case, * for any characters
    ("deck:serving", {"p99", "quote"}),
    ("deck:SERVING", {"p99", "quote"}),
    ("deck:serv", set()),
    ("deck:serv*", {"p99", "quote"}),
    ("deck:offline*", {"ndcg", "recall", "snake", "mrr"}),
    ("deck:*metrics", {"ndcg", "recall", "snake", "mrr", "ab", "guard"}),
    ('deck:"online metrics"', {"ab", "guard"}),
    ("deck:online_metrics", set()),  # _ is not a wildcard
    # tag: a whole word of the card's or the deck's tags, any case
    ("tag:metrics", {"ndcg", "recall", "snake", "mrr"}),
    ("tag:ranking", {"mrr"}),
    ("tag:ir", {"mrr"}),
    ("tag:rank", set()),
    ("tag:INFRA", {"p99", "quote"}),
    ("tag:%", set()),
    # topic: part of the headings above the card
    ("topic:latency", {"p99"}),
    ("topic:power", {"ab"}),
    ("topic:experiments", {"ab"}),
    ("topic:guard", {"guard"}),
    ("topic:ranking tag:ranking", {"mrr"}),
    ("topic:ranking -tag:ranking", {"ndcg", "recall", "snake"}),
    ("tag:ir or topic:latency", {"mrr", "p99"}),
    # is:
    ("is:new", {"recall", "guard", "quote"}),
    ("is:learning", {"ab", "p99"}),
    ("is:review", {"ndcg", "mrr", "snake"}),
    ("is:due", {"ndcg", "snake", "ab"}),
    ("is:suspended", {"recall", "snake"}),
    ("is:leech", {"snake"}),
    ("is:buried", {"guard"}),
    ("IS:New", {"recall", "guard", "quote"}),
    # retrievability (never-reviewed cards never match) and counts
    ("r<0.8", {"ndcg"}),
    ("r<0.9", {"ndcg", "snake"}),
    ("r<90%", {"ndcg", "snake"}),
    ("r<=0.9", {"ndcg", "snake"}),
    ("r>0.9", {"mrr", "p99", "ab"}),
    ("r>=0.97", {"mrr", "ab"}),
    ("r>=1", {"ab"}),
    ("r<0", set()),
    ("r>0", {"ndcg", "mrr", "snake", "ab", "p99"}),
    ("-r<0.9", {"mrr", "p99", "ab", "recall", "guard", "quote"}),
    ("lapses>3", {"ndcg", "snake"}),
    ("lapses>=4", {"ndcg", "snake"}),
    ("lapses=1", {"p99"}),
    ("lapses:1", {"p99"}),
    ("lapses<1", {"mrr", "ab", "recall", "guard", "quote"}),
    ("reps>5", {"ndcg", "snake"}),
    ("reps<=1", {"ab", "recall", "guard", "quote"}),
    # combinations: spaces are AND, `or` binds looser, `-` negates, parentheses group
    ("tag:metrics -is:suspended", {"ndcg", "mrr"}),
    ("tag:metrics and -is:suspended", {"ndcg", "mrr"}),
    ("deck:serving or is:leech", {"p99", "quote", "snake"}),
    ("is:new or is:learning is:due", {"recall", "guard", "quote", "ab"}),
    ("(is:new or is:learning) is:due", {"ab"}),
    ("(is:new OR is:learning) -is:buried", {"recall", "quote", "ab", "p99"}),
    ("-(deck:offline* or deck:serving)", {"ab", "guard"}),
    ("--is:new", {"recall", "guard", "quote"}),
    ("is:review (r<0.8 or lapses>5)", {"ndcg", "snake"}),
    ("((metric))", {"snake", "guard"}),
    ('"or"', {"guard"}),  # quoted: text ("worse"), not the keyword
    # injection attempts: values stay values
    ('deck:"x\' OR 1=1 --"', set()),
    ("tag:\"x' OR '1'='1\"", set()),
    ('"\'; DROP TABLE card; --"', set()),
    ('"%" or "_"', {"recall", "snake"}),
]


# How text, tag: and topic: terms are answered: through the trigram indexes (SQLite's FTS5,
# PostgreSQL's pg_trgm); by reading every card, as where SQLite has no FTS5 or the server no
# pg_trgm; and, on SQLite, through the indexes with half the cards not indexed yet (one of
# those indexed with an older back, which must not be found any more), as after a write the
# search could not catch up with (the server keeps its indexes up to date itself).
MODES = ("indexed", "unindexed")
GIN_INDEXES = ("ix_card_front_trgm", "ix_card_back_trgm", "ix_card_topic_trgm")


def gin_indexes(workspace) -> set[str]:
    with workspace.collection.read() as conn:
        found = conn.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE tablename = 'card'")
        return set(found.scalars()) & set(GIN_INDEXES)


def prepare(workspace, mode: str, monkeypatch) -> None:
    collection = workspace.collection
    with collection.read() as conn:
        on_sqlite = conn.dialect.name == "sqlite"
    if not on_sqlite:
        assert gin_indexes(workspace) == set(GIN_INDEXES)
        if mode == "unindexed":
            with collection.write() as conn:
                for name in GIN_INDEXES:
                    conn.exec_driver_sql(f"DROP INDEX {name}")
            assert gin_indexes(workspace) == set()
        return
    if mode == "unindexed":
        with collection.write() as conn:
            for trigger in ("update", "delete"):
                conn.exec_driver_sql(f"DROP TRIGGER card_search_{trigger}")
            for name in (TEXT.table, TAGS.table, TOPIC.table, STALE, INDEXED):
                conn.exec_driver_sql(f"DROP TABLE {name}")
        with collection.read() as conn:
            assert open_text_index(conn) is None
    elif mode == "stale":
        monkeypatch.setattr(compile_module, "update_text_index", lambda collection: None)
        cards = CardRow.__table__
        with collection.write() as conn:
            ids = sorted(conn.execute(select(cards.c.id)).scalars())
            first = ids[0]
            back = conn.execute(select(cards.c.back).where(cards.c.id == first)).scalar_one()
            conn.execute(update(cards).where(cards.c.id == first).values(back="an older qqq"))
            refresh(conn, limit=len(ids) // 2)
            conn.execute(update(cards).where(cards.c.id == first).values(back=back))
        with collection.read() as conn:
            half = ids[len(ids) // 2 - 1]
            assert open_text_index(conn) == TextIndex(last_card_id=half, stale=True)


TABLE_IDS = [q or "(empty)" for q, _ in TABLE]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("query", "expected"), TABLE, ids=TABLE_IDS)
def test_query_matches(workspace, query, expected, mode, monkeypatch):
    prepare(workspace, mode, monkeypatch)
    assert set(found(workspace, query)) == expected


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("query", "expected"), TABLE, ids=TABLE_IDS)
def test_query_matches_through_stale_indexes(workspace, query, expected, monkeypatch):
    prepare(workspace, "stale", monkeypatch)
    assert set(found(workspace, query)) == expected


@pytest.mark.sqlite_only
def test_a_card_edited_since_it_was_indexed_is_found_by_its_text_now(workspace, monkeypatch):
    prepare(workspace, "stale", monkeypatch)
    assert found(workspace, "qqq") == []
    assert found(workspace, '"log of the"') == ["ndcg"]


BEYOND_ASCII = {
    "beyond.md": """
---
title: Beyond ASCII
---
# Units

Q: How cold is 0 \u212a?
A: Absolute zero.

Q: What is an E\u017f\u017fay?
A: An older spelling.

<!-- tags: \u00c9clair -->
Q: What is the \u00c9COLE normale?
A: A school.

Q: What is an \u00e9cole?
A: A school as well.

Q: Why quote "this"?
A: To show it.
""",
}
BEYOND_FRONTS = {
    "kelvin": "How cold is 0 \u212a?",
    "essay": "What is an E\u017f\u017fay?",
    "ECOLE": "What is the \u00c9COLE normale?",
    "ecole": "What is an \u00e9cole?",
    "quote": 'Why quote "this"?',
}

# SQLite's LIKE folds the case of A-Z alone; FTS5 folds more (KELVIN SIGN and LONG S even into
# ASCII letters), and so do PostgreSQL's lower() and its trigram indexes under a UTF-8 locale.
# Whatever answers a term, on either engine, the results are SQLite's LIKE's.
BEYOND_TABLE = [
    ("0 k", set()),
    ("0 \u212a", {"kelvin"}),
    ("ABSOLUTE", {"kelvin"}),
    ("essay", set()),
    ("e\u017f\u017f", {"essay"}),
    ("\u00e9cole", {"ecole"}),
    ("\u00c9COLE", {"ECOLE"}),
    ("\u00c9cole", {"ECOLE"}),
    ("\u00e9c", {"ecole"}),  # two characters: too short for the index
    ('"\\"this\\""', {"quote"}),
    ('"quote \\"t"', {"quote"}),
    ("tag:\u00e9clair", set()),
    ("tag:\u00c9CLAIR", {"ECOLE"}),
    ("-\u00e9cole", {"kelvin", "essay", "ECOLE", "quote"}),
]


def assert_beyond_ascii_matched_as_like_matches_it(workspace) -> None:
    names = {front: name for name, front in BEYOND_FRONTS.items()}
    cards = CardRow.__table__
    with workspace.collection.read() as conn:
        fronts = dict(conn.execute(select(cards.c.id, cards.c.front)).all())
    assert set(fronts.values()) == set(names)
    for query, expected in BEYOND_TABLE:
        ids = search(workspace.collection, query, workspace.today(), NOW)
        assert {names[fronts[card_id]] for card_id in ids} == expected, query


@pytest.mark.parametrize("mode", MODES)
def test_text_beyond_ascii_is_matched_as_like_matches_it(make_workspace, mode, monkeypatch):
    workspace = make_workspace(BEYOND_ASCII)
    prepare(workspace, mode, monkeypatch)
    assert_beyond_ascii_matched_as_like_matches_it(workspace)


@pytest.mark.sqlite_only
def test_text_beyond_ascii_is_matched_as_like_through_stale_indexes(make_workspace, monkeypatch):
    workspace = make_workspace(BEYOND_ASCII)
    prepare(workspace, "stale", monkeypatch)
    assert_beyond_ascii_matched_as_like_matches_it(workspace)


def not_indexed(workspace) -> int:
    with workspace.collection.read() as conn:
        return conn.exec_driver_sql(
            f"SELECT (SELECT count(*) FROM {STALE}) + (SELECT count(*) FROM card"
            f" WHERE id > (SELECT last_card_id FROM {INDEXED}))"
        ).scalar_one()


@pytest.mark.sqlite_only
def test_a_search_indexes_the_cards_written_since_the_last(workspace):
    assert not_indexed(workspace) == len(FRONTS)  # new: the import did nothing more
    assert found(workspace, "is:new") and not_indexed(workspace) == len(FRONTS)
    assert set(found(workspace, "rank")) == {"ndcg", "mrr"}
    assert not_indexed(workspace) == 0
    cards = CardRow.__table__
    with workspace.collection.write() as conn:
        conn.execute(update(cards).where(cards.c.front == FRONTS["mrr"]).values(back="qqq"))
    assert not_indexed(workspace) == 1
    assert found(workspace, "rank") == ["ndcg"]
    assert found(workspace, "qqq") == ["mrr"]
    assert not_indexed(workspace) == 0


@pytest.mark.sqlite_only
def test_a_search_never_waits_for_another_writer(workspace):
    path = workspace.collection.sqlite_path
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another program in the middle of a write
        started = time.monotonic()
        assert set(found(workspace, "rank")) == {"ndcg", "mrr"}
        assert time.monotonic() - started < 5  # the busy timeout is 10 s
        assert not_indexed(workspace) == len(FRONTS)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert set(found(workspace, "rank")) == {"ndcg", "mrr"}
    assert not_indexed(workspace) == 0


@pytest.mark.sqlite_only
def test_a_read_only_collection_is_searched_all_the_same(workspace):
    path = workspace.collection.sqlite_path
    workspace.collection.close()
    collection = Collection(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        ids = search(collection, "rank", workspace.today(), NOW)
        assert len(ids) == 2
    finally:
        collection.close()


def test_the_retrievability_the_table_relies_on(workspace):
    assert round(retrievability(5.0, NOW - 40 * DAY, NOW), 2) == 0.71
    assert round(retrievability(2.0, NOW - 3 * DAY, NOW), 2) == 0.87
    assert round(retrievability(3.0, NOW - DAY, NOW), 2) == 0.96
    assert retrievability(None, None, NOW) is None


def test_results_come_soonest_due_first(workspace):
    assert found(workspace, "-is:new") == ["ndcg", "snake", "ab", "p99", "mrr"]


def test_retired_cards_are_never_found(workspace):
    cards = CardRow.__table__
    with workspace.collection.write() as conn:
        conn.execute(update(cards).where(cards.c.front == FRONTS["mrr"]).values(retired=True))
    assert "mrr" not in found(workspace, "")
    assert found(workspace, "tag:ranking") == []


def test_injection_leaves_the_collection_intact(workspace):
    for query in ('"\'; DROP TABLE card; --"', 'deck:"x\'); DELETE FROM card; --"'):
        assert found(workspace, query) == []
    with workspace.collection.read() as conn:
        assert conn.execute(select(func.count()).select_from(CardRow.__table__)).scalar() == 8


# Compiled for both engines' dialects, without a server: once is enough.
@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("dialect", "text_index"),
    [
        (sqlite.dialect(), None),
        (sqlite.dialect(), TextIndex(last_card_id=9, stale=False)),
        (sqlite.dialect(), TextIndex(9, stale=True)),
        (postgresql.dialect(), None),
    ],
    ids=["sqlite", "sqlite-indexed", "sqlite-stale", "postgresql"],
)
def test_query_values_are_bound_parameters_never_sql_text(workspace, dialect, text_index):
    query = 'deck:"evil\' OR 1=1" tag:droptag topic:topicx wordx r<0.5 lapses>7'
    clause = compile_query(parse(query), workspace.today(), NOW, text_index=text_index)
    compiled = clause.compile(dialect=dialect)
    sql = re.sub(r"%\(\w+\)s", "", str(compiled))  # PostgreSQL's named placeholders
    for value in ("evil", "droptag", "topicx", "wordx", "0.5", "7"):
        assert value not in sql
    # Patterns are bound with A-Z as a-z, which LIKE folds on both engines.
    bound = " ".join(str(v) for v in compiled.params.values())
    for value in ("evil' or 1=1", "droptag", "topicx", "wordx"):
        assert value in bound


ERRORS = [
    ("colour:red", 1, "unknown field 'colour:'"),
    ("deck:a colour:red", 8, "unknown field 'colour:'"),
    ("lapse>3", 1, "unknown field 'lapse'"),
    ("is:nope", 4, "unknown 'is:' value 'nope'"),
    ("is:", 1, "'is:' needs a value"),
    ("deck:", 1, "'deck:' needs a value"),
    ("tag=x", 1, "'tag' takes ':'"),
    ("(deck:a", 1, "'(' is never closed"),
    ("(a (b)", 1, "'(' is never closed"),
    ("a )", 3, "')' without a matching '('"),
    ("()", 1, "empty parentheses"),
    ('"open', 1, "unclosed quote"),
    ('x "', 3, "unclosed quote"),
    ('""', 1, "empty quotes"),
    ("r<2", 3, "retrievability out of range"),
    ("r<high", 3, "'r' needs a number"),
    ("r=0.5", 1, "'r' cannot be compared with '='"),
    ("lapses>many", 8, "'lapses' needs a whole number"),
    ("reps>-1", 6, "'reps' needs a whole number"),
    ("or a", 1, "'or' needs a term before it"),
    ("a or", 3, "'or' needs a term after it"),
    ("a or or b", 3, "'or' needs a term after it"),
    ("and a", 1, "'and' needs a term on each side"),
    ("-", 1, "'-' needs a term right after it"),
    ("a - b", 3, "'-' needs a term right after it"),
    ("-or a", 1, "'-' needs a term right after it"),
    ("deck:x' OR 1=1 --", 17, "'-' needs a term right after it"),
]


# The parser reads no collection: one engine is enough for it.
@pytest.mark.sqlite_only
@pytest.mark.parametrize(("query", "position", "message"), ERRORS, ids=[q for q, _, _ in ERRORS])
def test_errors_say_what_and_where(query, position, message):
    with pytest.raises(SearchError) as raised:
        parse(query)
    assert raised.value.position == position
    assert raised.value.message.startswith(message)
    assert f"at {position}" in str(raised.value)


@pytest.mark.sqlite_only
def test_an_unknown_field_lists_the_known_ones():
    with pytest.raises(SearchError) as raised:
        parse("colour:red")
    assert str(raised.value).startswith("unknown field 'colour:' at 1: the fields are deck:")
    with pytest.raises(SearchError, match="use new, due, learning, review, suspended, leech"):
        parse("is:nope")


@pytest.mark.sqlite_only
def test_text_that_only_looks_like_a_comparison_is_text():
    assert parse("a<b").value == "a<b"
    assert parse("12:30").value == "12:30"
    assert parse('"http://x"').value == "http://x"


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_search_is_headless():
    code = (
        "import sys\nimport flashcards.search, flashcards.study.manage\n"
        "assert 'textual' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
