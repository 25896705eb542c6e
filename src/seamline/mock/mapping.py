"""A stub mapping in WireMock's JSON format: request pattern + response + metadata."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

from seamline.mock.errors import InvalidMapping
from seamline.mock.request_pattern import RequestPattern
from seamline.mock.response_def import ResponseDefinition
from seamline.mock.templating import TemplateSyntaxError
from seamline.mock.webhooks import parse_webhooks

MAPPING_KEYS = frozenset({
    "id", "uuid", "name", "priority", "request", "response", "scenarioName",
    "requiredScenarioState", "newScenarioState", "persistent", "metadata",
    "postServeActions", "serveEventListeners", "insertionIndex",
})  # fmt: skip
STARTED = "Started"
DEFAULT_PRIORITY = 5


class StubMapping:
    """One stub: a request pattern and the response (or fault) for requests that match it, in
    WireMock's JSON mapping format."""

    def __init__(self, spec: dict[str, Any], where: str = "$", files: Path | None = None) -> None:
        if not isinstance(spec, dict):
            raise InvalidMapping(where, f"expected a mapping object, found {json.dumps(spec)[:80]}")
        unknown = sorted(set(spec) - MAPPING_KEYS)
        if unknown:
            raise InvalidMapping(
                f"{where}.{unknown[0]}", f"unknown mapping field {unknown[0]!r}",
                f"use one of: {', '.join(sorted(MAPPING_KEYS))}",
            )  # fmt: skip
        spec = {**spec, "request": spec.get("request") or {}}  # WireMock: no request = any
        for key in ("scenarioName", "requiredScenarioState", "newScenarioState", "name"):
            if isinstance(spec.get(key), (int, float)):  # Jackson reads 5 as "5"
                value = spec[key]
                spec[key] = str(value).lower() if isinstance(value, bool) else str(value)
        self.spec = copy.deepcopy(spec)
        self.id = str(spec.get("id") or spec.get("uuid") or uuid.uuid4())
        try:
            uuid.UUID(self.id)
        except ValueError:
            raise InvalidMapping(f"{where}.id", f"expected a UUID, found {self.id!r}") from None
        self.spec["id"] = self.spec["uuid"] = self.id
        self.name = spec.get("name")
        priority = spec.get("priority")
        if isinstance(priority, str) and priority.strip().lstrip("-").isdigit():
            priority = int(priority)  # WireMock (Jackson) reads "3" as 3
            self.spec["priority"] = priority
        if priority is not None and (isinstance(priority, bool) or not isinstance(priority, int)):
            raise InvalidMapping(
                f"{where}.priority", f"expected an integer, found {json.dumps(priority)}"
            )
        self.priority = DEFAULT_PRIORITY if priority is None else priority
        self.request = RequestPattern(spec["request"], f"{where}.request")
        try:
            self.response = ResponseDefinition(
                spec.get("response", {}),
                f"{where}.response",
                files,
                path_template=spec["request"].get("urlPathTemplate"),
            )
        except TemplateSyntaxError as exc:  # say which stub: admin posts have no file name
            raise TemplateSyntaxError(
                exc.path, f"stub {self.label()!r}: {exc.reason}", exc.fix
            ) from None
        self.scenario = spec.get("scenarioName")
        self.required_state = spec.get("requiredScenarioState")
        self.new_state = spec.get("newScenarioState")
        for key in ("scenarioName", "requiredScenarioState", "newScenarioState", "name"):
            if key in spec and not isinstance(spec[key], str):
                raise InvalidMapping(
                    f"{where}.{key}", f"expected a string, found {json.dumps(spec[key])}"
                )
        if not self.scenario:  # WireMock ignores states without a scenario: the stub always serves
            self.required_state = self.new_state = None
        self.persistent = bool(spec.get("persistent", False))
        self.source: Path | None = None  # the file it was loaded from or saved to
        self.metadata = spec.get("metadata") or {}
        if not isinstance(self.metadata, dict):
            raise InvalidMapping(f"{where}.metadata", "expected an object")
        self.webhooks = parse_webhooks(spec, where)
        self.insertion = 0
        self.extra_headers = [("Matched-Stub-Id", self.id)]
        if self.name:
            self.extra_headers.append(("Matched-Stub-Name", str(self.name)))

    def to_json(self) -> dict[str, Any]:
        """The mapping in WireMock's JSON form, with the defaults WireMock writes out
        (`"method": "ANY"`, `"status": 200`)."""
        out = {k: v for k, v in self.spec.items() if k != "insertionIndex"}  # not written
        out["request"] = {"method": "ANY", **self.spec["request"]}
        out["response"] = {**(self.spec.get("response") or {})}
        out["response"].setdefault("status", 200)
        return out

    def label(self) -> str:
        """The stub's name, else its method and URL: how reports name it."""
        return self.name or f"{self.request.method} {_url_of(self.request.spec)}"

    def __repr__(self) -> str:
        return f"<StubMapping {self.id} {self.label()}>"


def _url_of(spec: dict[str, Any]) -> str:
    for key in ("url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate"):
        if key in spec:
            return str(spec[key])
    return "(any URL)"


def mappings_in(document: Any, where: str = "$") -> list[tuple[str, Any]]:
    """The mapping objects in a file: a single mapping or {"mappings": [...]}."""
    if isinstance(document, dict) and "mappings" in document and "request" not in document:
        items = document["mappings"]
        if not isinstance(items, list):
            raise InvalidMapping(f"{where}.mappings", "expected a list of mappings")
        return [(f"{where}.mappings[{i}]", item) for i, item in enumerate(items)]
    return [(where, document)]
