"""The trigram indexes that make text, `tag:` and `topic:` searches fast on a large
collection. On SQLite, FTS5 tables (schema version 4, `0004_card_search.sql`), kept and
consulted by the code below. On PostgreSQL, pg_trgm GIN indexes on the cards' front, back and
topic as `like_any_case` folds them (`postgresql/0008_collection.sql`): the server keeps them
and its planner uses them for the search's own LIKE conditions, so nothing here deals with
them. Either may be missing (a SQLite without FTS5, a server without pg_trgm): the search then
reads every card, with the same results.

On SQLite, three FTS5 tables with the trigram tokenizer (front and back, tags, topic): any three
characters in a row lead to the cards holding them. They hold every card up to
`card_search_indexed.last_card_id` as it was when indexed; cards with a greater id are new,
and triggers list in `card_search_stale` the cards up to it written since. Writers pay next to
nothing; `refresh` indexes what is new or listed, in bulk, and a search does that first when
it needs the indexes. Cards not indexed yet are matched by reading them, as on a collection
without the indexes, so results are always exact.

The one writer this does not follow is one that inserts a card with an id of its choosing at
or below `last_card_id` (reusing a deleted card's id after the indexes took the deletion in,
or INSERT OR REPLACE): it must list the card in `card_search_stale`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    not_,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.exc import OperationalError

from ..storage.collection import Collection
from ..storage.database import BUSY_TIMEOUT_MS
from ..storage.dialect import without_index
from ..storage.tables import cards

__all__ = [
    "INDEXED",
    "STALE",
    "TAGS",
    "TEXT",
    "TOPIC",
    "TextIndex",
    "TrigramIndex",
    "open_text_index",
    "refresh",
    "searchable",
    "update_text_index",
]

STALE = "card_search_stale"
INDEXED = "card_search_indexed"
MIN_LENGTH = 3  # a trigram index finds nothing shorter
REFRESH_BATCH = 2_000  # cards indexed per write transaction: under a second on 100,000 cards

# FTS5's case folding turns two non-ASCII letters into ASCII ones (KELVIN SIGN into k, LATIN
# SMALL LONG S into s), which SQLite's LIKE never does. The indexes hold them, and queries ask
# for them, as U+FFFD, so that a query in ASCII finds through an index exactly what LIKE finds.
_FOLDED_TO_ASCII = {0x212A: 0xFFFD, 0x017F: 0xFFFD}


def _unfolded(column: str) -> str:
    return f"replace(replace({column}, char(8490), char(65533)), char(383), char(65533))"


@dataclass(frozen=True, slots=True)
class TrigramIndex:
    """One FTS5 table: its name, its columns, and what it holds of a card's columns (the
    migration's initial fill writes the same)."""

    table: str
    columns: str
    values: str


TEXT = TrigramIndex("card_search_text", "front, back", f"{_unfolded('front')}, {_unfolded('back')}")
# The tags between spaces, so that a whole tag is the phrase " tag ".
TAGS = TrigramIndex("card_search_tags", "tags", f"' ' || {_unfolded('tags')} || ' '")
TOPIC = TrigramIndex("card_search_topic", "topic", _unfolded("topic"))
_INDEXES = (TEXT, TAGS, TOPIC)


def searchable(value: str) -> bool:
    """Whether an index can find `value`: three characters or more, none of them NUL."""
    return len(value) >= MIN_LENGTH and "\x00" not in value


def _phrase(value: str) -> str:
    """An FTS5 query for `value` as it stands (quotes doubled, nothing else is special)."""
    return '"' + value.translate(_FOLDED_TO_ASCII).replace('"', '""') + '"'


def _card_id_in(ids):
    # `id + 0`: looking each card found up by its id costs a B-tree descent into the wide card
    # table; a scan of an index that covers the rest of the query, checking each id against
    # the set found, is two to three times faster when thousands of cards match (and a few
    # tens of milliseconds slower on 100,000 cards when only a few do).
    return without_index(cards.c.id).in_(ids)


@dataclass(frozen=True, slots=True)
class TextIndex:
    """A collection's text indexes as one read transaction sees them: they hold the cards up
    to `last_card_id`, those listed in the stale table excepted; `stale`: some cards are new
    or listed, not (rightly) in them yet."""

    last_card_id: int
    stale: bool

    def match(self, index: TrigramIndex, value: str, exact):
        """The condition that `value` occurs in what `index` holds of a card, given `exact`,
        the same condition on the card's own columns, for the cards the index cannot answer
        for (they are read). `value` must be `searchable`."""
        found = (
            select(text("rowid"))
            .select_from(table(index.table))
            .where(
                text(f"{index.table} MATCH :phrase").bindparams(
                    bindparam("phrase", _phrase(value), unique=True)
                )
            )
        )
        if not value.isascii():  # case folding beyond ASCII: the index finds more than LIKE
            candidates: ColumnElement[bool] = cards.c.id.in_(found)
            if self.stale:
                candidates = or_(candidates, self._not_indexed())
            return _card_id_in(_ids_where(and_(candidates, exact)))
        if not self.stale:
            return _card_id_in(found)
        return or_(
            and_(_card_id_in(found), not_(self._not_indexed())),
            _card_id_in(_ids_where(and_(self._not_indexed(), exact))),
        )

    def _not_indexed(self):
        """Cards new since the indexes were last brought up to date, or written since."""
        listed = select(text("card_id")).select_from(table(STALE))
        return or_(
            cards.c.id > bindparam("last_card_id", self.last_card_id, unique=True),
            cards.c.id.in_(listed),
        )


