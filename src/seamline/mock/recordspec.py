"""A record spec: how `/__admin/recordings/start` and `/snapshot` turn traffic into stubs.

WireMock's RecordSpec, read from the same JSON, plus two seamline options:

    {"targetBaseUrl": "http://127.0.0.1:9000",
     "filters": {"urlPathPattern": "/api/.*", "method": "GET",
                 "ids": [...], "allowNonProxied": false},
     "captureHeaders": {"Accept": {}, "X-Tenant": {"caseInsensitive": true}},
     "requestBodyPattern": {"matcher": "equalToJson", "ignoreArrayOrder": false},
     "extractBodyCriteria": {"textSizeThreshold": "2 kb", "binarySizeThreshold": "1 Mb"},
     "outputFormat": "FULL", "persist": true, "repeatsAsScenarios": true,
     "maskSecrets": true,        # seamline: mask credentials and secret fields (default on)
     "onlyMissing": false}       # seamline: record only what no stub answers yet
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from seamline.mock.errors import InvalidMapping

BODY_MATCHERS = ("auto", "equalTo", "equalToJson", "equalToXml")
_SPEC_KEYS = frozenset({
    "targetBaseUrl", "filters", "captureHeaders", "requestBodyPattern", "extractBodyCriteria",
    "outputFormat", "persist", "repeatsAsScenarios", "transformers", "transformerParameters",
    "maskSecrets", "onlyMissing",
})  # fmt: skip
_SIZE = re.compile(r"^([\d.]+)\s*(\w)?b?$", re.IGNORECASE)
_NEVER = 2**63 - 1


@dataclass(frozen=True)
class RecordSpec:
    target_base_url: str | None = None
    filters: dict[str, Any] | None = None
    filter_ids: frozenset[str] | None = None
    allow_non_proxied: bool = False
    capture_headers: dict[str, bool] = field(default_factory=dict)
    body_matcher: str = "auto"
    ignore_array_order: bool | None = True
    ignore_extra_elements: bool | None = True
    case_insensitive: bool = False
    # bodies longer than these go to __files (None: WireMock's default, all stay inline)
    text_threshold: int | None = None
    binary_threshold: int | None = None
    output_ids: bool = False
    persist: bool = True
    repeats_as_scenarios: bool = True
    mask_secrets: bool = True
    only_missing: bool = False

    @classmethod
    def from_json(cls, data: Any) -> RecordSpec:
        """Read a record spec; an invalid field raises InvalidMapping naming it."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise InvalidMapping("$", f"expected a record spec object, found {json.dumps(data)}")
        unknown = sorted(set(data) - _SPEC_KEYS)
        if unknown:
            raise InvalidMapping(
                f"$.{unknown[0]}", f"unknown record spec field {unknown[0]!r}",
                f"use one of: {', '.join(sorted(_SPEC_KEYS))}",
            )  # fmt: skip
        if data.get("transformers"):
            raise InvalidMapping(
                "$.transformers", "seamline runs no WireMock stub mapping transformers",
                "leave out transformers",
            )  # fmt: skip
        filters = dict(_object(data, "filters"))
        ids = filters.pop("ids", None)
        allow_non_proxied = bool(filters.pop("allowNonProxied", False))
        body = _object(data, "requestBodyPattern")
        matcher = body.get("matcher", "auto")
        if matcher not in BODY_MATCHERS:
            raise InvalidMapping(
                "$.requestBodyPattern.matcher",
                f"expected one of {list(BODY_MATCHERS)}, found {json.dumps(matcher)}",
            )
        auto = matcher == "auto"
        extract = _object(data, "extractBodyCriteria")
        output = str(data.get("outputFormat", "FULL")).upper()
        if output not in ("FULL", "IDS"):
            raise InvalidMapping("$.outputFormat", f'expected "FULL" or "IDS", found {output!r}')
        return cls(
            target_base_url=data.get("targetBaseUrl") or None,
            filters=filters or None,
            filter_ids=frozenset(map(str, ids)) if ids is not None else None,
            allow_non_proxied=allow_non_proxied,
            capture_headers={
                str(name): bool((options or {}).get("caseInsensitive"))
                for name, options in _object(data, "captureHeaders").items()
            },
            body_matcher=matcher,
            ignore_array_order=body.get("ignoreArrayOrder", True if auto else None),
            ignore_extra_elements=body.get("ignoreExtraElements", True if auto else None),
            case_insensitive=bool(body.get("caseInsensitive", False)),
            text_threshold=_size(extract, "textSizeThreshold") if extract else None,
            binary_threshold=_size(extract, "binarySizeThreshold") if extract else None,
            output_ids=output == "IDS",
            persist=bool(data.get("persist", True)),
            repeats_as_scenarios=bool(data.get("repeatsAsScenarios", True)),
            mask_secrets=bool(data.get("maskSecrets", True)),
            only_missing=bool(data.get("onlyMissing", False)),
        )

    def extract(self, text: str | None, base64_body: str | None) -> bool:
        """ResponseDefinitionBodyMatcher: whether a body is big enough to go to __files."""
        if text is not None and self.text_threshold is not None:
            return len(text) > self.text_threshold
        if base64_body is not None and self.binary_threshold is not None:
            return len(base64_body) * 3 // 4 > self.binary_threshold
        return False


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise InvalidMapping(f"$.{key}", f"expected an object, found {json.dumps(value)}")
    return value


def _size(data: dict[str, Any], key: str) -> int:
    """A size as WireMock reads it: a number of bytes, or text like `2 kb` or `1.5Mb`."""
    value = data.get(key)
    if value is None:
        return _NEVER
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    found = _SIZE.match(str(value).strip().replace(",", "."))
    unit = (found.group(2) or "").upper() if found else "?"
    if found is None or unit not in ("", "K", "M", "G"):
        raise InvalidMapping(
            f"$.extractBodyCriteria.{key}",
            f"expected a size such as 2048, '2 kb' or '1 Mb', found {json.dumps(value)}",
        )
    scale = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}[unit]
    return round(float(found.group(1)) * scale)
