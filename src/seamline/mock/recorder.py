"""The recorder: request/response exchanges in, WireMock stub mappings (and body files) out.

    spec = RecordSpec.from_json({"captureHeaders": {"Accept": {}}, "repeatsAsScenarios": True})
    recorded = record([exchange, ...], spec)
    recorded.mappings   # WireMock mapping dicts, in the order the exchanges happened
    recorded.files      # {"api_users-<id>.json": b"..."} for bodies extracted to __files
    write_recorded(root, recorded)      # recordfiles.py: ROOT/mappings/*.json, ROOT/__files/*

It follows WireMock's Recorder and its snapshot pipeline (SnapshotStubMappingGenerator,
RequestPatternTransformer, LoggedResponseDefinitionTransformer, ScenarioProcessor,
SnapshotStubMappingBodyExtractor, FilenameMaker), so WireMock itself loads the files.
Beyond WireMock, secrets are masked (on by default): a captured credential header or a
secret query parameter is matched by presence, secret JSON request fields by a json-unit
placeholder, and secret response headers and JSON fields are replaced by `[masked]`.
It knows nothing of servers: the stub server's recordings and seam recordings both feed it.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from seamline.masking import DEFAULT_SECRET_NAMES, MASK, Masker, SecretNames
from seamline.mock.recordfiles import Recorded, file_extension, mapping_file_name, url_slug
from seamline.mock.recordspec import RecordSpec

_DROPPED_RESPONSE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_TEXT_TYPES = ("text", "json", "xml", "html", "javascript", "csv", "x-www-form-urlencoded")
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "application/pdf": "pdf",
}
_ANY_JSON = "${json-unit.ignore}"
_REGEX_SPECIAL = re.compile(r"[\\.^$|?*+()\[\]{}]")


@dataclass(frozen=True)
class RecordedExchange:
    """One request and the answer it got, as they crossed the wire."""

    method: str
    url: str  # path and query, as sent
    request_headers: Sequence[tuple[str, str]]
    request_body: bytes
    status: int
    response_headers: Sequence[tuple[str, str]]
    response_body: bytes


def record(
    exchanges: Iterable[RecordedExchange],
    spec: RecordSpec,
    secret_names: Sequence[str] = DEFAULT_SECRET_NAMES,
) -> Recorded:
    """Stub mappings for `exchanges` (oldest first), post-processed as WireMock's snapshot
    does: the mappings come newest first, and a repeated request keeps its newest answer
    (or, with repeatsAsScenarios, becomes a scenario that replays the answers in order)."""
    masker = Masker(SecretNames(secret_names)) if spec.mask_secrets else None
    stubs = [_stub_for(exchange, spec, masker) for exchange in reversed(list(exchanges))]
    if spec.repeats_as_scenarios:
        stubs = _repeats_as_scenarios(stubs)
    else:
        stubs = _first_of_each_request(stubs)
    recorded = Recorded()
    for stub in stubs:
        if spec.extract(stub["response"].get("body"), stub["response"].get("base64Body")):
            _extract_body(stub, recorded.files)
        recorded.mappings.append(stub)
    return recorded


# -- one exchange -> one stub -------------------------------------------------------------


def _stub_for(
    exchange: RecordedExchange, spec: RecordSpec, masker: Masker | None
) -> dict[str, Any]:
    stub_id = str(uuid.uuid4())
    path = exchange.url.partition("?")[0]
    stub: dict[str, Any] = {
        "id": stub_id,
        "name": url_slug(path),
        "request": _request_pattern(exchange, spec, masker),
        "response": _response_definition(exchange, masker),
        "uuid": stub_id,
    }
    if spec.persist:
        stub["persistent"] = True
    return stub


def _request_pattern(
    exchange: RecordedExchange, spec: RecordSpec, masker: Masker | None
) -> dict[str, Any]:
    path, _, query = exchange.url.partition("?")
    pattern: dict[str, Any] = {"method": exchange.method}
    params: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        params.setdefault(name, []).append(value)
    if not params:
        pattern["url"] = exchange.url
    else:
        pattern["urlPath"] = path
        pattern["queryParameters"] = {
            name: _query_matcher(name, values, masker) for name, values in params.items()
        }
    headers = _capture_headers(exchange.request_headers, spec, masker)
    if headers:
        pattern["headers"] = headers
    if exchange.request_body:
        pattern["bodyPatterns"] = [_body_pattern(exchange, spec, masker)]
    return pattern


def _query_matcher(name: str, values: list[str], masker: Masker | None) -> dict[str, Any]:
    if masker is not None and masker.names.matches(name):
        return {"matches": ".*"}  # present, whatever its value: the secret is not kept
    # WireMock 3.13 records even a single value this way
    return {"hasExactly": [{"equalTo": value} for value in values]}


def _capture_headers(
    headers: Sequence[tuple[str, str]], spec: RecordSpec, masker: Masker | None
) -> dict[str, Any]:
    captured: dict[str, Any] = {}
    for wanted, case_insensitive in spec.capture_headers.items():
        value = next((v for n, v in headers if n.lower() == wanted.lower()), None)
        if value is None:
            continue
        if masker is not None and masker.header(wanted, value) != value:
            scheme = value.split(" ", 1)[0] + " " if " " in value.strip() else ""
            captured[wanted] = {"matches": _literal(scheme.strip()) + " .+" if scheme else ".+"}
            continue
        matcher: dict[str, Any] = {"equalTo": value}
        if case_insensitive:
            matcher["caseInsensitive"] = True
        captured[wanted] = matcher
    return captured


def _body_pattern(
    exchange: RecordedExchange, spec: RecordSpec, masker: Masker | None
) -> dict[str, Any]:
    content_type = _header(exchange.request_headers, "content-type").split(";")[0].strip()
    text = exchange.request_body.decode("utf-8", "replace")
    kind = spec.body_matcher
    if kind == "auto":
        kind = _automatic_matcher(content_type)
    if kind == "equalToJson":
        try:
            document = json.loads(text)
        except ValueError:
            kind = "equalTo"
        else:
            masked = _json_placeholders(document, masker.names) if masker else document
            # the request's own text, as WireMock records it, unless a secret was taken out
            expected = text if masked == document else json.dumps(masked, ensure_ascii=False)
            pattern: dict[str, Any] = {"equalToJson": expected}
            for key, flag in (
                ("ignoreArrayOrder", spec.ignore_array_order),
                ("ignoreExtraElements", spec.ignore_extra_elements),
            ):
                if flag is not None:
                    pattern[key] = flag
            return pattern
    if kind == "anything":
        return {"anything": "anything"}
    if kind == "binaryEqualTo":
        return {"binaryEqualTo": base64.b64encode(exchange.request_body).decode("ascii")}
    if masker is not None:
        form = content_type == "application/x-www-form-urlencoded"
        masked_text = masker.query(text) if form else masker.text(text)
        if masked_text != text:  # the text around the secrets must match, the secrets not
            return {"matches": ".+".join(map(_literal, masked_text.split(MASK)))}
    if kind == "equalToXml":
        return {"equalToXml": text}
    pattern = {"equalTo": text}
    if spec.case_insensitive:
        pattern["caseInsensitive"] = True
    return pattern


def _literal(text: str) -> str:
    """`text` as a regex matching itself, in the syntax Java and Python share."""
    return _REGEX_SPECIAL.sub(r"\\\g<0>", text)


def _automatic_matcher(content_type: str) -> str:
    """RequestBodyAutomaticPatternFactory: by the request's media type."""
    if not content_type:
        return "equalTo"
    if "json" in content_type:
        return "equalToJson"
    if "xml" in content_type:
        return "equalToXml"
    if content_type == "multipart/form-data":
        return "anything"
    return "equalTo" if _is_text(content_type) else "binaryEqualTo"


