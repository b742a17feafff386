"""Anki field HTML to Markdown, with the standard library only: line breaks, paragraphs, bold,
italics, code, lists, sub/superscript and images are kept, entities decoded, other tags
dropped (their text stays)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_markdown"]

_INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}
_KEPT = {"sub", "sup"}  # no Markdown for these: the tags are kept, renderers show them as text
_BLOCK = {"div", "p", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"}
_MARKDOWN_CHARS = re.compile(r"([\\`*_\[\]<>])")


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [next number] or [] when unordered
        self.in_pre = False

    def _newline(self, count: int = 1) -> None:
        text = "".join(self.out)
        have = len(text) - len(text.rstrip("\n"))
        if text.strip():
            self.out.append("\n" * max(0, count - have))

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = dict(attrs)
        if tag == "br":
            self.out.append("\n")
        elif tag in _INLINE:
            self.out.append(_INLINE[tag])
        elif tag in _KEPT:
            self.out.append(f"<{tag}>")
        elif tag in _BLOCK:
            self._newline(2)
        elif tag == "pre":
            self._newline(2)
            self.out.append("```\n")
            self.in_pre = True
        elif tag in ("ul", "ol"):
            self._newline(1)
            self.lists.append([1] if tag == "ol" else [])
        elif tag == "li":
            self._newline(1)
            indent = "  " * (len(self.lists) - 1)
            current = self.lists[-1] if self.lists else []
            if current:
                self.out.append(f"{indent}{current[0]}. ")
                current[0] += 1
            else:
                self.out.append(f"{indent}- ")
        elif tag == "img" and attributes.get("src"):
            self.out.append(f"![{attributes.get('alt') or ''}]({attributes['src']})")

    def handle_endtag(self, tag: str) -> None:
        if tag in _INLINE:
            self.out.append(_INLINE[tag])
        elif tag in _KEPT:
            self.out.append(f"</{tag}>")
        elif tag in _BLOCK:
            self._newline(2)
        elif tag == "pre":
            self._newline(1)
            self.out.append("```")
            self._newline(2)
            self.in_pre = False
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newline(2)

    def handle_data(self, data: str) -> None:
        if self.in_pre:
            self.out.append(data)
            return
        text = re.sub(r"\s+", " ", data)
        self.out.append(_MARKDOWN_CHARS.sub(r"\\\1", text))


def html_to_markdown(html: str) -> str:
    converter = _Converter()
    converter.feed(html)
    converter.close()
    text = "".join(converter.out).replace("\u00a0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
