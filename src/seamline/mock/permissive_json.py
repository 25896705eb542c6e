"""JSON as json-smart's permissive mode reads it, which Jayway (and so WireMock's
`matchesJsonPath`) uses: `{a: 1}`, `{'a': 'x'}` and a bare `word` are documents too.

Bare words run to the next `,` `:` `]` `}` (or the end, at the top level) and become
numbers, `true`/`false`/`null` or strings; anything left over after the document, an
unclosed bracket or a document that looks like XML is not JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from seamline.mock.value_patterns import NOT_JSON


class _NotJson(ValueError):
    pass


def permissive_json(text: str) -> Any:
    """The document in `text` (NOT_JSON when even json-smart would refuse it)."""
    if text.lstrip().startswith("<"):  # WireMock refuses what looks like XML
        return NOT_JSON
    reader = _Reader(text)
    try:
        value = reader.value(top=True)
        reader.skip_space()
        if reader.pos != len(text):
            return NOT_JSON
    except _NotJson:
        return NOT_JSON
    return value


class _Reader:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        if self.pos >= len(self.text):
            raise _NotJson("unexpected end")
        return self.text[self.pos]

    def value(self, top: bool = False) -> Any:
        char = self.peek()
        if char == "{":
            return self.members()
        if char == "[":
            return self.items()
        if char in "'\"":
            return self.quoted()
        return self.bare(top)

    def members(self) -> dict[str, Any]:
        out: dict[str, Any] = {}

        def member() -> None:
            key = self.quoted() if self.peek() in "'\"" else str(self.bare(False, key=True))
            if self.peek() != ":":
                raise _NotJson("expected ':'")
            self.pos += 1
            out[key] = self.value()

        self.sequence("}", member)
        return out

    def items(self) -> list[Any]:
        out: list[Any] = []
        self.sequence("]", lambda: out.append(self.value()))
        return out

    def sequence(self, close: str, read_one: Callable[[], None]) -> None:
        """`[`/`{` at pos: entries separated by commas up to `close`."""
        self.pos += 1
        while self.peek() != close:
            read_one()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != close:
                raise _NotJson(f"expected ',' or {close!r}")
        self.pos += 1

    def quoted(self) -> str:
        quote, start = self.text[self.pos], self.pos + 1
        end = start
        while end < len(self.text) and self.text[end] != quote:
            end += 2 if self.text[end] == "\\" else 1
        if end >= len(self.text):
            raise _NotJson("unclosed string")
        self.pos = end + 1
        raw = self.text[start:end]
        try:
            return str(json.loads('"' + raw.replace('"', '\\"') + '"'))
        except ValueError:
            return raw

    def bare(self, top: bool, key: bool = False) -> Any:
        stops = ":" if key else ("" if top else ",]}")
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in stops:
            if self.text[self.pos] in "{[":
                raise _NotJson("unexpected bracket")
            self.pos += 1
        word = self.text[start : self.pos].strip()
        if not word:
            raise _NotJson("expected a value")
        if key:
            return word
        try:
            return json.loads(word)  # a number, true, false or null
        except ValueError:
            return word
