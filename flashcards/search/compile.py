"""A parsed query turned into a SQLAlchemy condition on cards, and the search that runs it.

Every value from the query reaches the database as a bound parameter, never as SQL text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Select, String, and_, false, literal_column, not_, or_, select

from ..review_rules import CardState
from ..scheduling.days import StudyDay
from ..storage.collection import Collection
from ..storage.dialect import LIKE_ESCAPE, like_any_case, without_index
from ..storage.packed import packed_column
from ..storage.tables import cards, decks
from .index import (
    TAGS,
    TEXT,
    TOPIC,
    TextIndex,
    TrigramIndex,
    open_text_index,
    searchable,
    update_text_index,
)
from .query import And, Compare, Field, Node, Not, Or, Text, parse
from .recall import recall_condition

__all__ = ["compile_query", "like_pattern", "search", "search_statement"]

ESCAPE = "\\"


def like_pattern(text: str, *, wildcard: bool = False, inside: bool = False) -> str:
    """A LIKE pattern matching `text` literally (`%`, `_` escaped), with `*` as any run of
    characters when `wildcard`, and anywhere in the value when `inside`."""
    escape = LIKE_ESCAPE
    escaped = text.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")
    if wildcard:
        escaped = escaped.replace("*", "%")
    return f"%{escaped}%" if inside else escaped


def _word_in(column, word: str):
    """`word` is one of the space-separated words of `column` (case-insensitive)."""
    space = literal_column("' '", String)
    spaced = space + column + space
    return like_any_case(spaced, f"% {like_pattern(word)} %")


def compile_query(
    node: Node,
    day: StudyDay,
    now: datetime,
    parameters: Sequence[float] | None = None,
    *,
    text_index: TextIndex | None = None,
):
    """The condition on the `card` table that `node` stands for; text, `tag:` and `topic:`
    terms look through `text_index` when there is one (the results are the same)."""

    def build(node: Node):
        if isinstance(node, And):
            return and_(*(build(part) for part in node.nodes))
        if isinstance(node, Or):
            return or_(*(build(part) for part in node.nodes))
        if isinstance(node, Not):
            return not_(build(node.node))
        if isinstance(node, Text):
            pattern = like_pattern(node.value, inside=True)
            exact = or_(like_any_case(cards.c.front, pattern), like_any_case(cards.c.back, pattern))
            return _indexed(text_index, TEXT, node.value, exact)
        if isinstance(node, Field):
            return _field(node, day, now, text_index)
        if isinstance(node, Compare):
            if node.name == "r":
                return recall_condition(node.op, node.value, now, parameters)
            return _compare(getattr(cards.c, node.name), node.op, int(node.value))
        raise TypeError(f"not a query node: {node!r}")

    return build(node)


def _indexed(text_index: TextIndex | None, index: TrigramIndex, value: str, exact):
    """`exact` (`value` occurs in the columns `index` holds), through `index` if it helps."""
    if text_index is None or not searchable(value):
        return exact
    return text_index.match(index, value, exact)


def _tag_phrase(tag: str) -> str:
    """What the tags index holds when a card has `tag`: it holds the tags between spaces."""
    return f" {tag} "


def _field(node: Field, day: StudyDay, now: datetime, text_index: TextIndex | None):
    if node.name == "deck":
        names = select(decks.c.id).where(
            like_any_case(decks.c.name, like_pattern(node.value, wildcard=True))
        )
        return cards.c.deck_id.in_(names)
    if node.name == "tag":
        tagged_decks = select(decks.c.id).where(_word_in(decks.c.tags, node.value))
        exact = _word_in(cards.c.tags, node.value)
        tagged = _indexed(text_index, TAGS, _tag_phrase(node.value), exact)
        return or_(tagged, cards.c.deck_id.in_(tagged_decks))
    if node.name == "topic":
        exact = like_any_case(cards.c.topic, like_pattern(node.value, inside=True))
        return _indexed(text_index, TOPIC, node.value, exact)
    return _state(node.value, day, now)


def _state(value: str, day: StudyDay, now: datetime):
    if value == "new":
        return cards.c.state == CardState.NEW
    if value == "learning":
        return cards.c.state.in_((CardState.LEARNING, CardState.RELEARNING))
    if value == "review":
        return cards.c.state == CardState.REVIEW
    if value == "due":
        return and_(
            cards.c.state.in_((CardState.LEARNING, CardState.REVIEW, CardState.RELEARNING)),
            cards.c.due < day.end,
        )
    if value == "suspended":
        return cards.c.suspended.is_(True)
    if value == "leech":
        return cards.c.leech.is_(True)
    if value == "buried":
        return and_(cards.c.buried_until.is_not(None), cards.c.buried_until > now)
    raise ValueError(f"unknown is: value {value!r}")


def _compare(column, op: str, value: int):
    return {
        "<": column < value,
        "<=": column <= value,
        ">": column > value,
        ">=": column >= value,
        "=": column == value,
    }[op]


def search(
    collection: Collection,
    query: str,
    day: StudyDay,
    now: datetime,
    *,
    parameters: Sequence[float] | None = None,
) -> list[int]:
    """Ids of the cards in use (not retired) that match `query`, the soonest due first.
    Raises SearchError for a query that cannot be parsed."""
    node = parse(query)
    if node is not None and _reads_text(node):
        update_text_index(collection)
    with collection.read() as conn:
        statement = search_statement(conn, node, day, now, parameters)
        # SQLite's own page cache (2 MiB), no larger: text is found without reading the card
        # table, and a cache that grows to hold it made a connection's first scan slower
        # (r<0.8 on 100,000 cards: 130 ms in a 64 MiB cache, 75 ms in 2 MiB).
        # On SQLite the ids come back as one JSON array: tens of thousands of rows, one step
        # each, took 15-60 ms more than the array (`drift` on 100,000 cards matches 45,000).
        return packed_column(conn, statement)


def search_statement(
    conn: Connection,
    node: Node | None,
    day: StudyDay,
    now: datetime,
    parameters: Sequence[float] | None = None,
) -> Select:
    """The statement `search` runs on `conn` for a parsed query (None: every card): the ids
    of the cards in use that match, the soonest due first."""
    # `retired + 0` on SQLite, not `retired`: nearly every card is in use, so looking cards up
    # through the queue index by `retired` costs a B-tree descent per card; a scan of the table
    # (or of that index alone, when it covers the query) is two to three times faster.
    in_use = without_index(cards.c.retired) == false()
    statement = select(cards.c.id).where(in_use)
    if node is not None:
        text_index = open_text_index(conn) if _reads_text(node) else None
        condition = compile_query(node, day, now, parameters, text_index=text_index)
        statement = statement.where(condition)
    return statement.order_by(cards.c.due, cards.c.id)


def _reads_text(node: Node) -> bool:
    """Whether the query has a text, `tag:` or `topic:` term that the text index can serve."""
    if isinstance(node, And | Or):
        return any(_reads_text(part) for part in node.nodes)
    if isinstance(node, Not):
        return _reads_text(node.node)
    if isinstance(node, Text):
        return searchable(node.value)
    if isinstance(node, Field) and node.name == "tag":
        return searchable(_tag_phrase(node.value))
    return isinstance(node, Field) and node.name == "topic" and searchable(node.value)
