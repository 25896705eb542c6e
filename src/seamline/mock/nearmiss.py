"""Near misses: the stubs closest to a request no stub matched, and why each missed.

The 404 body is a side-by-side table in the style of WireMock's diff report,
one row per field, with `<<<<<` marking each field that did not match.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any

from seamline.mock.incoming import ReceivedRequest
from seamline.mock.journal import ServeEvent
from seamline.mock.mapping import StubMapping
from seamline.mock.request_pattern import RequestPattern

WIDTH = 58
RULE = "-" * 119
NO_STUBS = "No response could be served as there are no stub mappings in this WireMock instance."
MAX_NEAR_MISSES = 3


def closest_stubs(
    request: ReceivedRequest, stubs: Iterable[StubMapping], limit: int = MAX_NEAR_MISSES
) -> list[tuple[StubMapping, float]]:
    scored = [(stub, stub.request.distance(request)) for stub in stubs]
    scored.sort(key=lambda item: item[1])
    return scored[:limit]


def closest_requests(
    pattern: RequestPattern, events: Iterable[ServeEvent], limit: int = MAX_NEAR_MISSES
) -> list[tuple[ServeEvent, float]]:
    scored = [(event, pattern.distance(event.request)) for event in events]
    scored.sort(key=lambda item: item[1])
    return scored[:limit]


def near_miss_json(
    request: ReceivedRequest,
    stub: StubMapping | None,
    distance: float,
    pattern: RequestPattern | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "request": request.to_json(),
        "matchResult": {"distance": round(distance, 6)},
    }
    if stub is not None:
        out["stubMapping"] = stub.to_json()
    if pattern is not None:
        out["requestPattern"] = pattern.to_json()
    return out


def _cell(text: str) -> list[str]:
    lines: list[str] = []
    for line in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(line, WIDTH, drop_whitespace=False) or [""])
    return lines


def _row(left: str, right: str, mismatch: str | None) -> list[str]:
    left_lines, right_lines = _cell(left), _cell(right)
    height = max(len(left_lines), len(right_lines))
    out = []
    for index in range(height):
        a = left_lines[index] if index < len(left_lines) else ""
        b = right_lines[index] if index < len(right_lines) else ""
        marker = f"<<<<< {mismatch}" if mismatch and index == 0 else ""
        out.append(f"{a:<{WIDTH}} | {b:<{WIDTH}}{marker}".rstrip())
    out.append(f"{'':<{WIDTH}} |")
    return out


def diff_report(request: ReceivedRequest, stub: StubMapping) -> str:
    """The table shown in a 404: the closest stub beside the request, field by field."""
    title = "Request was not matched"
    lines = [
        "",
        f"{title:^119}".rstrip(),
        f"{'=' * len(title):^119}".rstrip(),
        "",
        RULE,
        f"| {'Closest stub':<{WIDTH - 2}} | {'Request':<{WIDTH - 2}} |",
        RULE,
        f"{'':<{WIDTH}} |",
    ]
    if stub.name:
        lines += _row(str(stub.name), "", None)
    for check in stub.request.checks:
        matched = check.matches(request)
        label = check.label.split(":")[0]
        what = f"{check.label} {check.expected}" if ":" in check.label else check.expected
        lines += _row(what, check.actual(request), None if matched else f"{label} does not match")
    if stub.scenario and stub.required_state:
        lines += _row(f"[Scenario '{stub.scenario}' state: {stub.required_state}]", "", None)
    lines.append(RULE)
    return "\n".join(lines) + "\n"


def not_found_body(request: ReceivedRequest, stubs: list[StubMapping]) -> str:
    if not stubs:
        return NO_STUBS
    closest = closest_stubs(request, stubs, 1)
    return diff_report(request, closest[0][0])
