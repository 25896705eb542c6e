"""The pieces a request pattern is compiled to: one `Check` per field, and the checks
of named values (headers, query/form parameters, cookies) with `hasExactly`/`includes`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from seamline.mock.errors import InvalidMapping
from seamline.mock.incoming import ReceivedRequest
from seamline.mock.patterns import ValuePattern, parse_pattern


@dataclass(frozen=True)
class Check:
    label: str
    expected: str
    weight: float
    matches: Callable[[ReceivedRequest], bool]
    distance: Callable[[ReceivedRequest], float]
    actual: Callable[[ReceivedRequest], str]


class MultiValue:
    """`hasExactly` / `includes`: patterns over all values of a header or parameter."""

    def __init__(self, key: str, patterns: list[ValuePattern]) -> None:
        self.key = key
        self.patterns = patterns

    def matches_values(self, values: list[str]) -> bool:
        found = all(any(p.matches(v) for v in values) for p in self.patterns)
        if self.key == "includes":
            return found
        return found and len(values) == len(self.patterns)

    def describe(self) -> str:
        return f"[{self.key}] " + json.dumps([p.to_json() for p in self.patterns])


def single_matches(pattern: ValuePattern, values: list[str]) -> bool:
    if not values:
        return pattern.matches(None)
    return any(pattern.matches(v) for v in values)


def single_distance(pattern: ValuePattern, values: list[str]) -> float:
    if not values:
        return pattern.distance(None)
    return min(pattern.distance(v) for v in values)


def values_check(
    label: str,
    spec: Any,
    where: str,
    values: Callable[[ReceivedRequest], list[str]],
    multi_allowed: bool = True,
) -> Check:
    if isinstance(spec, dict) and len(spec) == 1 and next(iter(spec)) in ("hasExactly", "includes"):
        key = next(iter(spec))
        if not multi_allowed:  # WireMock 3.13 reads a cookie matcher as one value's pattern
            raise InvalidMapping(
                where,
                f"{json.dumps(spec)} is not a valid match operation",
                "match one cookie value (equalTo, matches, ...); hasExactly and includes "
                "are for headers and query or form parameters",
            )
        items = spec[key]
        if not isinstance(items, list):
            raise InvalidMapping(f"{where}.{key}", f"expected a list of matchers, found {items!r}")
        multi = MultiValue(
            key, [parse_pattern(p, f"{where}.{key}[{i}]") for i, p in enumerate(items)]
        )
        return Check(
            label,
            multi.describe(),
            1.0,
            lambda r: multi.matches_values(values(r)),
            lambda r: 0.0 if multi.matches_values(values(r)) else 1.0,
            lambda r: ", ".join(values(r)) or "(absent)",
        )
    pattern = parse_pattern(spec, where)
    return Check(
        label,
        pattern.describe(),
        1.0,
        lambda r: single_matches(pattern, values(r)),
        lambda r: single_distance(pattern, values(r)),
        lambda r: ", ".join(values(r)) or "(absent)",
    )


def mapping_of(spec: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = spec.get(key, {})
    if not isinstance(value, dict):
        raise InvalidMapping(
            f"{where}.{key}", f"expected an object of name -> matcher, found {json.dumps(value)}"
        )
    return value


def list_of(spec: dict[str, Any], key: str, where: str) -> list[Any]:
    value = spec.get(key, [])
    if not isinstance(value, list):
        raise InvalidMapping(
            f"{where}.{key}", f"expected a list of matchers, found {json.dumps(value)}"
        )
    return value
