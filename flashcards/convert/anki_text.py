"""Anki's "Notes in Plain Text" export: `#key:value` header lines (`#separator`, `#html`,
`#notetype column`, `#deck column`, `#tags column`, `#guid column`, and `#notetype`, `#deck`,
`#tags` for the whole file), then one note per row. Note types Basic, Basic (and reversed
card), Basic (optional reversed card), Basic (type in the answer) and Cloze are converted as
such; others by their first two fields, with a warning. Anki's subdecks (`A::B`) become topics."""

from __future__ import annotations

import re

from ..deck.model import DeckError
from ..deck.parser import split_lines
from .delimited import read_rows
from .html_text import html_to_markdown
from .model import Conversion, ConvertedCard, ConvertedDeck, Skip, safe_id, stable_id

__all__ = ["build_deck", "convert_anki_text", "looks_like_anki_text"]

_SEPARATORS = {
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}
_HEADER = re.compile(r"^#([a-z ]+):(.*)$")
_KNOWN_HEADERS = {
    "separator",
    "html",
    "notetype column",
    "deck column",
    "tags column",
    "guid column",
    "notetype",
    "deck",
    "tags",
    "columns",
}
_ANKI_CLOZE = re.compile(r"\{\{c\d+::")
_BASIC = "basic"
_REVERSED = "basic (and reversed card)"
_OPTIONAL = "basic (optional reversed card)"
_TYPED = "basic (type in the answer)"
_CLOZE = "cloze"


def looks_like_anki_text(text: str) -> bool:
    return any(_HEADER.match(line) for line in split_lines(text)[:12])


def _column(value: str, path: str, line: int, result: Conversion) -> int | None:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        result.errors.append(DeckError(path, line, f"a column number must be 1 or more: {value!r}"))
        return None
    return number - 1


def convert_anki_text(text: str, path: str, name: str) -> Conversion:
    result = Conversion()
    lines = split_lines(text)
    separator, html = "\t", True
    columns: dict[str, int] = {}
    defaults = {"notetype": "", "deck": "", "tags": ""}
    body_start = 0
    for index, line in enumerate(lines):
        match = _HEADER.match(line)
        if not match:
            break
        body_start = index + 1
        key, value = match.group(1).strip(), match.group(2).strip()
        number = index + 1
        if key not in _KNOWN_HEADERS:
            result.errors.append(DeckError(path, number, f"unknown header '#{key}'"))
        elif key == "separator":
            separator = _SEPARATORS.get(value.lower(), value)
            if len(separator) != 1:
                result.errors.append(DeckError(path, number, f"unknown separator '{value}'"))
        elif key == "html":
            if value.lower() not in ("true", "false"):
                result.errors.append(DeckError(path, number, "'#html' takes true or false"))
            html = value.lower() == "true"
        elif key.endswith(" column"):
            column = _column(value, path, number, result)
            if column is not None:
                columns[key.removesuffix(" column")] = column
        elif key in defaults:
            defaults[key] = value
    if result.errors:
        return result
    entries: list[tuple] = []
    special = set(columns.values())
    try:
        for number, row in read_rows("\n".join(lines[body_start:]), separator, body_start + 1):
            if not any(field.strip() for field in row):
                continue
            if special and max(special) >= len(row):
                result.errors.append(
                    DeckError(path, number, f"{len(row)} fields, but a column {max(special) + 1}")
                )
                continue

            def pick(key: str, row: list[str] = row) -> str:
                return row[columns[key]].strip() if key in columns else defaults.get(key, "")

            fields = [value for i, value in enumerate(row) if i not in special]
            if html:
                fields = [html_to_markdown(value) for value in fields]
            else:
                fields = [value.strip() for value in fields]
            entries.append(
                (
                    path,
                    number,
                    pick("guid"),
                    pick("notetype"),
                    pick("deck"),
                    pick("tags"),
                    fields,
                    frozenset(),
                )
            )
    except ValueError as exc:
        line, _, message = str(exc).partition(": ")
        result.errors.append(DeckError(path, int(line), f"not valid CSV: {message}"))
        return result
    build_deck(result, entries, path, name, "Anki's plain-text export")
    return result


