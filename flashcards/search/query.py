"""The browser's search language: a tokenizer and a recursive-descent parser into a small AST.

    query   := either (OR either)*           OR is the word `or`, any case
    either  := unary (AND? unary)*           terms side by side must all match
    unary   := '-' unary | '(' query ')' | term
    term    := word | "quoted phrase" | field:value | name<op>number

The syntax, with examples, is in docs/search.md. Errors are `SearchError`s that name the
1-based column where the problem starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "IS_VALUES",
    "And",
    "Compare",
    "Field",
    "Node",
    "Not",
    "Or",
    "SearchError",
    "Text",
    "parse",
]

TEXT_FIELDS = ("deck", "tag", "topic", "is")
NUMBER_FIELDS = ("r", "lapses", "reps")
IS_VALUES = ("new", "due", "learning", "review", "suspended", "leech", "buried")

# A field name and its operator at the start of a word: `deck:`, `r<`, `lapses>=`.
_FIELD = re.compile(r"([A-Za-z_]+)(:|<=|>=|<|>|=)")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]*)?%?|\.[0-9]+%?")


class SearchError(ValueError):
    """A query that cannot be understood; `position` is the 1-based column of the problem."""

    def __init__(self, message: str, position: int, hint: str = "") -> None:
        super().__init__(f"{message} at {position}" + (f": {hint}" if hint else ""))
        self.message = message
        self.position = position
        self.hint = hint


@dataclass(frozen=True, slots=True)
class Text:
    """Words or a quoted phrase: a case-insensitive substring of the front or the back."""

    value: str
    position: int


@dataclass(frozen=True, slots=True)
class Field:
    """`deck:`, `tag:`, `topic:` or `is:` with its value (an `is:` value in lower case)."""

    name: str
    value: str
    position: int


@dataclass(frozen=True, slots=True)
class Compare:
    """`r<0.8`, `lapses>3`, `reps=0`: a number field compared with a number."""

    name: str
    op: str
    value: float
    position: int


@dataclass(frozen=True, slots=True)
class Not:
    node: Node


@dataclass(frozen=True, slots=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    nodes: tuple[Node, ...]


Node = Text | Field | Compare | Not | And | Or


# Tokens -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "term", "or", "and", "not", "(", ")"
    position: int  # 1-based column
    node: Node | None = None


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """The text between the quote at `start` and its closing quote (\\" and \\\\ escape);
    returns it and the index after the closing quote."""
    chars: list[str] = []
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in '"\\':
            chars.append(text[index + 1])
            index += 2
            continue
        if char == '"':
            return "".join(chars), index + 1
        chars.append(char)
        index += 1
    raise SearchError("unclosed quote", start + 1)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
        elif char in "()":
            tokens.append(_Token(char, index + 1))
            index += 1
        elif char == "-":
            following = text[index + 1 : index + 2]
            if not following or following.isspace() or following == ")":
                raise SearchError("'-' needs a term right after it", index + 1)
            tokens.append(_Token("not", index + 1))
            index += 1
        else:
            token, index = _word(text, index)
            tokens.append(token)
    return tokens


def _word(text: str, start: int) -> tuple[_Token, int]:
    """A word (up to a space or a parenthesis), quoted parts included."""
    head: str | None = None  # the word up to its first quote: where a field name can be
    parts: list[str] = []
    index = start
    while index < len(text) and not text[index].isspace() and text[index] not in "()":
        if text[index] == '"':
            if head is None:
                head = "".join(parts)
            quoted, index = _read_quoted(text, index)
            parts.append(quoted)
        else:
            parts.append(text[index])
            index += 1
    word = "".join(parts)
    position = start + 1
    if head is None:
        if word.casefold() == "or":
            return _Token("or", position), index
        if word.casefold() == "and":
            return _Token("and", position), index
        head = word
    if head == "" and word == "":
        raise SearchError("empty quotes", position)
    return _Token("term", position, _term(word, head, position)), index


def _term(word: str, head: str, position: int) -> Node:
    match = _FIELD.match(head)
    if match is None:
        return Text(word, position)
    name, op = match.group(1).lower(), match.group(2)
    value = word[match.end() :]
    value_position = position + match.end()
    if name in TEXT_FIELDS:
        if op != ":":
            raise SearchError(f"'{name}' takes ':', not '{op}'", position, f"write {name}:value")
        return _text_field(name, value, position, value_position)
    if name in NUMBER_FIELDS:
        return _comparison(name, "=" if op == ":" else op, value, position, value_position)
    if op == ":" or _NUMBER.fullmatch(value):
        shown = f"{match.group(1)}{op}" if op == ":" else match.group(1)
        raise SearchError(
            f"unknown field '{shown}'",
            position,
            "the fields are deck:, tag:, topic:, is:, r, lapses and reps "
            '(put other text with ":" in quotes)',
        )
    return Text(word, position)  # text such as a<b


def _text_field(name: str, value: str, position: int, value_position: int) -> Field:
    if not value:
        raise SearchError(f"'{name}:' needs a value", position)
    if name == "is":
        wanted = value.casefold()
        if wanted not in IS_VALUES:
            raise SearchError(
                f"unknown 'is:' value '{value}'",
                value_position,
                f"use {', '.join(IS_VALUES[:-1])} or {IS_VALUES[-1]}",
            )
        return Field(name, wanted, position)
    return Field(name, value, position)


def _comparison(name: str, op: str, value: str, position: int, value_position: int) -> Compare:
    if name == "r":
        if op == "=":
            raise SearchError(
                "'r' cannot be compared with '='", position, "use <, <=, > or >= (r<0.8)"
            )
        if not _NUMBER.fullmatch(value):
            raise SearchError(
                "'r' needs a number",
                value_position,
                "between 0 and 1, or a percentage: r<0.8, r<80%",
            )
        number = float(value[:-1]) / 100 if value.endswith("%") else float(value)
        if not 0 <= number <= 1:
            raise SearchError(
                "retrievability out of range",
                value_position,
                "it lies between 0 and 1 (0% and 100%)",
            )
        return Compare(name, op, number, position)
    if not value.isdigit() or not value.isascii():
        raise SearchError(f"'{name}' needs a whole number", value_position, f"for example {name}>3")
    return Compare(name, op, float(int(value)), position)


# Parser -----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[_Token], length: int) -> None:
        self.tokens = tokens
        self.index = 0
        self.end = length + 1  # the column just after the query, for errors at its end

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def query(self) -> Node:
        nodes = [self.either()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            following = self.peek()
            if following is None or following.kind in ("or", ")"):
                raise SearchError("'or' needs a term after it", token.position)
            nodes.append(self.either())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def either(self) -> Node:
        nodes: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in ("or", ")"):
            if token.kind == "and":
                self.take()
                following = self.peek()
                if not nodes or following is None or following.kind in ("or", "and", ")"):
                    raise SearchError("'and' needs a term on each side", token.position)
                continue
            nodes.append(self.unary())
        if not nodes:
            token = self.peek()
            if token is None:
                raise SearchError("a term is missing", self.end)
            if token.kind == "or":
                raise SearchError("'or' needs a term before it", token.position)
            raise SearchError("')' without a matching '('", token.position)
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self) -> Node:
        token = self.take()
        if token.kind == "not":
            following = self.peek()
            if following is None or following.kind not in ("term", "not", "("):
                raise SearchError("'-' needs a term right after it", token.position)
            return Not(self.unary())
        if token.kind == "(":
            following = self.peek()
            if following is not None and following.kind == ")":
                raise SearchError("empty parentheses", token.position)
            if following is None:
                raise SearchError("'(' is never closed", token.position)
            inner = self.query()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise SearchError("'(' is never closed", token.position)
            self.take()
            return inner
        assert token.node is not None
        return token.node


def parse(text: str) -> Node | None:
    """The query's AST; None for a blank query (every card). Raises SearchError."""
    tokens = _tokens(text)
    if not tokens:
        return None
    parser = _Parser(tokens, len(text))
    node = parser.query()
    stray = parser.peek()
    if stray is not None:  # only a ')' can stop the top-level query early
        raise SearchError("')' without a matching '('", stray.position)
    return node
