"""The run at a glance: outcomes, duration, the system's services and its seams with figures."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime
from typing import Any

from seamline.masking import Masker
from seamline.records.reader import RecordDir, canonical_time
from seamline.report.testview import is_fault, outcome_counts


def summarize(tests: list[dict[str, Any]], records: list[RecordDir]) -> dict[str, Any]:
    real_tests = [t for t in tests if t["outcome"] != "session"]
    exchanges = [x for t in tests for x in t["exchanges"]]
    started, ended = _run_span(records, real_tests)
    return {
        "tests": len(real_tests),
        "outcomes": outcome_counts(real_tests),
        "failed": sum(1 for t in real_tests if t["outcome"] in ("failed", "error", "unfinished")),
        "started": started,
        "ended": ended,
        "duration_s": seconds_between(started, ended),
        "finished": bool(records) and all(r.run.get("ended") for r in records),
        "exchanges": len(exchanges),
        "violations": sum(len(t["violations"]) for t in tests),
        "faults": sum(1 for x in exchanges if is_fault(x)),
        "db_changes": sum(len(t["db_changes"]) for t in tests),
    }


def services(records: list[RecordDir], masker: Masker) -> list[dict[str, Any]]:
    """Every declared service once (each xdist worker runs its own copy: counted in `workers`)."""
    merged: dict[str, dict[str, Any]] = {}
    for record in records:
        for name, info in (record.run.get("services") or {}).items():
            if not isinstance(info, dict):
                continue
            if name in merged:
                merged[name]["workers"] += 1
                continue
            merged[name] = {
                "name": name,
                "kind": str(info.get("kind") or "?"),
                "url": masker.text(str(info["url"])) if info.get("url") else None,
                "runs": masker.text(str(info.get("runs") or "")),
                # not written by run.json yet; shown when it is (e.g. "PostgreSQL 16.4")
                "version": str(info["version"]) if info.get("version") else None,
                "ready_s": info.get("ready_s")
                if isinstance(info.get("ready_s"), int | float)
                else None,
                "workers": 1,
            }
    return list(merged.values())


def seams(records: list[RecordDir], tests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Declared and observed seams: an HTTP seam with how often each mode and outcome was
    seen, a message seam with its messages published and delivered and their acks; both
    with their faults and contract violations."""
    table: dict[str, dict[str, Any]] = {}
    for record in records:
        _declare(table, record.run.get("seams") or [], "http")
        _declare(table, record.run.get("message_seams") or [], "message")
    latencies: dict[str, list[float]] = {}
    for exchange in (x for t in tests for x in t["exchanges"]):
        entry = _seam_entry(table, exchange["seam"], exchange["consumer"], exchange["provider"])
        entry["exchanges"] += 1
        entry["modes"][exchange["mode"]] += 1
        entry["outcomes"][exchange["outcome"]] += 1
        entry["violations"] += len(exchange["violations"])
        entry["faults"] += is_fault(exchange)
        if exchange["duration_ms"] is not None:
            latencies.setdefault(exchange["seam"], []).append(exchange["duration_ms"])
    for message in (m for t in tests for m in t["messages"]):
        _count_message(
            _seam_entry(table, message["seam"], message["consumer"], message["provider"]), message
        )
    for name, entry in table.items():
        entry["modes"], entry["outcomes"] = dict(entry["modes"]), dict(entry["outcomes"])
        entry["acks"] = dict(entry["acks"])
        values = sorted(latencies.get(name, []))
        entry["p50_ms"] = round(statistics.median(values), 3) if values else None
        entry["max_ms"] = round(values[-1], 3) if values else None
    return sorted(table.values(), key=lambda e: (not e["declared"], e["name"]))


def _declare(table: dict[str, dict[str, Any]], declared: list[Any], kind: str) -> None:
    """The links run.json declares, listed even when nothing crossed them."""
    for seam in declared:
        if isinstance(seam, dict):
            name = f"{seam.get('consumer')} -> {seam.get('provider')}"
            entry = _seam_entry(table, name, seam.get("consumer"), seam.get("provider"))
            entry["variable"] = entry["variable"] or seam.get("variable")
            entry["declared"], entry["kind"] = True, kind


def _count_message(entry: dict[str, Any], message: dict[str, Any]) -> None:
    """A broker message on its seam: a message seam's figures are what crossed it and how
    each delivery was settled (an `unacked` one was never acked: lost if its consumer died)."""
    entry["kind"] = "message"
    entry[message["direction"]] += 1
    if message["ack"]:
        entry["acks"][message["ack"]] += 1
    entry["unacked"] += message["ack"] == "unacked"
    entry["faults"] += message["fault"] is not None
    entry["violations"] += len(message["violations"])


def _seam_entry(
    table: dict[str, dict[str, Any]], name: str, consumer: Any, provider: Any
) -> dict[str, Any]:
    if name not in table:
        table[name] = {
            "name": name,
            "consumer": str(consumer),
            "provider": str(provider),
            "variable": None,
            "declared": False,
            "kind": "http",  # "message" once a broker message crossed it
            "exchanges": 0,
            "published": 0,
            "delivered": 0,
            "acks": Counter(),
            "unacked": 0,
            "modes": Counter(),
            "outcomes": Counter(),
            "violations": 0,
            "faults": 0,
        }
    return table[name]


def _run_span(records: list[RecordDir], tests: list[dict[str, Any]]) -> tuple[str, str]:
    starts = [canonical_time(r.run.get("started")) for r in records]
    ends = [canonical_time(r.run.get("ended")) for r in records]
    starts += [t["started"] for t in tests]
    ends += [t["ended"] for t in tests]
    known_starts = [s for s in starts if s]
    known_ends = [e for e in ends if e]
    return (min(known_starts, default=""), max(known_ends, default=""))


def seconds_between(start: str, end: str) -> float | None:
    if not start or not end:
        return None
    delta = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    return round(delta.total_seconds(), 3)
