"""CSV and TSV files: one card per row, with a header row naming the columns (`front`, `back`,
`tags`, `id`) or the columns given as `--columns front,back,tags`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from ..deck.model import DeckError
from .model import Conversion, ConvertedCard, ConvertedDeck, safe_id, stable_id

__all__ = ["COLUMN_NAMES", "convert_delimited", "parse_columns", "read_rows"]

COLUMN_NAMES = ("front", "back", "tags", "id")
_ALIASES = {"question": "front", "answer": "back", "tag": "tags", "guid": "id"}
_IGNORED = ("-", "")


def parse_columns(spec: str) -> list[str]:
    """`front,back,tags` as a list; raises ValueError naming an unknown column."""
    names = [name.strip().lower() for name in spec.split(",")]
    names = [_ALIASES.get(name, name) for name in names]
    for name in names:
        if name not in COLUMN_NAMES and name not in _IGNORED:
            raise ValueError(
                f"unknown column '{name}': use {', '.join(COLUMN_NAMES)} or '-' to skip one"
            )
    if "front" not in names or "back" not in names:
        raise ValueError("the columns must include front and back")
    return names


def read_rows(text: str, delimiter: str, first_line: int = 1) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted field may run over several lines)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    line = first_line
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValueError(f"{first_line + reader.line_num - 1}: {exc}") from exc
        yield line, row
        line = first_line + reader.line_num


def sniff_delimiter(text: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    sample = "\n".join(text.split("\n", 20)[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def convert_delimited(
    text: str, path: str, name: str, suffix: str, columns: list[str] | None = None
) -> Conversion:
    result = Conversion()
    if text.startswith("\ufeff"):
        text = text[1:]
    deck = ConvertedDeck(source=path, name=name, title=name.rsplit("/", 1)[-1], fmt="CSV")
    result.decks.append(deck)
    rows = read_rows(text, sniff_delimiter(text, suffix))
    try:
        if columns is None:
            first = next(rows, None)
            if first is None:
                result.errors.append(DeckError(path, 0, "empty file"))
                return result
            try:
                columns = parse_columns(",".join(first[1]))
            except ValueError as exc:
                result.errors.append(
                    DeckError(
                        path,
                        1,
                        f"the first row must name the columns ({exc}); or give them with "
                        "--columns front,back,tags",
                    )
                )
                return result
        for line, row in rows:
            if not any(field.strip() for field in row):
                continue
            if len(row) < len(columns):
                result.errors.append(
                    DeckError(path, line, f"{len(row)} fields, expected {len(columns)}")
                )
                continue
            values = {c: row[i].strip() for i, c in enumerate(columns) if c not in _IGNORED}
            front, back = values["front"], values["back"]
            if not front or not back:
                result.errors.append(DeckError(path, line, "empty front or back"))
                continue
            given = values.get("id", "")
            card_id = safe_id("csv", given) if given else stable_id("csv", front, back)
            tags = tuple(t for t in values.get("tags", "").replace(",", " ").split() if t)
            deck.cards.append(ConvertedCard("basic", front, back, card_id, line, (), tags))
    except ValueError as exc:
        where, _, message = str(exc).partition(": ")
        result.errors.append(DeckError(path, int(where), f"not valid CSV: {message}"))
    return result
