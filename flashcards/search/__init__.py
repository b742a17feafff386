"""Searching the collection: the query language, its translation to SQL, and what the browser
shows of the cards found. Headless: the browser screen drives it from a worker."""

from .compile import compile_query, search
from .index import update_text_index
from .query import IS_VALUES, SearchError, parse
from .recall import retrievability
from .results import BrowserRow, CardDetail, HistoryEntry, card_detail, fetch_rows

__all__ = [
    "IS_VALUES",
    "BrowserRow",
    "CardDetail",
    "HistoryEntry",
    "SearchError",
    "card_detail",
    "compile_query",
    "fetch_rows",
    "parse",
    "retrievability",
    "search",
    "update_text_index",
]
