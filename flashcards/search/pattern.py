"""LIKE patterns that match a query's text as written: `%`, `_` and the escape character stand
for themselves, with `*` as any run of characters where a field allows it."""

from __future__ import annotations

from ..storage.dialect import LIKE_ESCAPE

__all__ = ["like_pattern"]


def like_pattern(text: str, *, wildcard: bool = False, inside: bool = False) -> str:
    """A LIKE pattern matching `text` literally (`%`, `_` escaped with LIKE_ESCAPE), with `*` as
    any run of characters when `wildcard`, and anywhere in the value when `inside`."""
    escaped = (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    if wildcard:
        escaped = escaped.replace("*", "%")
    return f"%{escaped}%" if inside else escaped