def _json_placeholders(value: Any, names: SecretNames, secret: bool = False) -> Any:
    """A JSON body with the values of secret-named fields replaced by json-unit's 'any'."""
    if secret and not isinstance(value, (dict, list)):
        return _ANY_JSON
    if isinstance(value, dict):
        return {
            k: _json_placeholders(v, names, secret or names.matches(k)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_json_placeholders(item, names, secret) for item in value]
    return value


def _response_definition(exchange: RecordedExchange, masker: Masker | None) -> dict[str, Any]:
    response: dict[str, Any] = {"status": exchange.status}
    body = _decoded(exchange.response_body, _header(exchange.response_headers, "content-encoding"))
    content_type = _header(exchange.response_headers, "content-type")
    if body:
        if _is_text(content_type) or (not content_type and _utf8(body)):
            text = body.decode("utf-8", "replace")
            response["body"] = _masked_text(text, content_type, masker)
        else:
            response["base64Body"] = base64.b64encode(body).decode("ascii")
    headers: dict[str, Any] = {}
    for name, raw in exchange.response_headers:
        if name.lower() in _DROPPED_RESPONSE_HEADERS:
            continue
        value = masker.header(name, raw) if masker is not None else raw
        known = headers.get(name)
        headers[name] = value if known is None else [*_as_list(known), value]
    if headers:
        response["headers"] = headers
    return response


def _masked_text(text: str, content_type: str, masker: Masker | None) -> str:
    if masker is None:
        return text
    if "json" in content_type:
        try:
            document = json.loads(text)
        except ValueError:
            return masker.text(text)
        masked = masker.json(document)
        return text if masked == document else json.dumps(masked, ensure_ascii=False)
    return masker.text(text)


# -- post-processing (SnapshotStubMappingPostProcessor) -----------------------------------


def _request_key(stub: dict[str, Any]) -> str:
    return json.dumps(stub["request"], sort_keys=True)


def _first_of_each_request(stubs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    kept = []
    for stub in stubs:
        key = _request_key(stub)
        if key not in seen:
            seen.add(key)
            kept.append(stub)
    return kept


def _repeats_as_scenarios(stubs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ScenarioProcessor: a request seen N times becomes N stubs of one scenario, in the
    order they happened (`stubs` is newest first)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for stub in stubs:
        groups.setdefault(_request_key(stub), []).append(stub)
    index = 0
    for newest_first in groups.values():
        if len(newest_first) < 2:
            continue
        group = newest_first[::-1]
        index += 1
        request = group[0]["request"]
        url = str(request.get("url") or request.get("urlPath") or "")
        name = f"scenario-{index}-{_path_parts(url)}"
        for position, stub in enumerate(group, start=1):
            stub["scenarioName"] = name
            stub["requiredScenarioState"] = "Started" if position == 1 else f"{name}-{position}"
            if position < len(group):
                stub["newScenarioState"] = f"{name}-{position + 1}"
    return stubs


def _extract_body(stub: dict[str, Any], files: dict[str, bytes]) -> None:
    """SnapshotStubMappingBodyExtractor: the body goes to __files, the stub names it."""
    response = stub["response"]
    if "body" in response:
        data = response.pop("body").encode("utf-8")
    else:
        data = base64.b64decode(response.pop("base64Body"))
    request = stub["request"]
    url = str(request.get("url") or request.get("urlPath") or "")
    content_type = str(_as_list(_find(response.get("headers", {}), "content-type") or [""])[0])
    name = mapping_file_name(stub, file_extension(url, content_type, data))
    files[name] = data
    response["bodyFileName"] = name


# -- small helpers ------------------------------------------------------------------------


def _path_parts(url: str) -> str:
    """Urls.urlToPathParts: the path's segments joined with '-'."""
    return "-".join(p for p in url.partition("?")[0].split("/") if p)


def _header(headers: Sequence[tuple[str, str]], name: str) -> str:
    return next((v for n, v in headers if n.lower() == name), "")


def _find(headers: dict[str, Any], name: str) -> Any:
    return next((v for n, v in headers.items() if n.lower() == name), None)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_text(content_type: str) -> bool:
    media = content_type.lower()
    return any(word in media for word in _TEXT_TYPES)


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decoded(body: bytes, encoding: str) -> bytes:
    """EntityDefinition.decompressIfPossible: gzip and deflate bodies are stored plain."""
    try:
        if encoding.strip().lower() == "gzip":
            return gzip.decompress(body)
        if encoding.strip().lower() == "deflate":
            return zlib.decompress(body)
    except (OSError, zlib.error):
        pass
    return body
