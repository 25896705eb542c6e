"""`multipartPatterns`: WireMock's MultipartValuePattern over the parts of a
multipart body (`matchingType` ANY or ALL; each part's headers and body patterns,
the bodies matched as bytes so `binaryEqualTo` works)."""

from __future__ import annotations

import json
from typing import Any

from seamline.mock.errors import InvalidMapping
from seamline.mock.incoming import Part, ReceivedRequest
from seamline.mock.patterns import parse_pattern
from seamline.mock.request_check import Check, list_of, mapping_of, single_matches


def multipart_check(spec: Any, where: str) -> Check:
    if not isinstance(spec, dict):
        raise InvalidMapping(where, f"expected an object, found {json.dumps(spec)}")
    matching = str(spec.get("matchingType", "ANY")).upper()
    if matching not in ("ANY", "ALL"):
        raise InvalidMapping(f"{where}.matchingType", f"expected ANY or ALL, found {matching!r}")
    header_checks = [
        (name, parse_pattern(sub, f"{where}.headers.{name}"))
        for name, sub in mapping_of(spec, "headers", where).items()
    ]
    body_checks = [
        parse_pattern(body, f"{where}.bodyPatterns[{i}]")
        for i, body in enumerate(list_of(spec, "bodyPatterns", where))
    ]

    def part_matches(part: Part) -> bool:
        return all(single_matches(p, part.headers.get_all(n)) for n, p in header_checks) and all(
            p.matches_bytes(part.body) for p in body_checks
        )

    def matches(r: ReceivedRequest) -> bool:
        parts = r.parts
        if not parts:
            return False
        return any(map(part_matches, parts)) if matching == "ANY" else all(map(part_matches, parts))

    return Check(
        "Multipart",
        json.dumps(spec),
        1.0,
        matches,
        lambda r: 0.0 if matches(r) else 1.0,
        lambda r: f"{len(r.parts)} part(s)",
    )
