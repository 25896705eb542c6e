"""Validate exchanges against an OpenAPI 3.0 or 3.1 document.

Operations are matched by method and path template (literal segments win over
parameters). Request bodies, required parameters, response statuses and
response bodies are checked; each problem becomes a `Violation` with the
JSON pointer of the offending field, what was expected and what was found.
Validators are compiled once per schema, so a check costs tens of microseconds.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema.protocols import Validator
from openapi_schema_validator import (
    OAS30Validator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from seamline.contracts.document import document_problems, load_yaml, with_lines
from seamline.contracts.schema_errors import explain, leaves
from seamline.errors import ConfigProblem, SeamlineError
from seamline.records.exchange import Exchange, Violation

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAM = re.compile(r"\{([^}/]+)\}")


class ContractError(SeamlineError):
    """The OpenAPI document itself cannot be used; `problems` says where, when it can."""

    def __init__(self, message: str, problems: list[ConfigProblem] | None = None) -> None:
        self.problems = problems or []
        details = "".join("\n  " + p.render() for p in self.problems)
        super().__init__(message + details)


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    pointer: str  # JSON pointer of the operation object in the document
    spec: dict[str, Any]
    parameters: tuple[dict[str, Any], ...]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.template}"


class Contract:
    """The provider's OpenAPI 3.0 / 3.1 document, against which every exchange into it is checked:
    `Contract.load(path).check(exchange)` lists the violations."""

    def __init__(self, document: dict[str, Any], source: Path | str = "<contract>") -> None:
        version = _version(document, source)
        self.source = str(source)
        self.document = document
        self._v30 = version.startswith("3.0")
        self._uri = f"urn:seamline:contract:{abs(hash(self.source))}"
        spec = DRAFT4 if self._v30 else DRAFT202012
        self._registry: Registry[Any] = Registry().with_resource(
            self._uri, Resource.from_contents(document, default_specification=spec)
        )
        self._validators: dict[str, Validator] = {}
        self._seen: dict[tuple[str, bytes], list[tuple[str, str, str]]] = {}
        self.operations = self._collect_operations()

    @classmethod
    def load(cls, path: Path, *, checked: bool = False) -> Contract:
        """The contract in the YAML or JSON file at `path`; a `ContractError` says what the file
        lacks. `checked`: the document was found valid already (`System.start` checks every
        document first), so its schemas are not checked again (~40 ms of the shop's start)."""
        try:
            text = path.read_text(encoding="utf-8")
            document = load_yaml(text) if path.suffix in (".yaml", ".yml") else json.loads(text)
        except (OSError, ValueError, yaml.YAMLError) as err:
            raise ContractError(f"{path}: cannot read the OpenAPI document: {err}") from None
        if not isinstance(document, dict):
            raise ContractError(
                f"{path}: expected an OpenAPI document (a mapping), found {type(document).__name__}"
            )
        v30 = _version(document, path).startswith("3.0")
        problems = [] if checked else with_lines(document_problems(document, v30, path), text)
        if problems:
            count = len(problems)
            raise ContractError(
                f"{path}: the OpenAPI document is invalid ({count} problem{'s' * (count > 1)}):",
                problems,
            )
        return cls(document, path)

    def _collect_operations(self) -> list[Operation]:
        found: list[Operation] = []
        for template, raw_item in (self.document.get("paths") or {}).items():
            item = self._deref(raw_item)
            shared = tuple(self._deref(p) for p in item.get("parameters", []))
            regex = (
                "^"
                + _PARAM.sub(
                    r"(?P<\1>[^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
                )
                + "$"
            )
            for method in METHODS:
                if method in item:
                    own = tuple(self._deref(p) for p in item[method].get("parameters", []))
                    names = {(p.get("in"), p.get("name")) for p in own}
                    params = own + tuple(
                        p for p in shared if (p.get("in"), p.get("name")) not in names
                    )
                    pointer = f"/paths/{_escape(template)}/{method}"
                    found.append(
                        Operation(
                            method, template, re.compile(regex), pointer, item[method], params
                        )
                    )
        # literal segments before parameters: /charges/search wins over /charges/{id}
        found.sort(key=lambda op: (op.template.count("{"), -len(op.template)))
        return found

    def _deref(self, value: Any) -> Any:
        while isinstance(value, dict) and "$ref" in value:
            ref = value["$ref"]
            if not ref.startswith("#/"):
                raise ContractError(f"{self.source}: only local $refs are supported, found {ref!r}")
            value = self.document
            for part in ref[2:].split("/"):
                value = value[part.replace("~1", "/").replace("~0", "~")]
        return value

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation `method path` (a concrete path, e.g. `/orders/7`) falls under, or None."""
        for op in self.operations:
            if op.method == method.lower() and op.pattern.match(path):
                return op
        return None

    def check(self, exchange: Exchange) -> list[Violation]:
        """Every way `exchange` breaks the contract (an operation it does not have, a request or
        response body, status or header it does not allow); empty when it keeps it."""
        request = exchange.request
        op = self.operation(request.method, request.path)
        if op is None and _is_cors_preflight(exchange):
            return []  # the browser asking; CORS middleware answers, not an API operation
        if op is None:
            known = ", ".join(sorted({o.label for o in self.operations})) or "none"
            return [
                Violation(
                    exchange.seam,
                    f"{request.method} {request.path}",
                    "request",
                    "operation",
                    f"an operation declared in {Path(self.source).name} ({known})",
                    f"'{request.method} {request.path}'",
                )
            ]
        violations = self._check_request(exchange, op)
        if _unmatched_stub(exchange):
            # the stub server's near-miss report, not the provider's answer: say that
            violations.append(
                self._violation(
                    exchange,
                    op,
                    "response",
                    "stub",
                    "a stub matching the request (the seam is on a stub)",
                    "none: the 404 is the stub server's list of near misses, in the exchange's "
                    "body; add a stub for it or switch the seam to real",
                )
            )
        elif exchange.response is not None:
            violations += self._check_response(exchange, op)
        return violations

    def _violation(
        self, exchange: Exchange, op: Operation, where: str, pointer: str, expected: str, found: str
    ) -> Violation:
        status = exchange.response.status if where == "response" and exchange.response else None
        return Violation(exchange.seam, op.label, where, pointer, expected, found, status)

    def _check_request(self, exchange: Exchange, op: Operation) -> list[Violation]:
        request = exchange.request
        found: list[Violation] = []
        for param in op.parameters:
            where, name = param.get("in"), str(param.get("name"))
            present = (
                name in request.query
                if where == "query"
                else request.headers.get(name) is not None
                if where == "header"
                else True
            )
            if param.get("required") and not present:
                found.append(
                    self._violation(
                        exchange,
                        op,
                        "request",
                        f"{where} {name}",
                        f"the required {where} parameter {name!r}",
                        "it missing",
                    )
                )
        body_spec = self._deref(op.spec.get("requestBody") or {})
        schema_at = self._json_schema_pointer(body_spec, f"{op.pointer}/requestBody")
        if body_spec.get("required") and request.body.size == 0:
            found.append(
                self._violation(exchange, op, "request", "body", "a request body", "an empty body")
            )
        elif schema_at is not None and request.body.size:
            found += self._check_body(exchange, op, "request", request.body, schema_at)
        return found

    def _check_response(self, exchange: Exchange, op: Operation) -> list[Violation]:
        assert exchange.response is not None
        status = exchange.response.status
        responses = op.spec.get("responses") or {}
        key = next(
            (
                k
                for k in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default")
                if k in responses
            ),
            None,
        )
        if key is None:
            declared = ", ".join(sorted(str(k) for k in responses)) or "none"
            return [
                self._violation(
                    exchange,
                    op,
                    "response",
                    "status",
                    f"one of the declared statuses ({declared})",
                    str(status),
                )
            ]
        spec = self._deref(responses[key])
        schema_at = self._json_schema_pointer(spec, f"{op.pointer}/responses/{_escape(key)}")
        if schema_at is None:
            return []
        return self._check_body(exchange, op, "response", exchange.response.body, schema_at)

    def _json_schema_pointer(self, spec: dict[str, Any], pointer: str) -> str | None:
        content = spec.get("content") or {}
        for media in content:
            kind = media.split(";", 1)[0].strip().lower()
            if (kind == "application/json" or kind.endswith("+json")) and "schema" in content[
                media
            ]:
                return f"{pointer}/content/{_escape(media)}/schema"
        return None

    def _check_body(
        self, exchange: Exchange, op: Operation, where: str, body: Any, schema_at: str
    ) -> list[Violation]:
        if body.truncated:
            return []
        # Tests send the same bodies again and again (health checks, fixtures): check each once.
        key = (schema_at, body.data)
        problems = self._seen.get(key)
        if problems is None:
            try:
                instance = json.loads(body.data)
            except ValueError:
                text = body.text[:40] + ("..." if len(body.text) > 40 else "")
                problems = [("body", "a JSON body", repr(text))]
            else:
                errors = self._validator(schema_at).iter_errors(instance)
                # allOf parts that repeat a constraint would say the same thing twice
                problems = list(dict.fromkeys(explain(error) for error in leaves(errors)))
            if len(self._seen) >= 4096:
                self._seen.clear()
            self._seen[key] = problems
        return [self._violation(exchange, op, where, *problem) for problem in problems]

    def _validator(self, pointer: str) -> Validator:
        validator = self._validators.get(pointer)
        if validator is None:
            schema = {"$ref": f"{self._uri}#{pointer}"}
            cls, checker = (
                (OAS30Validator, oas30_format_checker)
                if self._v30
                else (OAS31Validator, oas31_format_checker)
            )
            validator = cls(schema, registry=self._registry, format_checker=checker)
            self._validators[pointer] = validator
        return validator


def _version(document: dict[str, Any], source: Path | str) -> str:
    version = str(document.get("openapi", ""))
    if not version.startswith(("3.0", "3.1")):
        raise ContractError(
            f"{source}: expected an OpenAPI 3.0 or 3.1 document "
            f"(an 'openapi: 3.x' key), found openapi={version or 'nothing'!r}"
        )
    return version


def _unmatched_stub(exchange: Exchange) -> bool:
    """A stub server's answer to a request no stub matched: WireMock (and seamline's stub
    server) mark every matched answer with Matched-Stub-Id."""
    response = exchange.response
    return (
        exchange.mode == "stub"
        and response is not None
        and response.status == 404
        and response.headers.get("Matched-Stub-Id") is None
    )


def _is_cors_preflight(exchange: Exchange) -> bool:
    request = exchange.request
    return (
        request.method == "OPTIONS"
        and request.headers.get("Access-Control-Request-Method") is not None
    )


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")