def _ids_where(condition):
    """The ids of the cards meeting `condition`, as a subquery of its own (never correlated
    with the search around it, which then needs no more than an index of the card table)."""
    return select(cards.c.id).where(condition).correlate(None)


def open_text_index(conn: Connection) -> TextIndex | None:
    """The collection's FTS5 indexes, or None where there are none to use: a SQLite without
    FTS5 and its trigram tokenizer, or PostgreSQL, whose planner takes its trigram indexes for
    the search's LIKE conditions by itself (or reads the cards where there are none)."""
    if conn.dialect.name != "sqlite":
        return None
    names = [INDEXED, STALE, *(index.table for index in _INDEXES)]
    placeholders = ", ".join("?" for _ in names)
    found = conn.exec_driver_sql(
        f"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ({placeholders})",
        tuple(names),
    ).scalar_one()
    if found != len(names):
        return None
    try:  # made by a SQLite with FTS5 and the trigram tokenizer: this one may lack them
        for index in _INDEXES:
            conn.exec_driver_sql(f"SELECT rowid FROM {index.table} LIMIT 0").close()
    except OperationalError:
        return None
    last_card_id = conn.exec_driver_sql(f"SELECT last_card_id FROM {INDEXED}").scalar_one()
    stale = conn.exec_driver_sql(
        f"SELECT EXISTS (SELECT 1 FROM {STALE}) OR EXISTS (SELECT 1 FROM card WHERE id > ?)",
        (last_card_id,),
    ).scalar_one()
    return TextIndex(last_card_id=last_card_id, stale=bool(stale))


def _index_cards(conn: Connection, where: str, parameters: tuple) -> None:
    """Put the cards meeting `where` into every index, as they are now."""
    for index in _INDEXES:
        conn.exec_driver_sql(
            f"INSERT INTO {index.table} (rowid, {index.columns}) "
            f"SELECT id, {index.values} FROM card WHERE {where}",
            parameters,
        )


def refresh(conn: Connection, limit: int | None = None) -> int:
    """Bring the indexes up to date, in the caller's write transaction: first the cards
    written since they were indexed (each taken out with the values it was indexed with, then
    put in as it is now), then the new cards, by increasing id; `limit` cards at most. Returns
    how many it took; fewer than `limit` means the indexes are up to date."""
    done = 0
    last_listed = conn.exec_driver_sql(
        f"SELECT max(card_id) FROM (SELECT card_id FROM {STALE} ORDER BY card_id{_limit(limit)})"
    ).scalar()
    if last_listed is not None:
        for index in _INDEXES:
            conn.exec_driver_sql(
                f"INSERT INTO {index.table} ({index.table}, rowid, {index.columns}) "
                f"SELECT 'delete', card_id, {index.values} FROM {STALE} "
                "WHERE card_id <= ? AND front IS NOT NULL",
                (last_listed,),
            )
        _index_cards(
            conn, f"id IN (SELECT card_id FROM {STALE} WHERE card_id <= ?)", (last_listed,)
        )
        done = conn.exec_driver_sql(
            f"DELETE FROM {STALE} WHERE card_id <= ?", (last_listed,)
        ).rowcount
        if limit is not None and done >= limit:
            return done
    last_card_id = conn.exec_driver_sql(f"SELECT last_card_id FROM {INDEXED}").scalar_one()
    left = None if limit is None else limit - done
    newest, added = conn.exec_driver_sql(
        "SELECT max(id), count(*) FROM "
        f"(SELECT id FROM card WHERE id > ? ORDER BY id{_limit(left)})",
        (last_card_id,),
    ).one()
    if newest is not None:
        _index_cards(conn, "id > ? AND id <= ?", (last_card_id, newest))
        done += added
    if limit is None or done < limit:
        # Everything is in: from here on a new card is one above the greatest id now (lower
        # than the mark if the last cards were deleted, whose ids SQLite gives out again).
        newest = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM card").scalar_one()
    if newest is not None:
        conn.exec_driver_sql(f"UPDATE {INDEXED} SET last_card_id = ?", (newest,))
    return done


def _limit(count: int | None) -> str:
    """A LIMIT clause for `count` rows (a whole number, written out), none for None."""
    return "" if count is None else f" LIMIT {int(count)}"


def update_text_index(collection: Collection) -> None:
    """Index the cards written since the indexes were last brought up to date, a batch per
    write transaction (another writer waits one batch at most), as long as the collection can
    be written at once: another program may be writing it (this will not wait for it), or it
    may be read-only. A search that needs the indexes calls this first; it stays exact either
    way, since it reads the cards not indexed yet."""
    with collection.read() as conn:
        text_index = open_text_index(conn)
    if text_index is None or not text_index.stale:
        return
    with collection.engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None  # a connection just checked out of the pool
        driver.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                with conn.execution_options(sqlite_begin="IMMEDIATE").begin():
                    if refresh(conn, REFRESH_BATCH) < REFRESH_BATCH:
                        break
        except OperationalError:
            pass
        finally:
            driver.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