def build_deck(result: Conversion, entries: list, path: str, name: str, fmt: str) -> ConvertedDeck:
    """One deck of Anki notes, each entry (where, line, guid, note type, deck, tags, fields,
    suspended card numbers[, answers by card number]). When every note lies in one top deck,
    it is the title and the subdecks are topics; otherwise the whole deck path is the topic."""
    decks = [entry[4].split("::") for entry in entries if entry[4]]
    tops = {parts[0] for parts in decks}
    shared = tops.pop() if len(tops) == 1 and len(decks) == len(entries) else None
    deck = ConvertedDeck(
        source=path,
        name=name,
        title=shared or name.rsplit("/", 1)[-1],
        fmt=fmt,
        description="Anki subdecks are the topics" if any(len(d) > 1 for d in decks) else "",
    )
    result.decks.append(deck)
    for where, number, guid, notetype, deck_name, tags, fields, suspended, *past in entries:
        topic = tuple(deck_name.split("::")) if deck_name else ()
        if shared is not None:
            topic = topic[1:]
        history = past[0] if past else None
        _add_note(
            result, deck, where, number, guid, notetype, topic, tags, fields, suspended, history
        )
    return deck


def _add_note(
    result: Conversion,
    deck: ConvertedDeck,
    path: str,
    number: int,
    guid: str,
    notetype: str,
    topic: tuple[str, ...],
    tags: str,
    fields: list[str],
    suspended: frozenset[int] = frozenset(),
    history: dict[int, tuple] | None = None,
) -> None:
    """One note's cards. `suspended` holds the Anki card numbers (0-based) that were
    suspended, `history` each card number's answers: the reverse of a two-way note is its
    card 1, a cloze's c1 is card 0."""
    history = history or {}
    kind = notetype.casefold()
    if not kind:
        kind = _CLOZE if fields and _ANKI_CLOZE.search(fields[0]) else _BASIC
    card_id = safe_id("anki", guid) if guid else stable_id("anki", *fields)
    tag_list = tuple(t.replace(",", "_") for t in tags.split())

    def add(card_kind: str, front: str, back: str, suffix: str = "", off=frozenset(), past=None):
        deck.cards.append(
            ConvertedCard(
                card_kind,
                front,
                back,
                card_id + suffix,
                number,
                topic,
                tag_list,
                (),
                off,
                past or {},
            )
        )

    if kind == _CLOZE:
        text = fields[0] if fields else ""
        if not _ANKI_CLOZE.search(text):
            result.errors.append(DeckError(path, number, "a Cloze note without {{c1::…}}"))
            return
        for inner in re.findall(r"\{\{c\d+::(.*?)\}\}", text, re.DOTALL):
            if "|" in inner or inner.count("::") > 1:
                result.errors.append(
                    DeckError(path, number, f"the cloze '{inner}' holds '|' or a second '::'")
                )
                return
        add(
            "cloze",
            text,
            fields[1] if len(fields) > 1 else "",
            off=frozenset(f"c{n + 1}" for n in suspended),
            past={f"c{n + 1}": answers for n, answers in history.items()},
        )
        return
    if len(fields) < 2 or not fields[0] or not fields[1]:
        result.errors.append(DeckError(path, number, "a note needs a front and a back field"))
        return
    front, back = fields[0], fields[1]
    if kind not in (_BASIC, _REVERSED, _OPTIONAL, _TYPED):
        result.warnings.append(
            Skip(path, number, f"note type '{notetype}' converted by its first two fields")
        )

    def own(number: int) -> dict:
        return {"": history[number]} if number in history else {}

    add("basic", front, back, off=frozenset({""} if 0 in suspended else ()), past=own(0))
    if kind == _REVERSED or (kind == _OPTIONAL and len(fields) > 2 and fields[2].strip()):
        add("basic", back, front, "-r", frozenset({""} if 1 in suspended else ()), own(1))
