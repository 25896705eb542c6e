"""Keeping a big run's report small enough to open: shorten what matters least first.

A failed test is what a person opens the report for, so it keeps everything.
Passed (and skipped) tests are shortened, biggest first, only as far as needed:
first their bodies and logs are cut short, then left out. Each shortened test
says so, and the full records stay in the record dir.
"""

from __future__ import annotations

import json
from typing import Any

from seamline.report.testview import bounded_logs, timeline

KEPT_WHOLE = ("failed", "error", "unfinished", "xpassed")
SHORT_BODY = 1_024
SHORT_LOGS = 60


def detail_size(test: dict[str, Any]) -> int:
    """About how many bytes a test adds to the report (its JSON, as embedded in the page)."""
    return len(json.dumps(test, ensure_ascii=False, separators=(",", ":")).encode())


def fit_budget(tests: list[dict[str, Any]], budget: int) -> int:
    """Shorten passed tests until the details fit `budget` bytes; returns the final total."""
    sizes = {test["key"]: detail_size(test) for test in tests}
    total = sum(sizes.values())
    shortenable = sorted(
        (t for t in tests if t["outcome"] not in KEPT_WHOLE), key=lambda t: -sizes[t["key"]]
    )
    for shorten in (_shorten, _leave_out):
        for test in shortenable:
            if total <= budget:
                return total
            shorten(test)
            new_size = detail_size(test)
            total += new_size - sizes[test["key"]]
            sizes[test["key"]] = new_size
    return total


def _shorten(test: dict[str, Any]) -> None:
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
        test["timeline"] = timeline(test["exchanges"], test["db_changes"], kept)
    test["trimmed"] = (
        f"bodies cut to {SHORT_BODY} characters and logs to {SHORT_LOGS} lines "
        "to keep the report small; the record dir has them all"
    )


def _leave_out(test: dict[str, Any]) -> None:
    for body in _bodies(test):
        body["text"], body["shown"], body["clipped"] = "", 0, body["size"] > 0
    test["logs_omitted"] += len(test["logs"])
    test["logs_omitted_at"] = 0
    test["logs"] = []
    test["timeline"] = timeline(test["exchanges"], test["db_changes"], [])
    test["trimmed"] = (
        "bodies and logs left out to keep the report small; the record dir has them all"
    )


def _bodies(test: dict[str, Any]) -> list[dict[str, Any]]:
    bodies = [x["request"]["body"] for x in test["exchanges"]]
    bodies += [x["response"]["body"] for x in test["exchanges"] if x["response"]]
    return bodies
