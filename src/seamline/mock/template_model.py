"""What templates see: the request model, value types and how values render as text.

WireMock's templates run on Handlebars.java, so a value renders as its Java
`toString()` would: a list as `[a, b]`, a map as `{k=v}`, a multi-valued query
parameter as its first value, a JSONPath object as Jackson's pretty JSON, a JSONPath
list as compact JSON. The classes here carry those renderings.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from seamline.mock.errors import InvalidMapping
from seamline.mock.incoming import ReceivedRequest
from seamline.mock.jsonpath import jackson_pretty
from seamline.mock.path_template import PathTemplate


class TemplateError(InvalidMapping):
    """A helper refused its arguments while rendering (WireMock answers 500 too)."""

    def __init__(self, message: str) -> None:
        super().__init__("template", message)


class ListValue(list[Any]):
    """WireMock's ListOrSingle: renders as its first value; `.first`, `.last`, `.[n]`."""

    def __str__(self) -> str:
        return to_text(self[0]) if self else ""

    def member(self, name: str) -> tuple[bool, Any]:
        if name == "first" and self:
            return True, self[0]
        if name == "last" and self:
            return True, self[-1]
        return False, None


class PathValue(str):
    """The request path: renders whole; `.[n]` is a segment, `.name` a urlPathTemplate
    parameter."""

    segments: list[str]
    parameters: dict[str, str]

    def __new__(cls, path: str, segments: list[str], parameters: dict[str, str]) -> PathValue:
        value = super().__new__(cls, path)
        value.segments = segments
        value.parameters = parameters
        return value


class CaseInsensitiveMap(dict[str, Any]):
    """WireMock's header map: the names as sent, in alphabetical order, found in any case."""

    def __init__(self, items: list[tuple[str, Any]]) -> None:
        super().__init__(sorted(items, key=lambda item: item[0].lower()))
        self._names = {name.lower(): name for name in self}

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._names

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(self._names.get(key.lower(), key))

    def get(self, key: str, default: Any = None) -> Any:
        name = self._names.get(key.lower())
        return default if name is None else super().__getitem__(name)


class MethodValue(str):
    """The request method: renders as `POST`, and `.name` is the same (a Java enum)."""

    def member(self, name: str) -> tuple[bool, Any]:
        return (True, str(self)) if name == "name" else (False, None)


class JsonList(list[Any]):
    """A list JSONPath selected: renders as compact JSON, as Jayway's JSONArray does."""

    def __str__(self) -> str:
        return json.dumps(list(self), separators=(",", ":"), ensure_ascii=False)


class JsonMap(dict[str, Any]):
    """An object JSONPath selected: renders as Jackson's pretty JSON."""

    def __str__(self) -> str:
        return jackson_pretty(dict(self))


def json_data(value: Any) -> Any:
    """Wrap what JSONPath selected the way WireMock's JsonData does: the object at the
    top renders as pretty JSON, every list (Jayway's JSONArray) as compact JSON, and an
    object inside as Java's map text `{a=1}`."""
    if isinstance(value, dict):
        return JsonMap({k: _json_lists(v) for k, v in value.items()})
    return _json_lists(value)


def _json_lists(value: Any) -> Any:
    if isinstance(value, list):
        return JsonList(_json_lists(v) for v in value)
    if isinstance(value, dict):
        return {k: _json_lists(v) for k, v in value.items()}
    return value


def java_double(value: float) -> str:
    """A float as Java's Double.toString writes the usual ones (`3.0`, `0.5`)."""
    return repr(value) if not value.is_integer() or abs(value) >= 1e7 else f"{value:.1f}"


def to_text(value: Any) -> str:
    """How `{{value}}` renders (WireMock 3 does not HTML-escape)."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, (str, ListValue, JsonList, JsonMap)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_java(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java(v)}" for k, v in value.items()) + "}"
    return str(value)


def _java(value: Any) -> str:
    return "null" if value is None else to_text(value)


def truthy(value: Any) -> bool:
    """Handlebars.java's test: null, false, "", 0 and empty lists are false."""
    if value is None or value is False or value == "":
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0
    if isinstance(value, (list, dict)):
        return bool(value)
    return True


