"""WireMock's plain string matchers ("StringValuePattern"s): the base class and the
text family (equalTo, contains, matches, absent, binaryEqualTo, and/or/not).

Each pattern answers `matches(value)` fast (the hot path) and `distance(value)`
between 0 (a match) and 1 for near-miss reports. `value` is None when the header,
query parameter, cookie or body is missing. `matches_bytes` is what a body or a
multipart part is matched with, so `binaryEqualTo` sees the bytes as sent.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import re
from abc import ABC, abstractmethod
from typing import Any

from seamline.mock.errors import InvalidMapping
from seamline.mock.java_regex import JavaRegexError, compile_java


def _str_distance(expected: str, actual: str) -> float:
    if expected == actual:
        return 0.0
    return 1.0 - difflib.SequenceMatcher(None, expected[:500], actual[:500]).ratio()


class ValuePattern(ABC):
    key: str = ""

    @abstractmethod
    def matches(self, value: str | None) -> bool: ...

    def distance(self, value: str | None) -> float:
        return 0.0 if self.matches(value) else 1.0

    def matches_bytes(self, value: bytes | None) -> bool:
        return self.matches(None if value is None else value.decode("utf-8", "replace"))

    @abstractmethod
    def to_json(self) -> dict[str, Any]: ...

    def describe(self) -> str:
        spec = self.to_json()
        return " ".join(
            f"[{k}] {v if isinstance(v, str) else json.dumps(v)}" for k, v in spec.items()
        )


class EqualTo(ValuePattern):
    key = "equalTo"

    def __init__(self, expected: str, case_insensitive: bool = False) -> None:
        self.expected = expected
        self.case_insensitive = case_insensitive
        self._folded = expected.casefold()

    def matches(self, value: str | None) -> bool:
        if value is None:
            return False
        if self.case_insensitive:
            return value.casefold() == self._folded
        return value == self.expected

    def distance(self, value: str | None) -> float:
        if value is None:
            return 1.0
        if self.case_insensitive:
            return _str_distance(self._folded, value.casefold())
        return _str_distance(self.expected, value)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"equalTo": self.expected}
        if self.case_insensitive:
            out["caseInsensitive"] = True
        return out


class Contains(ValuePattern):
    key = "contains"

    def __init__(self, expected: str, negate: bool = False) -> None:
        self.expected = expected
        self.negate = negate

    def matches(self, value: str | None) -> bool:
        if value is None:
            return self.negate
        return (self.expected in value) != self.negate

    def to_json(self) -> dict[str, Any]:
        return {("doesNotContain" if self.negate else "contains"): self.expected}


class Matches(ValuePattern):
    """Java's `String.matches`: the whole value must match the regular expression
    (Java's dialect, translated by java_regex; DOTALL as WireMock compiles it)."""

    key = "matches"

    def __init__(self, regex: str, negate: bool = False, where: str = "") -> None:
        self.regex = regex
        self.negate = negate
        try:
            self._compiled = compile_java(regex, re.DOTALL)
        except (re.error, JavaRegexError) as exc:
            raise InvalidMapping(where, f"invalid regular expression {regex!r}: {exc}") from None

    def matches(self, value: str | None) -> bool:
        if value is None:
            return self.negate
        return (self._compiled.fullmatch(value) is not None) != self.negate

    def to_json(self) -> dict[str, Any]:
        return {("doesNotMatch" if self.negate else "matches"): self.regex}


class Absent(ValuePattern):
    key = "absent"

    def matches(self, value: str | None) -> bool:
        return value is None

    def to_json(self) -> dict[str, Any]:
        return {"absent": True}


class Anything(ValuePattern):
    key = "anything"

    def matches(self, value: str | None) -> bool:
        return True

    def to_json(self) -> dict[str, Any]:
        return {"anything": "anything"}


class BinaryEqualTo(ValuePattern):
    key = "binaryEqualTo"

    def __init__(self, encoded: str, where: str) -> None:
        self.encoded = encoded
        try:
            self.expected = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise InvalidMapping(
                where, f"binaryEqualTo must be base64, found {encoded!r}: {exc}"
            ) from None

    def matches(self, value: str | None) -> bool:
        return value is not None and value.encode("utf-8") == self.expected

    def matches_bytes(self, value: bytes | None) -> bool:
        return value == self.expected

    def to_json(self) -> dict[str, Any]:
        return {"binaryEqualTo": self.encoded}


class Logical(ValuePattern):
    def __init__(self, key: str, parts: list[ValuePattern]) -> None:
        self.key = key
        self.parts = parts

    def matches(self, value: str | None) -> bool:
        if self.key == "and":
            return all(p.matches(value) for p in self.parts)
        return any(p.matches(value) for p in self.parts)

    def matches_bytes(self, value: bytes | None) -> bool:
        if self.key == "and":
            return all(p.matches_bytes(value) for p in self.parts)
        return any(p.matches_bytes(value) for p in self.parts)

    def distance(self, value: str | None) -> float:
        distances = [p.distance(value) for p in self.parts]
        return max(distances) if self.key == "and" else min(distances)

    def to_json(self) -> dict[str, Any]:
        return {self.key: [p.to_json() for p in self.parts]}


class Not(ValuePattern):
    """`{"not": <matcher>}`: true when the inner matcher is not."""

    key = "not"

    def __init__(self, inner: ValuePattern) -> None:
        self.inner = inner

    def matches(self, value: str | None) -> bool:
        return not self.inner.matches(value)

    def matches_bytes(self, value: bytes | None) -> bool:
        return not self.inner.matches_bytes(value)

    def to_json(self) -> dict[str, Any]:
        return {"not": self.inner.to_json()}


NOT_JSON: Any = object()


def parse_json(value: str | None) -> Any:
    """The JSON document in `value`, or NOT_JSON."""
    if value is None:
        return NOT_JSON
    try:
        return json.loads(value)
    except ValueError:
        return NOT_JSON
