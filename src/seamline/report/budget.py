"""Keeping a big run's report small enough to open: shorten what matters least first.

A failed test is what a person opens the report for, so it is shortened last.
Step by step, each step on the biggest tests first and only as far as needed:

1. passed tests: bodies (and message payloads) cut to 1 kB, logs to 60 lines;
2. passed tests: bodies and logs left out;
3. passed tests: headers left out (the diagram, statuses and timings stay);
4. failed tests: bodies cut to 1 kB, logs to 60 lines;
5. passed tests: exchanges, messages, database changes and logs left out (outcome and counts
   stay).

Each shortened test says what was left out; the record dir keeps everything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from seamline.report.testview import bounded_logs, timeline

KEPT_LONGEST = ("failed", "error", "unfinished", "xpassed")
SHORT_BODY = 1_024
SHORT_LOGS = 60
LEFT_OUT = "to keep the report small; the record dir has them all"

Test = dict[str, Any]


def detail_size(test: Test) -> int:
    """About how many bytes a test adds to the report (its JSON, as embedded in the page)."""
    return len(json.dumps(test, ensure_ascii=False, separators=(",", ":")).encode())


def fit_budget(tests: list[Test], budget: int) -> int:
    """Shorten tests until their details fit `budget` bytes; returns the final total."""
    sizes = {test["key"]: detail_size(test) for test in tests}
    total = sum(sizes.values())
    passed = [t for t in tests if t["outcome"] not in KEPT_LONGEST]
    failed = [t for t in tests if t["outcome"] in KEPT_LONGEST]
    steps: list[tuple[list[Test], Callable[[Test], None]]] = [
        (passed, _shorten),
        (passed, _leave_out_bodies_and_logs),
        (passed, _leave_out_headers),
        (failed, _shorten),
        (passed, _leave_out_details),
    ]
    for group, shorten in steps:
        for test in sorted(group, key=lambda t: -sizes[t["key"]]):
            if total <= budget:
                return total
            shorten(test)
            new_size = detail_size(test)
            total += new_size - sizes[test["key"]]
            sizes[test["key"]] = new_size
    return total


def _shorten(test: Test) -> None:
    for body in _bodies(test):
        if body["shown"] > SHORT_BODY:
            body["text"], body["shown"], body["clipped"] = (
                body["text"][:SHORT_BODY],
                SHORT_BODY,
                True,
            )
    if len(test["logs"]) > SHORT_LOGS:
        kept, omitted_at, omitted = bounded_logs(test["logs"], SHORT_LOGS)
        test["logs_omitted"] += omitted
        test["logs_omitted_at"] = omitted_at
        test["logs"] = kept
        test["timeline"] = timeline(test["exchanges"], test["db_changes"], kept, test["messages"])
    test["trimmed"] = (
        f"bodies cut to {SHORT_BODY} characters and logs to {SHORT_LOGS} lines {LEFT_OUT}"
    )


def _leave_out_bodies_and_logs(test: Test) -> None:
    for body in _bodies(test):
        body["text"], body["shown"], body["clipped"] = "", 0, body["size"] > 0
    test["logs_omitted"] += len(test["logs"])
    test["logs_omitted_at"] = 0
    test["logs"] = []
    test["timeline"] = timeline(test["exchanges"], test["db_changes"], [], test["messages"])
    test["trimmed"] = f"bodies and logs left out {LEFT_OUT}"


def _leave_out_headers(test: Test) -> None:
    for exchange in test["exchanges"]:
        for message in (exchange["request"], exchange["response"]):
            if message is not None:
                message["headers"] = []
    for message in test["messages"]:
        message["headers"] = []
    test["trimmed"] = f"headers, bodies and logs left out {LEFT_OUT}"


def _leave_out_details(test: Test) -> None:
    _leave_out_bodies_and_logs(test)
    test["exchanges"], test["violations"], test["db_changes"] = [], [], []
    test["messages"] = []
    test["diagram"] = {"participants": [], "steps": []}
    test["timeline"] = []
    test["trimmed"] = f"exchanges, database changes and logs left out {LEFT_OUT}"


def _bodies(test: Test) -> list[dict[str, Any]]:
    bodies = [x["request"]["body"] for x in test["exchanges"]]
    bodies += [x["response"]["body"] for x in test["exchanges"] if x["response"]]
    bodies += [m["payload"] for m in test["messages"]]
    return bodies