@dataclass
class Call:
    """One helper call: its arguments, hash options, and for a block its body."""

    args: list[Any]
    hash: dict[str, Any]
    variables: dict[str, Any]
    fn: Callable[..., str] | None = None  # renders the block body, optionally on a new context
    inverse: Callable[[], str] | None = None
    params: list[str] = field(default_factory=list)  # `as |item index|`

    @property
    def block(self) -> bool:
        return self.fn is not None

    def arg(self, index: int, default: Any = None) -> Any:
        return self.args[index] if index < len(self.args) else default

    def text(self, index: int = 0) -> str:
        """The argument as text, or for a block the rendered body."""
        if self.fn is not None and index == 0 and not self.args:
            return self.fn()
        return to_text(self.arg(index))

    def branch(self, verdict: bool) -> Any:
        """For a block: its body or its `{{else}}`; inline: the verdict itself."""
        if self.fn is None:
            return verdict
        if verdict:
            return self.fn()
        return self.inverse() if self.inverse is not None else ""


def handle_error(message: str) -> str:
    """WireMock's helpers render a refused argument inline, not as a failed response."""
    return f"[ERROR: {message}]"


class LazyModel(dict[str, Any]):
    """A model whose fields are computed on first use: most templates read two or three
    of the request's fields, and each costs a parse (query, cookies, parts, body)."""

    def __init__(self, fields: dict[str, Callable[[], Any]]) -> None:
        super().__init__()
        self._fields = fields

    def __contains__(self, key: object) -> bool:
        return key in self._fields

    def __missing__(self, key: str) -> Any:
        value = self[key] = self._fields[key]()
        return value

    def items(self) -> Any:  # rendering the whole model computes every field
        return [(key, self[key]) for key in self._fields]


def request_context(
    request: ReceivedRequest,
    parameters: dict[str, Any] | None = None,
    path_template: str | None = None,
) -> dict[str, Any]:
    """The `request` and `parameters` model WireMock's RequestTemplateModel offers."""

    def headers() -> CaseInsensitiveMap:
        names = request.headers.names()
        return CaseInsensitiveMap([(n, ListValue(request.headers.get_all(n))) for n in names])

    def host_and_port() -> tuple[str, int]:
        host, _, port = (request.headers.get("host") or "").partition(":")
        base_host, _, base_port = request.base_url.rpartition("//")[2].partition(":")
        return host or base_host, int(port or base_port or 80)

    def path() -> PathValue:
        parameters = _path_parameters(path_template, request.path)
        if parameters:
            # WireMock's TemplatedUrlPath: the raw path and segments, parameters on top
            segments = [s for s in request.path.split("/") if s]
            return PathValue(request.path, segments, parameters)
        # WireMock's UrlPath: the path and its segments decoded
        return PathValue(unquote(request.path), request.path_segments, {})

    model = LazyModel(
        {
            "id": lambda: request.id,
            "url": lambda: request.url,
            "path": path,
            "pathSegments": path,  # WireMock's pathSegments is the path object itself
            "query": lambda: {k: ListValue(v) for k, v in request.query.items()},
            "headers": headers,
            "cookies": lambda: {k: ListValue(v) for k, v in request.cookies.items()},
            "body": lambda: request.text,
            "bodyAsBase64": lambda: base64.b64encode(request.body).decode(),
            "method": lambda: MethodValue(request.method),
            "scheme": lambda: request.base_url.partition(":")[0] or "http",
            "host": lambda: host_and_port()[0],
            "port": lambda: host_and_port()[1],
            "baseUrl": lambda: request.base_url,
            "clientIp": lambda: request.client_ip,
            "multipart": lambda: bool(_parts(request)),
            "isMultipart": lambda: bool(_parts(request)),
            "parts": lambda: _parts(request),
        }
    )
    return {"request": model, "parameters": parameters or {}}


def _path_parameters(template: str | None, path: str) -> dict[str, str]:
    return (PathTemplate(template).parse(path) or {}) if template else {}


def _parts(request: ReceivedRequest) -> dict[str, Any]:
    if not (request.headers.get("content-type") or "").startswith("multipart/"):
        return {}
    parts: dict[str, Any] = {}
    for index, part in enumerate(request.parts):
        disposition = part.headers.get("content-disposition") or ""
        name = next(
            (
                p.split("=", 1)[1].strip('"')
                for p in disposition.split(";")
                if p.strip().startswith("name=")
            ),
            f"part-{index}",
        )
        parts[name] = {
            "name": name,
            "headers": {
                k.lower(): ListValue(part.headers.get_all(k)) for k in part.headers.names()
            },
            "body": part.text,
            "bodyAsBase64": base64.b64encode(part.body).decode(),
        }
    return parts
