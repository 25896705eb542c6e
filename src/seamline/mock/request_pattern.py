"""The `request` part of a stub mapping: which requests a stub answers.

A pattern compiles to a list of `Check`s (method, URL, each header, query
parameter, cookie, body pattern...). Matching stops at the first failing check;
near-miss reports run them all and show each one's expectation and distance.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from seamline.errors import did_you_mean
from seamline.mock.errors import InvalidMapping
from seamline.mock.incoming import NOT_JSON, ReceivedRequest
from seamline.mock.multipart_pattern import multipart_check
from seamline.mock.path_template import PathTemplate
from seamline.mock.patterns import (
    EqualTo,
    EqualToJson,
    Matches,
    MatchesJsonPath,
    ValuePattern,
    parse_pattern,
)
from seamline.mock.request_check import Check, list_of, mapping_of, values_check
from seamline.mock.value_patterns import BinaryEqualTo, Logical, Not

REQUEST_KEYS = frozenset({
    "method", "scheme", "host", "port", "clientIp", "url", "urlPattern", "urlPath",
    "urlPathPattern", "urlPathTemplate", "basicAuth",
    "pathParameters", "queryParameters", "formParameters", "headers", "cookies",
    "basicAuthCredentials",
    "bodyPatterns", "multipartPatterns", "customMatcher",
})  # fmt: skip
_URL_KEYS = ("url", "urlPattern", "urlPath", "urlPathPattern", "urlPathTemplate")


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
            if not r.body:  # WireMock hands string matchers null for an empty body
                return json_pattern.matches(None)
            parsed = r.json
            if parsed is NOT_JSON:  # JSONPath reads permissive JSON too: the slow way
                return isinstance(json_pattern, MatchesJsonPath) and json_pattern.matches(r.text)
            return json_pattern.matches_parsed(parsed)
    elif isinstance(pattern, BinaryEqualTo):

        def matches(r: ReceivedRequest) -> bool:  # the bytes, even none (not null)
            return pattern.matches_bytes(r.body)
    elif isinstance(pattern, (Logical, Not)):

        def matches(r: ReceivedRequest) -> bool:  # binaryEqualTo inside sees the bytes
            return pattern.matches_bytes(r.body if r.body else None)
    else:

        def matches(r: ReceivedRequest) -> bool:
            return pattern.matches(r.text if r.body else None)

    return Check(
        label, pattern.describe(), 1.0, matches,
        lambda r: pattern.distance(r.text if r.body else None),
        lambda r: r.text,
    )  # fmt: skip


def _url_check(key: str, value: Any, spec: dict[str, Any], where: str) -> Check:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)  # WireMock (Jackson) reads 5 as "5"
    if not isinstance(value, str):
        raise InvalidMapping(f"{where}.{key}", f"expected a string, found {json.dumps(value)}")
    whole = key in ("url", "urlPattern")

    def part(r: ReceivedRequest) -> str:
        return r.url if whole else r.path

    pattern: ValuePattern
    if key in ("url", "urlPath"):
        pattern = EqualTo(value)
    elif key == "urlPathTemplate":
        template = PathTemplate(value)
        return Check(
            "URL", f"[{key}] {value}", 10.0,
            lambda r: template.matches(r.path),
            lambda r: 0.0 if template.matches(r.path) else 1.0,
            part,
        )  # fmt: skip
    else:
        pattern = Matches(value, where=f"{where}.{key}")
    return Check(
        "URL", f"[{key}] {value}", 10.0,
        lambda r: pattern.matches(part(r)),
        lambda r: pattern.distance(part(r)),
        part,
    )  # fmt: skip


class RequestPattern:
    def __init__(self, spec: dict[str, Any], where: str = "request") -> None:
        if not isinstance(spec, dict):
            raise InvalidMapping(where, f"expected an object, found {json.dumps(spec)}")
        unknown = sorted(set(spec) - REQUEST_KEYS)
        if unknown:
            raise InvalidMapping(
                f"{where}.{unknown[0]}",
                f"unknown request field {unknown[0]!r}",
                f"use one of: {', '.join(sorted(REQUEST_KEYS))}"
                + did_you_mean(unknown[0], REQUEST_KEYS),
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
        # WireMock takes the first of url, urlPattern, urlPath, urlPathPattern and
        # urlPathTemplate that is given, and ignores the others.
        url_keys = [k for k in _URL_KEYS if spec.get(k) is not None]
        if url_keys:
            checks.append(_url_check(url_keys[0], spec[url_keys[0]], spec, where))
        checks += self._path_parameters(spec, where)
        for name, sub in mapping_of(spec, "queryParameters", where).items():
            checks.append(values_check(
                f"Query: {name}", sub, f"{where}.queryParameters.{name}",
                _query_values(name),
            ))  # fmt: skip
        for name, sub in mapping_of(spec, "formParameters", where).items():
            label, path = f"Form: {name}", f"{where}.formParameters.{name}"
            checks.append(values_check(label, sub, path, _form_values(name)))
        for name, sub in mapping_of(spec, "headers", where).items():
            checks.append(values_check(
                f"Header: {name}", sub, f"{where}.headers.{name}",
                _header_values(name),
            ))  # fmt: skip
        for name, sub in mapping_of(spec, "cookies", where).items():
            checks.append(values_check(
                f"Cookie: {name}", sub, f"{where}.cookies.{name}",
                _cookie_values(name), multi_allowed=False,
            ))  # fmt: skip
        checks += _origin_checks(spec, where)
        for key in ("basicAuthCredentials", "basicAuth"):  # WireMock reads both names
            if key in spec:
                checks.append(self._basic_auth(spec[key], where))
                break
        for index, body in enumerate(list_of(spec, "bodyPatterns", where)):
            checks.append(_body_check(parse_pattern(body, f"{where}.bodyPatterns[{index}]")))
        for index, multi in enumerate(list_of(spec, "multipartPatterns", where)):
            checks.append(multipart_check(multi, f"{where}.multipartPatterns[{index}]"))
        return checks

    def _path_parameters(self, spec: dict[str, Any], where: str) -> list[Check]:
        params = mapping_of(spec, "pathParameters", where)
        url_keys = [k for k in _URL_KEYS if spec.get(k) is not None]
        if not params or url_keys[:1] != ["urlPathTemplate"]:
            return []  # WireMock ignores path parameters unless the URL is a path template
        template = PathTemplate(str(spec["urlPathTemplate"]))
        checks = []
        for name, sub in params.items():

            def value(r: ReceivedRequest, n: str = name) -> list[str]:
                found = (template.parse(r.path) or {}).get(n)
                return [] if found is None else [found]

            checks.append(
                values_check(
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


def _host_and_port(r: ReceivedRequest) -> tuple[str, str]:
    """The Host header's host and port (the server's own port when none is given)."""
    host = r.headers.get("host") or ""
    name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if not name:
        name, port = host, ""
    return name, port or r.base_url.rpartition(":")[2]


def _origin_checks(spec: dict[str, Any], where: str) -> list[Check]:
    """`scheme`, `host`, `port` and `clientIp`: where the request came from and went to."""
    checks: list[Check] = []
    if spec.get("scheme") is not None:
        checks.append(
            values_check(
                "Scheme",
                {"equalTo": str(spec["scheme"])},
                f"{where}.scheme",
                lambda r: [r.base_url.partition(":")[0] or "http"],
            )
        )
    if spec.get("host") is not None:
        checks.append(
            values_check("Host", spec["host"], f"{where}.host", lambda r: [_host_and_port(r)[0]])
        )
    if spec.get("port") is not None:
        checks.append(
            values_check(
                "Port",
                {"equalTo": str(spec["port"])},
                f"{where}.port",
                lambda r: [_host_and_port(r)[1]],
            )
        )
    if spec.get("clientIp") is not None:
        checks.append(
            values_check(
                "Client IP", spec["clientIp"], f"{where}.clientIp", lambda r: [r.client_ip]
            )
        )
    return checks


def _query_values(name: str) -> Callable[[ReceivedRequest], list[str]]:
    return lambda r: r.query.get(name, [])


def _form_values(name: str) -> Callable[[ReceivedRequest], list[str]]:
    return lambda r: r.form.get(name, [])


def _header_values(name: str) -> Callable[[ReceivedRequest], list[str]]:
    return lambda r: r.headers.get_all(name)


def _cookie_values(name: str) -> Callable[[ReceivedRequest], list[str]]:
    return lambda r: r.cookies.get(name, [])
