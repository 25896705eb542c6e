"""WireMock's value matchers ("StringValuePattern"s) and their JSON form.

Each pattern answers `matches(value)` fast (the hot path) and `distance(value)`
between 0 (a match) and 1 for near-miss reports. `value` is None when the header,
query parameter, cookie or body is missing.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import re
from abc import ABC, abstractmethod
from typing import Any

from seamline.mock import jsonpath
from seamline.mock.errors import InvalidMapping
from seamline.mock.jsonmatch import JsonExpectation


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
    """Java's `String.matches`: the whole value must match the regular expression."""

    key = "matches"

    def __init__(self, regex: str, negate: bool = False, where: str = "") -> None:
        self.regex = regex
        self.negate = negate
        try:
            self._compiled = re.compile(regex, re.DOTALL)
        except re.error as exc:
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
        return value is not None and value.encode("utf-8", "surrogateescape") == self.expected

    def to_json(self) -> dict[str, Any]:
        return {"binaryEqualTo": self.encoded}


class EqualToJson(ValuePattern):
    key = "equalToJson"

    def __init__(self, expected: Any, ignore_order: bool, ignore_extra: bool, raw: Any) -> None:
        self.raw = raw
        self.ignore_order = ignore_order
        self.ignore_extra = ignore_extra
        self.expectation = JsonExpectation(expected, ignore_order, ignore_extra)

    def matches(self, value: str | None) -> bool:
        parsed = _parse_json(value)
        return parsed is not _NOT_JSON and self.expectation.matches(parsed)

    def matches_parsed(self, parsed: Any) -> bool:
        return parsed is not _NOT_JSON and self.expectation.matches(parsed)

    def distance(self, value: str | None) -> float:
        parsed = _parse_json(value)
        return 1.0 if parsed is _NOT_JSON else self.expectation.distance(parsed)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"equalToJson": self.raw}
        if self.ignore_order:
            out["ignoreArrayOrder"] = True
        if self.ignore_extra:
            out["ignoreExtraElements"] = True
        return out


class MatchesJsonPath(ValuePattern):
    """True when the expression selects something (and, with a sub-pattern, when a
    selected value matches it)."""

    key = "matchesJsonPath"

    def __init__(self, expression: str, sub: ValuePattern | None, where: str) -> None:
        self.expression = expression
        self.sub = sub
        try:
            self.path = jsonpath.compile_path(expression)
        except jsonpath.JsonPathError as exc:
            raise InvalidMapping(where, f"invalid JSONPath {expression!r}: {exc}") from None

    def matches(self, value: str | None) -> bool:
        return self.matches_parsed(_parse_json(value))

    def matches_parsed(self, parsed: Any) -> bool:
        if parsed is _NOT_JSON:
            return False
        found = self.path.find(parsed)
        if self.sub is None:
            return any(v is not None and v != [] for v in found)
        if not found:
            return self.sub.matches(None)
        return any(self.sub.matches(jsonpath.as_text(v)) for v in found)

    def to_json(self) -> dict[str, Any]:
        if self.sub is None:
            return {"matchesJsonPath": self.expression}
        return {"matchesJsonPath": {"expression": self.expression, **self.sub.to_json()}}


class Logical(ValuePattern):
    def __init__(self, key: str, parts: list[ValuePattern]) -> None:
        self.key = key
        self.parts = parts

    def matches(self, value: str | None) -> bool:
        if self.key == "and":
            return all(p.matches(value) for p in self.parts)
        return any(p.matches(value) for p in self.parts)

    def distance(self, value: str | None) -> float:
        distances = [p.distance(value) for p in self.parts]
        return max(distances) if self.key == "and" else min(distances)

    def to_json(self) -> dict[str, Any]:
        return {self.key: [p.to_json() for p in self.parts]}


_NOT_JSON: Any = object()


def _parse_json(value: str | None) -> Any:
    if value is None:
        return _NOT_JSON
    try:
        return json.loads(value)
    except ValueError:
        return _NOT_JSON


UNSUPPORTED = {
    "equalToXml": "XML matching is not supported yet; match the body with `contains` or `matches`",
    "matchesXPath": "XPath matching is not supported yet; match the body with `contains`/`matches`",
    "before": "date-time matchers are not supported yet; use `matches` with a regex",
    "after": "date-time matchers are not supported yet; use `matches` with a regex",
    "equalToDateTime": "date-time matchers are not supported yet; use `matches` with a regex",
}


_MODIFIERS = frozenset({"caseInsensitive", "ignoreArrayOrder", "ignoreExtraElements"})
KNOWN = (
    "equalTo, contains, doesNotContain, matches, doesNotMatch, absent, anything, "
    "equalToJson, matchesJsonPath, binaryEqualTo, and, or"
)


def parse_pattern(spec: Any, where: str) -> ValuePattern:
    """A pattern from its JSON form, e.g. {"equalTo": "x", "caseInsensitive": true}."""
    if not isinstance(spec, dict):
        raise InvalidMapping(
            where, f'expected a matcher object such as {{"equalTo": "..."}}, found {spec!r}'
        )
    keys = [k for k in spec if k not in _MODIFIERS]
    if len(keys) != 1:
        raise InvalidMapping(
            where,
            f"expected exactly one matcher key, found {sorted(spec) or 'none'}",
            f"use one of: {KNOWN}",
        )
    key = keys[0]
    value = spec[key]
    if key in UNSUPPORTED:
        raise InvalidMapping(f"{where}.{key}", UNSUPPORTED[key])
    return _build(key, value, spec, f"{where}.{key}")


def _build(key: str, value: Any, spec: dict[str, Any], where: str) -> ValuePattern:
    if key in ("and", "or"):
        if not isinstance(value, list) or not value:
            raise InvalidMapping(where, f"expected a non-empty list of matchers, found {value!r}")
        return Logical(key, [parse_pattern(p, f"{where}[{i}]") for i, p in enumerate(value)])
    if key == "absent":
        return Absent() if value is not False else Anything()
    if key == "anything":
        return Anything()
    if key == "equalToJson":
        expected = value
        if isinstance(value, str):
            try:
                expected = json.loads(value)
            except ValueError as exc:
                raise InvalidMapping(
                    where, f"expected JSON (an object or a string of JSON): {exc}"
                ) from None
        return EqualToJson(
            expected,
            bool(spec.get("ignoreArrayOrder", False)),
            bool(spec.get("ignoreExtraElements", False)),
            value,
        )
    if key == "matchesJsonPath":
        if isinstance(value, str):
            return MatchesJsonPath(value, None, where)
        if isinstance(value, dict) and isinstance(value.get("expression"), str):
            rest = {k: v for k, v in value.items() if k != "expression"}
            sub = parse_pattern(rest, where) if rest else None
            return MatchesJsonPath(value["expression"], sub, where)
        raise InvalidMapping(
            where,
            f'expected a JSONPath string or {{"expression": "$...", <matcher>}}, found {value!r}',
        )
    if not isinstance(value, str):
        raise InvalidMapping(where, f"expected a string, found {json.dumps(value)}")
    if key == "equalTo":
        return EqualTo(value, bool(spec.get("caseInsensitive", False)))
    if key in ("contains", "doesNotContain"):
        return Contains(value, negate=key == "doesNotContain")
    if key in ("matches", "doesNotMatch"):
        return Matches(value, negate=key == "doesNotMatch", where=where)
    if key == "binaryEqualTo":
        return BinaryEqualTo(value, where)
    raise InvalidMapping(where, f"unknown matcher {key!r}", f"use one of: {KNOWN}")
