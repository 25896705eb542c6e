"""The fluent Python API. Every builder produces WireMock's JSON, which then goes
through the same parser as mapping files, so both behave the same.

    mock.stub(post("/charges")
              .with_json_body({"amount": 100}, ignore_extra_elements=True)
              .with_header("Idempotency-Key", present())
    ).reply(201, json={"id": "ch_1"})
    mock.verify(post("/charges"), times=1)
"""

from __future__ import annotations

import base64
from typing import Any


class Matcher:
    """A value matcher; `.to_json()` is WireMock's form of it."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def to_json(self) -> dict[str, Any]:
        """The matcher in WireMock's JSON form."""
        return dict(self.spec)

    def __repr__(self) -> str:
        return f"Matcher({self.spec!r})"


MatcherLike = Matcher | str


def _as_matcher(value: MatcherLike) -> dict[str, Any]:
    return value.to_json() if isinstance(value, Matcher) else {"equalTo": value}


def equal_to(value: str, *, case_insensitive: bool = False) -> Matcher:
    """Matches a value equal to `value` (ignoring case when asked)."""
    spec: dict[str, Any] = {"equalTo": value}
    if case_insensitive:
        spec["caseInsensitive"] = True
    return Matcher(spec)


def containing(value: str) -> Matcher:
    """Matches a value containing `value`."""
    return Matcher({"contains": value})


def not_containing(value: str) -> Matcher:
    """Matches a value not containing `value`."""
    return Matcher({"doesNotContain": value})


def matching(regex: str) -> Matcher:
    """Matches a value the regular expression `regex` matches whole."""
    return Matcher({"matches": regex})


def not_matching(regex: str) -> Matcher:
    """Matches a value the regular expression `regex` does not match."""
    return Matcher({"doesNotMatch": regex})


def absent() -> Matcher:
    """Matches when the header, parameter or cookie is not there."""
    return Matcher({"absent": True})


def present() -> Matcher:
    """Any value, as long as there is one (WireMock's `matching(".*")`)."""
    return Matcher({"matches": ".*"})


def equal_to_json(
    value: Any, *, ignore_array_order: bool = False, ignore_extra_elements: bool = False
) -> Matcher:
    """Matches a JSON body equal to `value`, optionally ignoring array order and extra fields."""
    spec: dict[str, Any] = {"equalToJson": value}
    if ignore_array_order:
        spec["ignoreArrayOrder"] = True
    if ignore_extra_elements:
        spec["ignoreExtraElements"] = True
    return Matcher(spec)


def matching_json_path(expression: str, matcher: MatcherLike | None = None) -> Matcher:
    """Matches a JSON body that has `expression` (whose value matches `matcher`, when given)."""
    if matcher is None:
        return Matcher({"matchesJsonPath": expression})
    return Matcher({"matchesJsonPath": {"expression": expression, **_as_matcher(matcher)}})


def and_(*matchers: Matcher) -> Matcher:
    """Matches when every one of `matchers` does."""
    return Matcher({"and": [m.to_json() for m in matchers]})


def or_(*matchers: Matcher) -> Matcher:
    """Matches when any one of `matchers` does."""
    return Matcher({"or": [m.to_json() for m in matchers]})


class RequestBuilder:
    """Which requests a stub answers, or which requests `verify` counts."""

    def __init__(self, method: str, url: str | Matcher | None) -> None:
        self.spec: dict[str, Any] = {"method": method}
        if isinstance(url, Matcher):
            key = next(iter(url.spec))
            self.spec["urlPathPattern" if key == "matches" else "urlPath"] = url.spec[key]
        elif url is not None:
            self.spec["url" if "?" in url else "urlPath"] = url

    def _add(self, section: str, name: str, matcher: MatcherLike) -> RequestBuilder:
        self.spec.setdefault(section, {})[name] = _as_matcher(matcher)
        return self

    def with_header(self, name: str, matcher: MatcherLike) -> RequestBuilder:
        """Match only requests whose header `name` matches (a string means equal to)."""
        return self._add("headers", name, matcher)

    def with_query_param(self, name: str, matcher: MatcherLike) -> RequestBuilder:
        """Match only requests whose query parameter `name` matches."""
        return self._add("queryParameters", name, matcher)

    def with_cookie(self, name: str, matcher: MatcherLike) -> RequestBuilder:
        """Match only requests whose cookie `name` matches."""
        return self._add("cookies", name, matcher)

    def with_basic_auth(self, username: str, password: str) -> RequestBuilder:
        """Match only requests with these HTTP basic credentials."""
        self.spec["basicAuthCredentials"] = {"username": username, "password": password}
        return self

    def with_body(self, matcher: MatcherLike) -> RequestBuilder:
        """Match only requests whose body matches `matcher` (several calls: all must match)."""
        self.spec.setdefault("bodyPatterns", []).append(_as_matcher(matcher))
        return self

    def with_json_body(
        self, value: Any, *, ignore_array_order: bool = False, ignore_extra_elements: bool = False
    ) -> RequestBuilder:
        """Match only requests whose JSON body equals `value` (see `equal_to_json`)."""
        matcher = equal_to_json(
            value,
            ignore_array_order=ignore_array_order,
            ignore_extra_elements=ignore_extra_elements,
        )
        return self.with_body(matcher)

    def with_json_path(self, expression: str, matcher: MatcherLike | None = None) -> RequestBuilder:
        """Match only requests whose JSON body has `expression` (matching `matcher` when given)."""
        return self.with_body(matching_json_path(expression, matcher))

    def to_json(self) -> dict[str, Any]:
        """The request pattern in WireMock's JSON form."""
        return dict(self.spec)


def _request(method: str) -> Any:
    def build(url: str | Matcher | None = None) -> RequestBuilder:
        return RequestBuilder(method, url)

    build.__name__ = method.lower()
    build.__doc__ = (
        f"Requests with method {method}; `url` is a path, a path?query, or matching(...)."
    )
    return build


get = _request("GET")
post = _request("POST")
put = _request("PUT")
patch = _request("PATCH")
delete = _request("DELETE")
head = _request("HEAD")
options = _request("OPTIONS")
any_request = _request("ANY")


def response_json(
    status: int = 200,
    *,
    json: Any = None,
    body: str | bytes | None = None,
    headers: dict[str, str | list[str]] | None = None,
    file: str | None = None,
    delay_ms: int | None = None,
    template: bool = False,
    status_message: str | None = None,
    dribble: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """WireMock's `response` object from keyword arguments."""
    spec: dict[str, Any] = {"status": status}
    if headers:
        spec["headers"] = dict(headers)
    if json is not None:
        spec["jsonBody"] = json
        spec.setdefault("headers", {}).setdefault("Content-Type", "application/json")
    elif isinstance(body, bytes):
        spec["base64Body"] = base64.b64encode(body).decode()
    elif body is not None:
        spec["body"] = body
    elif file is not None:
        spec["bodyFileName"] = file
    if delay_ms:
        spec["fixedDelayMilliseconds"] = delay_ms
    if template:
        spec["transformers"] = ["response-template"]
    if status_message is not None:
        spec["statusMessage"] = status_message
    if dribble is not None:
        spec["chunkedDribbleDelay"] = {"numberOfChunks": dribble[0], "totalDuration": dribble[1]}
    return spec
