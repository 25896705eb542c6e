"""The JSON family of matchers: `equalToJson`, `matchesJsonPath` and `matchesJsonSchema`."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from seamline.mock import jsonpath
from seamline.mock.errors import InvalidMapping
from seamline.mock.jsonmatch import JsonExpectation
from seamline.mock.permissive_json import permissive_json
from seamline.mock.value_patterns import NOT_JSON, Absent, ValuePattern, parse_json


class EqualToJson(ValuePattern):
    key = "equalToJson"

    def __init__(self, expected: Any, ignore_order: bool, ignore_extra: bool, raw: Any) -> None:
        self.raw = raw
        self.ignore_order = ignore_order
        self.ignore_extra = ignore_extra
        self.expectation = JsonExpectation(expected, ignore_order, ignore_extra)

    def matches(self, value: str | None) -> bool:
        parsed = parse_json(value)
        return parsed is not NOT_JSON and self.expectation.matches(parsed)

    def matches_parsed(self, parsed: Any) -> bool:
        return parsed is not NOT_JSON and self.expectation.matches(parsed)

    def distance(self, value: str | None) -> float:
        parsed = parse_json(value)
        return 1.0 if parsed is NOT_JSON else self.expectation.distance(parsed)

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
        if value is None:  # Jayway reads nothing from no document: an empty result
            return self._matches_selected(None)
        parsed = parse_json(value)
        return self.matches_parsed(permissive_json(value) if parsed is NOT_JSON else parsed)

    def matches_parsed(self, parsed: Any) -> bool:
        if parsed is NOT_JSON:
            return False
        found = self.path.find(parsed)
        # Jayway answers one value for a definite path (null when nothing is there)
        # and a list of every selected node for any other.
        return self._matches_selected(
            (found[0] if found else None) if self.path.definite else found
        )

    def _matches_selected(self, selected: Any) -> bool:
        if self.sub is None:
            if isinstance(selected, (list, dict)):
                return bool(selected)
            return selected is not None
        texts = self._texts(selected)
        if not texts and isinstance(self.sub, Absent):
            return True  # WireMock lets only a direct `absent` match an empty result
        return any(self.sub.matches(text) for text in texts)

    def _texts(self, selected: Any) -> list[str]:
        """The values WireMock's getExpressionResult hands the sub-matcher: an object as
        Jackson pretty-prints it, each item of a list as Java's toString writes it."""
        if isinstance(selected, dict) or (
            isinstance(selected, list) and isinstance(self.sub, EqualToJson)
        ):
            return [jsonpath.jackson_pretty(selected)]
        if isinstance(selected, list):
            return [jsonpath.java_string(item) for item in selected if item is not None]
        if selected is None:
            return []
        return [jsonpath.as_text(selected)]

    def to_json(self) -> dict[str, Any]:
        if self.sub is None:
            return {"matchesJsonPath": self.expression}
        return {"matchesJsonPath": {"expression": self.expression, **self.sub.to_json()}}


_SCHEMA_VERSIONS: dict[str, type[Any]] = {
    "V4": jsonschema.Draft4Validator,
    "V6": jsonschema.Draft6Validator,
    "V7": jsonschema.Draft7Validator,
    "V201909": jsonschema.Draft201909Validator,
    "V202012": jsonschema.Draft202012Validator,
}


class MatchesJsonSchema(ValuePattern):
    """The value validates against a JSON schema. A value that is not JSON is taken as
    a JSON string, as WireMock does, so query parameters can be checked too."""

    key = "matchesJsonSchema"

    def __init__(self, schema: Any, version: str, where: str) -> None:
        self.raw = schema
        self.version = version
        document = schema
        if isinstance(schema, str):
            try:
                document = json.loads(schema)
            except ValueError as exc:
                raise InvalidMapping(where, f"expected a JSON schema: {exc}") from None
        validator_class = _SCHEMA_VERSIONS.get(version)
        if validator_class is None:
            raise InvalidMapping(
                f"{where}.schemaVersion",
                f"unknown schema version {version!r}",
                f"use one of: {', '.join(_SCHEMA_VERSIONS)}",
            )
        try:
            validator_class.check_schema(document)
        except jsonschema.SchemaError as exc:
            raise InvalidMapping(where, f"invalid JSON schema: {exc.message}") from None
        self._validator = validator_class(document)

    def matches(self, value: str | None) -> bool:
        if value is None:
            return False
        parsed = parse_json(value)
        return bool(self._validator.is_valid(value if parsed is NOT_JSON else parsed))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"matchesJsonSchema": self.raw}
        if self.version != "V202012":
            out["schemaVersion"] = self.version
        return out
