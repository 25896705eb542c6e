"""A value matcher from its WireMock JSON form: the one table of matcher names.

`parse_pattern({"equalTo": "x", "caseInsensitive": true}, where)` picks the first
key that names a matcher, as WireMock does, and leaves the other keys to that
matcher as its options; a matcher object naming none is a load error with the list.
The families live in value_patterns (text), patterns_json, patterns_xml and
patterns_dates.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from typing import Any

from seamline.mock.errors import InvalidMapping
from seamline.mock.patterns_dates import DateTimePattern
from seamline.mock.patterns_json import EqualToJson, MatchesJsonPath, MatchesJsonSchema
from seamline.mock.patterns_xml import EqualToXml, MatchesXPath
from seamline.mock.value_patterns import (
    Absent,
    Anything,
    BinaryEqualTo,
    Contains,
    EqualTo,
    Logical,
    Matches,
    Not,
    ValuePattern,
)

__all__ = [
    "KNOWN",
    "EqualTo",
    "EqualToJson",
    "Matches",
    "MatchesJsonPath",
    "ValuePattern",
    "parse_pattern",
]

Builder = Callable[[Any, dict[str, Any], str], ValuePattern]


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidMapping(where, f"expected a string, found {json.dumps(value)}")
    return value


def _patterns(value: Any, where: str) -> list[ValuePattern]:
    if not isinstance(value, list) or not value:
        raise InvalidMapping(where, f"expected a non-empty list of matchers, found {value!r}")
    return [parse_pattern(p, f"{where}[{i}]") for i, p in enumerate(value)]


def _equal_to_json(value: Any, spec: dict[str, Any], where: str) -> ValuePattern:
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


def _with_expression(
    value: Any, where: str, kind: str
) -> tuple[str, ValuePattern | None, dict[str, Any]]:
    """`"$.a"` or `{"expression": "$.a", <matcher>}` (JSONPath and XPath alike)."""
    if isinstance(value, str):
        return value, None, {}
    if isinstance(value, dict) and isinstance(value.get("expression"), str):
        rest = {k: v for k, v in value.items() if k not in ("expression", "xPathNamespaces")}
        sub = parse_pattern(rest, where) if rest else None
        return value["expression"], sub, value
    raise InvalidMapping(
        where, f'expected a {kind} string or {{"expression": "...", <matcher>}}, found {value!r}'
    )


def _json_path(value: Any, spec: dict[str, Any], where: str) -> ValuePattern:
    expression, sub, _ = _with_expression(value, where, "JSONPath")
    return MatchesJsonPath(expression, sub, where)


def _xpath(value: Any, spec: dict[str, Any], where: str) -> ValuePattern:
    expression, sub, inner = _with_expression(value, where, "XPath")
    namespaces = spec.get("xPathNamespaces", inner.get("xPathNamespaces"))
    return MatchesXPath(expression, sub, namespaces, where)


def _json_schema(value: Any, spec: dict[str, Any], where: str) -> ValuePattern:
    return MatchesJsonSchema(value, str(spec.get("schemaVersion") or "V202012"), where)


_BUILDERS: dict[str, Builder] = {
    "equalTo": lambda v, s, w: EqualTo(_text(v, w), bool(s.get("caseInsensitive", False))),
    "equalToJson": _equal_to_json,
    "matchesJsonPath": _json_path,
    "matchesJsonSchema": _json_schema,
    "equalToXml": lambda v, s, w: EqualToXml({**s, "equalToXml": v}, w),
    "matchesXPath": _xpath,
    "contains": lambda v, s, w: Contains(_text(v, w)),
    "not": lambda v, s, w: Not(parse_pattern(v, w)),
    "doesNotContain": lambda v, s, w: Contains(_text(v, w), negate=True),
    "matches": lambda v, s, w: Matches(_text(v, w), where=w),
    "doesNotMatch": lambda v, s, w: Matches(_text(v, w), negate=True, where=w),
    "before": lambda v, s, w: DateTimePattern("before", s, w),
    "after": lambda v, s, w: DateTimePattern("after", s, w),
    "equalToDateTime": lambda v, s, w: DateTimePattern("equalToDateTime", s, w),
    "anything": lambda v, s, w: Anything(),
    # WireMock 3.13 reads the key alone: {"absent": false} is absent too.
    "absent": lambda v, s, w: Absent(),
    "and": lambda v, s, w: Logical("and", _patterns(v, w)),
    "or": lambda v, s, w: Logical("or", _patterns(v, w)),
    "binaryEqualTo": lambda v, s, w: BinaryEqualTo(_text(v, w), w),
}
KNOWN = ", ".join(_BUILDERS)


def parse_pattern(spec: Any, where: str) -> ValuePattern:
    """A pattern from its JSON form, e.g. {"equalTo": "x", "caseInsensitive": true}."""
    if not isinstance(spec, dict):
        raise InvalidMapping(
            where, f'expected a matcher object such as {{"equalTo": "..."}}, found {spec!r}'
        )
    key = next((k for k in spec if k in _BUILDERS), None)
    if key is None:
        names = sorted(spec)
        near = difflib.get_close_matches(names[0], _BUILDERS, 1) if names else []
        hint = f"did you mean {near[0]!r}? " if near else ""
        raise InvalidMapping(
            f"{where}.{names[0]}" if names else where,
            f"unknown matcher {names[0]!r}" if names else "expected a matcher, found none",
            f"{hint}use one of: {KNOWN}",
        )
    return _BUILDERS[key](spec[key], spec, f"{where}.{key}")
