"""Noise rules: the volatile parts of an exchange that recordings match whatever their value
and that drift ignores.

    noise = Noise.for_provider(ignore=["trace_id"], openapi=contract.document)
    noise.relax(mapping["request"])     # volatile JSON fields and query parameters match anything
    noise.ignores_header("Date")        # True: a default

A field is volatile when the provider's OpenAPI says so (`format: uuid`, `date-time` or `date`,
or `readOnly: true`: ids and timestamps the provider makes), when `[recordings] ignore` names it,
or (headers) when it is one of DEFAULT_NOISE_HEADERS. A JSON string holding a loopback URL with
a port (`http://127.0.0.1:40123/...`, a callback address) is volatile too: ports change per run.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from seamline.masking import SecretNames

# Headers that differ between two answers to the same request without meaning anything.
DEFAULT_NOISE_HEADERS = frozenset(
    {
        "date",
        "x-request-id",
        "x-correlation-id",
        "traceparent",
        "tracestate",
        "server",
        "content-length",
        "etag",
        "last-modified",
        "age",
        "expires",
        "set-cookie",
        "via",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "request-id",
    }
)
VOLATILE_FORMATS = frozenset({"uuid", "date-time", "date"})
ANY_VALUE = "${json-unit.ignore}"
# A loopback address with a port is an ephemeral one (a callback URL the consumer passes on):
# it changes every run, so it never decides a match.
LOOPBACK_URL = re.compile(r"^[a-z][a-z0-9+.-]*://(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+")


@dataclass(frozen=True)
class Noise:
    """The volatile names of one provider's exchanges (lower case)."""

    fields: frozenset[str] = frozenset()
    headers: frozenset[str] = DEFAULT_NOISE_HEADERS
    # secret-named fields are masked in a recording: never a match's or a drift's business
    secrets: SecretNames | None = None

    @classmethod
    def for_provider(
        cls, ignore: Iterable[str] = (), openapi: Any = None, secrets: Iterable[str] = ()
    ) -> Noise:
        """Rules from `[recordings] ignore`, the provider's OpenAPI document (if any) and the
        secret names (`[report] secret_names`)."""
        named = {name.lower() for name in ignore}
        from_contract = set(_volatile_names(openapi)) if isinstance(openapi, dict) else set()
        return cls(
            frozenset(named | from_contract), DEFAULT_NOISE_HEADERS | named, SecretNames(secrets)
        )

    def ignores_field(self, name: str) -> bool:
        return name.lower() in self.fields or (
            self.secrets is not None and self.secrets.matches(name)
        )

    def ignores_header(self, name: str) -> bool:
        return name.lower() in self.headers

    def relax(self, pattern: dict[str, Any]) -> dict[str, Any]:
        """A WireMock request pattern in which volatile JSON body fields and query parameters
        match any value (the pattern is changed in place and returned)."""
        for name, matcher in list(pattern.get("queryParameters", {}).items()):
            if self.ignores_field(name) and "matches" not in matcher:
                pattern["queryParameters"][name] = {"matches": ".*"}
        for body in pattern.get("bodyPatterns", []):
            expected = body.get("equalToJson")
            if not isinstance(expected, str):
                continue
            document = json.loads(expected)
            relaxed = self.blank(document)
            if relaxed != document:
                body["equalToJson"] = json.dumps(relaxed, ensure_ascii=False)
        return pattern

    def blank(self, value: Any) -> Any:
        """`value` (parsed JSON) with every volatile field's value replaced by ANY_VALUE."""
        if isinstance(value, dict):
            return {
                key: ANY_VALUE if self.ignores_field(key) else self.blank(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.blank(item) for item in value]
        return ANY_VALUE if self.volatile_value(value) else value

    def answer_key(self, response: dict[str, Any]) -> str:
        """A recorded response (a WireMock `response`) as text to compare answers by: noise
        headers left out, volatile JSON fields blanked. Two answers that differ only in their
        `Date` are the same answer."""
        kept = dict(response)
        headers = kept.get("headers")
        if isinstance(headers, dict):
            kept["headers"] = {k: v for k, v in headers.items() if not self.ignores_header(k)}
        if "jsonBody" in kept:
            kept["jsonBody"] = self.blank(kept["jsonBody"])
        elif isinstance(kept.get("body"), str):
            with contextlib.suppress(ValueError):
                kept["body"] = self.blank(json.loads(kept["body"]))
        return json.dumps(kept, sort_keys=True, default=str)

    @staticmethod
    def volatile_value(value: Any) -> bool:
        """Whether `value` changes between runs whatever its field (a loopback URL's port)."""
        return isinstance(value, str) and LOOPBACK_URL.match(value) is not None


def _volatile_names(document: dict[str, Any]) -> Iterator[str]:
    """Property and parameter names whose schema is an id or a time the provider makes."""
    schemas = document.get("components", {}).get("schemas", {})
    for node in _walk(document):
        for name, schema in (node.get("properties") or {}).items():
            if isinstance(schema, dict) and _volatile(_deref(schema, schemas)):
                yield name.lower()
        if node.get("in") in ("query", "header") and isinstance(node.get("name"), str):
            schema = node.get("schema")
            if isinstance(schema, dict) and _volatile(_deref(schema, schemas)):
                yield node["name"].lower()


def _volatile(schema: dict[str, Any]) -> bool:
    return schema.get("format") in VOLATILE_FORMATS or schema.get("readOnly") is True


def _deref(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        found = schemas.get(ref.rsplit("/", 1)[-1])
        return found if isinstance(found, dict) else schema
    return schema


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)
