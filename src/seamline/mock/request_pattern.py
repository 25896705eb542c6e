"""The `request` part of a stub mapping: which requests a stub answers.

A pattern compiles to a list of `Check`s (method, URL, each header, query
parameter, cookie, body pattern...). Matching stops at the first failing check;
near-miss reports run them all and show each one's expectation and distance.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from seamline.mock.errors import InvalidMapping
from seamline.mock.incoming import NOT_JSON, Part, ReceivedRequest
from seamline.mock.patterns import (
    EqualTo,
    EqualToJson,
    Matches,
    MatchesJsonPath,
    ValuePattern,
    parse_pattern,
)

REQUEST_KEYS = frozenset({
    "method", "url", "urlPattern", "urlPath", "urlPathPattern", "urlPathTemplate",
    "pathParameters", "queryParameters", "headers", "cookies", "basicAuthCredentials",
    "bodyPatterns", "multipartPatterns", "customMatcher",
})  # fmt: skip
_URL_KEYS = ("url", "urlPattern", "urlPath", "urlPathPattern", "urlPathTemplate")


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


def _single(pattern: ValuePattern, values: list[str]) -> bool:
    if not values:
        return pattern.matches(None)
    return any(pattern.matches(v) for v in values)


def _single_distance(pattern: ValuePattern, values: list[str]) -> float:
    if not values:
        return pattern.distance(None)
    return min(pattern.distance(v) for v in values)


def _values_check(
    label: str, spec: Any, where: str, values: Callable[[ReceivedRequest], list[str]]
) -> Check:
    if isinstance(spec, dict) and len(spec) == 1 and next(iter(spec)) in ("hasExactly", "includes"):
        key = next(iter(spec))
        items = spec[key]
        if not isinstance(items, list):
            raise InvalidMapping(f"{where}.{key}", f"expected a list of matchers, found {items!r}")
        multi = MultiValue(
            key, [parse_pattern(p, f"{where}.{key}[{i}]") for i, p in enumerate(items)]
        )
        return Check(
            label, multi.describe(), 1.0,
            lambda r: multi.matches_values(values(r)),
            lambda r: 0.0 if multi.matches_values(values(r)) else 1.0,
            lambda r: ", ".join(values(r)) or "(absent)",
        )  # fmt: skip
    pattern = parse_pattern(spec, where)
    return Check(
        label, pattern.describe(), 1.0,
        lambda r: _single(pattern, values(r)),
        lambda r: _single_distance(pattern, values(r)),
        lambda r: ", ".join(values(r)) or "(absent)",
    )  # fmt: skip


def _body_check(pattern: ValuePattern, label: str = "Body") -> Check:
    if isinstance(pattern, EqualToJson) and pattern.expectation.strict:
        # The hot path of "100 stubs on one URL told apart by JSON body": one native !=.
        expected, walk = pattern.expectation.expected, pattern.expectation.matches

        def matches(r: ReceivedRequest) -> bool:
            parsed = r.json
            if parsed is NOT_JSON or parsed != expected:
                return False
            return walk(parsed)
    elif isinstance(pattern, (EqualToJson, MatchesJsonPath)):
        json_pattern = pattern

        def matches(r: ReceivedRequest) -> bool:
            parsed = r.json
            return parsed is not NOT_JSON and json_pattern.matches_parsed(parsed)
    else:

        def matches(r: ReceivedRequest) -> bool:
            return pattern.matches(r.text if r.body else None)

    return Check(
        label, pattern.describe(), 1.0, matches,
        lambda r: pattern.distance(r.text if r.body else None),
        lambda r: r.text,
    )  # fmt: skip


def _url_check(key: str, value: Any, spec: dict[str, Any], where: str) -> Check:
    if not isinstance(value, str):
        raise InvalidMapping(f"{where}.{key}", f"expected a string, found {json.dumps(value)}")
    whole = key in ("url", "urlPattern")

    def part(r: ReceivedRequest) -> str:
        return r.url if whole else r.path

    pattern: ValuePattern
    if key in ("url", "urlPath"):
        pattern = EqualTo(value)
    elif key == "urlPathTemplate":
        regex = re.sub(
            r"\\\{([^/]+?)\\\}", lambda m: f"(?P<{_group(m.group(1))}>[^/]+)", re.escape(value)
        )
        pattern = Matches(regex, where=f"{where}.{key}")
    else:
        pattern = Matches(value, where=f"{where}.{key}")
    return Check(
        "URL", f"[{key}] {value}", 10.0,
        lambda r: pattern.matches(part(r)),
        lambda r: pattern.distance(part(r)),
        part,
    )  # fmt: skip


def _group(name: str) -> str:
    return re.sub(r"\W", "_", name)


class RequestPattern:
    def __init__(self, spec: dict[str, Any], where: str = "request") -> None:
        if not isinstance(spec, dict):
            raise InvalidMapping(where, f"expected an object, found {json.dumps(spec)}")
        unknown = sorted(set(spec) - REQUEST_KEYS)
        if unknown:
            raise InvalidMapping(
                f"{where}.{unknown[0]}",
                f"unknown request field {unknown[0]!r}",
                f"use one of: {', '.join(sorted(REQUEST_KEYS))}",
            )
        if "customMatcher" in spec:
            raise InvalidMapping(f"{where}.customMatcher", "custom (Java) matchers cannot run here")
        self.spec = spec
        self.method = str(spec.get("method", "ANY")).upper()
        self.checks = self._compile(spec, where)
        self._matchers = tuple(check.matches for check in self.checks)

    def _compile(self, spec: dict[str, Any], where: str) -> list[Check]:
        checks: list[Check] = []
        if self.method != "ANY":
            method = self.method
            checks.append(Check(
                "Method", method, 3.0,
                lambda r: r.method == method,
                lambda r: 0.0 if r.method == method else 1.0,
                lambda r: r.method,
            ))  # fmt: skip
        url_keys = [k for k in _URL_KEYS if k in spec]
        if len(url_keys) > 1:
            raise InvalidMapping(where, f"expected at most one URL matcher, found {url_keys}")
        for key in url_keys:
            checks.append(_url_check(key, spec[key], spec, where))
        checks += self._path_parameters(spec, where)
        for name, sub in _mapping(spec, "queryParameters", where).items():
            checks.append(_values_check(
                f"Query: {name}", sub, f"{where}.queryParameters.{name}",
                _query_values(name),
            ))  # fmt: skip
        for name, sub in _mapping(spec, "headers", where).items():
            checks.append(_values_check(
                f"Header: {name}", sub, f"{where}.headers.{name}",
                _header_values(name),
            ))  # fmt: skip
        for name, sub in _mapping(spec, "cookies", where).items():
            checks.append(_values_check(
                f"Cookie: {name}", sub, f"{where}.cookies.{name}",
                _cookie_values(name),
            ))  # fmt: skip
        if "basicAuthCredentials" in spec:
            checks.append(self._basic_auth(spec["basicAuthCredentials"], where))
        for index, body in enumerate(_list(spec, "bodyPatterns", where)):
            checks.append(_body_check(parse_pattern(body, f"{where}.bodyPatterns[{index}]")))
        for index, multi in enumerate(_list(spec, "multipartPatterns", where)):
            checks.append(_multipart_check(multi, f"{where}.multipartPatterns[{index}]"))
        return checks

    def _path_parameters(self, spec: dict[str, Any], where: str) -> list[Check]:
        params = _mapping(spec, "pathParameters", where)
        template = spec.get("urlPathTemplate")
        if params and not isinstance(template, str):
            raise InvalidMapping(f"{where}.pathParameters", "pathParameters need a urlPathTemplate")
        checks = []
        for name, sub in params.items():
            if "{" + name + "}" not in str(template):
                raise InvalidMapping(
                    f"{where}.pathParameters.{name}", f"{{{name}}} is not in the template"
                )
            regex = re.compile(
                re.sub(
                    r"\\\{([^/]+?)\\\}",
                    lambda m: f"(?P<{_group(m.group(1))}>[^/]+)",
                    re.escape(str(template)),
                )
            )

            def value(
                r: ReceivedRequest, n: str = _group(name), rx: re.Pattern[str] = regex
            ) -> list[str]:
                found = rx.fullmatch(r.path)
                return [found.group(n)] if found else []

            checks.append(
                _values_check(
                    f"Path parameter: {name}", sub, f"{where}.pathParameters.{name}", value
                )
            )
        return checks

    def _basic_auth(self, creds: Any, where: str) -> Check:
        if not isinstance(creds, dict) or not {"username", "password"} <= set(creds):
            raise InvalidMapping(
                f"{where}.basicAuthCredentials",
                f'expected {{"username": ..., "password": ...}}, found {json.dumps(creds)}',
            )
        expected = (str(creds["username"]), str(creds["password"]))
        token = base64.b64encode(f"{expected[0]}:{expected[1]}".encode()).decode()
        return Check(
            "Header: Authorization", f"Basic {token}", 1.0,
            lambda r: r.basic_auth == expected,
            lambda r: 0.0 if r.basic_auth == expected else 1.0,
            lambda r: r.headers.get("authorization") or "(absent)",
        )  # fmt: skip

    def matches(self, request: ReceivedRequest) -> bool:
        for matches in self._matchers:  # noqa: SIM110 - a plain loop is faster on this hot path
            if not matches(request):
                return False
        return True

    def distance(self, request: ReceivedRequest) -> float:
        if not self.checks:
            return 0.0
        total = sum(c.weight for c in self.checks)
        return sum(c.weight * c.distance(request) for c in self.checks) / total

    def to_json(self) -> dict[str, Any]:
        return self.spec


def _query_values(name: str) -> Callable[[ReceivedRequest], list[str]]:
    return lambda r: r.query.get(name, [])


def _header_values(name: str) -> Callable[[ReceivedRequest], list[str]]:
    return lambda r: r.headers.get_all(name)


def _cookie_values(name: str) -> Callable[[ReceivedRequest], list[str]]:
    return lambda r: r.cookies.get(name, [])


def _mapping(spec: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = spec.get(key, {})
    if not isinstance(value, dict):
        raise InvalidMapping(
            f"{where}.{key}", f"expected an object of name -> matcher, found {json.dumps(value)}"
        )
    return value


def _list(spec: dict[str, Any], key: str, where: str) -> list[Any]:
    value = spec.get(key, [])
    if not isinstance(value, list):
        raise InvalidMapping(
            f"{where}.{key}", f"expected a list of matchers, found {json.dumps(value)}"
        )
    return value


def _multipart_check(spec: Any, where: str) -> Check:
    if not isinstance(spec, dict):
        raise InvalidMapping(where, f"expected an object, found {json.dumps(spec)}")
    matching = str(spec.get("matchingType", "ANY")).upper()
    if matching not in ("ANY", "ALL"):
        raise InvalidMapping(f"{where}.matchingType", f"expected ANY or ALL, found {matching!r}")
    header_checks = [
        (name, parse_pattern(sub, f"{where}.headers.{name}"))
        for name, sub in _mapping(spec, "headers", where).items()
    ]
    body_checks = [
        parse_pattern(body, f"{where}.bodyPatterns[{i}]")
        for i, body in enumerate(_list(spec, "bodyPatterns", where))
    ]

    def part_matches(part: Part) -> bool:
        return all(_single(p, part.headers.get_all(n)) for n, p in header_checks) and all(
            p.matches(part.text) for p in body_checks
        )

    def matches(r: ReceivedRequest) -> bool:
        parts = r.parts
        if not parts:
            return False
        return any(map(part_matches, parts)) if matching == "ANY" else all(map(part_matches, parts))

    return Check(
        "Multipart", json.dumps(spec), 1.0, matches,
        lambda r: 0.0 if matches(r) else 1.0,
        lambda r: f"{len(r.parts)} part(s)",
    )  # fmt: skip
