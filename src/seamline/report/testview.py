"""One test as the report shows it: its outcome, exchanges, messages, sequence diagram, timeline.

The sequence diagram is decided here and only drawn by the page: who the
participants are (lifelines) and the order of the arrows. Each exchange gives
two arrows: its request when it started and its response (or its failure) when
it ended, so a call made while serving another call shows nested inside it. Each
broker message gives one arrow when it crossed: published (service -> broker) or
delivered (broker -> service), between the exchanges that caused it.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from seamline.masking import Masker
from seamline.records.lines import OUTCOMES
from seamline.report.assemble import TestRecords
from seamline.report.options import ReportOptions
from seamline.report.views import db_change_view, exchange_view, message_view

# Who drives a system from outside: drawn as the leftmost lifelines.
DRIVERS = ("test", "browser")
FAULT_OUTCOMES = tuple(outcome for outcome in OUTCOMES if outcome != "ok")
T = TypeVar("T")


def test_view(test: TestRecords, masker: Masker, options: ReportOptions) -> dict[str, Any]:
    ordered = sorted(test.exchanges, key=_request_time)
    exchanges = [exchange_view(x, masker, options.body_limit) for x in ordered]
    changes = [db_change_view(c, masker) for c in test.db_changes]
    lines, omitted_at, omitted = bounded_logs(test.logs, options.log_lines_per_test)
    logs = [
        {"at": line.at, "service": line.service, "text": masker.text(line.text)} for line in lines
    ]
    messages = [message_view(m, masker, options.body_limit) for m in test.messages]
    violations = [
        {**violation, "exchange": index}
        for index, exchange in enumerate(exchanges)
        for violation in exchange["violations"]
    ]
    violations += [
        {**violation, "message_index": index}
        for index, message in enumerate(messages)
        for violation in message["violations"]
    ]
    crossed = exchanges + messages
    return {
        "key": test.key,
        "id": test.test_id,
        "run_id": test.run_id,
        "worker": test.worker,
        "outcome": test.outcome,
        "started": test.started,
        "ended": test.ended,
        "duration_s": test.duration_s,
        "message": masker.text(test.message),
        "longrepr": masker.text(test.longrepr),
        # a data: URL, so the report stays one self-contained file
        "screenshot": (
            "data:image/png;base64," + base64.b64encode(test.screenshot).decode()
            if test.screenshot
            else None
        ),
        "services": sorted({x["consumer"] for x in crossed} | {x["provider"] for x in crossed}),
        "seams": sorted({x["seam"] for x in crossed}),
        "counts": {
            "exchanges": len(exchanges),
            "messages": len(messages),
            "violations": len(violations),
            "faults": sum(1 for x in exchanges if is_fault(x)),
            "db_changes": len(changes),
            "log_lines": len(test.logs),
        },
        "exchanges": exchanges,
        "messages": messages,
        "violations": violations,
        "db_changes": changes,
        "logs": logs,
        "logs_omitted": omitted,
        "logs_omitted_at": omitted_at,
        "diagram": sequence_diagram(ordered, messages),
        "timeline": timeline(exchanges, changes, logs, messages),
        "trimmed": None,
    }


def sequence_diagram(
    exchanges: Sequence[Mapping[str, Any]], messages: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """{"participants": [names], "steps": [{"exchange" or "message", "kind", "from", "to"}]}.

    `exchanges` must be in request order (the order of `test_view`'s exchanges); a step's
    kind is request | response for an exchange, published | delivered for a message.
    """
    appearance: list[str] = []
    for item in sorted([*exchanges, *messages], key=_request_time):
        for name in (str(item.get("consumer")), str(item.get("provider"))):
            if name not in appearance:
                appearance.append(name)
    participants = [d for d in DRIVERS if d in appearance]
    participants += [name for name in appearance if name not in DRIVERS]
    column = {name: index for index, name in enumerate(participants)}
    # (time, order, tie-break, step): at equal times a response closes the most recently
    # opened exchange first
    events: list[tuple[float, int, float, dict[str, Any]]] = []
    for index, exchange in enumerate(exchanges):
        consumer = column[str(exchange.get("consumer"))]
        provider = column[str(exchange.get("provider"))]
        start, end = _request_time(exchange), _response_time(exchange)
        request = {"exchange": index, "kind": "request", "from": consumer, "to": provider}
        response = {"exchange": index, "kind": "response", "from": provider, "to": consumer}
        events += [(start, 0, index, request), (end, 1, -start, response)]
    for index, message in enumerate(messages):
        service = column[str(message.get("consumer"))]
        broker = column[str(message.get("provider"))]
        published = message.get("direction") == "published"
        step = {
            "message": index,
            "kind": "published" if published else "delivered",
            "from": service if published else broker,
            "to": broker if published else service,
        }
        events.append((_request_time(message), 0, len(exchanges) + index, step))
    steps = [step for *_, step in sorted(events, key=lambda event: event[:3])]
    return {"participants": participants, "steps": steps}


def timeline(
    exchanges: list[dict[str, Any]],
    changes: list[dict[str, Any]],
    logs: list[dict[str, Any]],
    messages: list[dict[str, Any]] | None = None,
) -> list[list[Any]]:
    """[kind, index] of every exchange, message, database change and log line, in time order."""
    items: list[tuple[str, int, str, int]] = []
    items += [(x["started"], 0, "exchange", i) for i, x in enumerate(exchanges)]
    items += [(m["at"], 0, "message", i) for i, m in enumerate(messages or [])]
    items += [(c["at"], 1, "db", i) for i, c in enumerate(changes)]
    items += [(line["at"], 2, "log", i) for i, line in enumerate(logs)]
    items.sort(key=lambda item: (item[0], item[1], item[3]))
    return [[kind, index] for _, _, kind, index in items]


def _request_time(item: Mapping[str, Any]) -> float:
    """When an exchange's request went, or a message crossed."""
    mono = item.get("mono")
    if isinstance(mono, int | float):
        return float(mono)
    return _wall_seconds(str(item.get("started") or item.get("at") or ""))


def _response_time(exchange: Mapping[str, Any]) -> float:
    duration = exchange.get("duration_ms")
    mono = exchange.get("mono")
    if isinstance(mono, int | float) and isinstance(duration, int | float):
        return float(mono) + float(duration) / 1000
    return _wall_seconds(str(exchange.get("ended") or exchange.get("started") or ""))


def _wall_seconds(at: str) -> float:
    try:
        return datetime.fromisoformat(at).timestamp()
    except ValueError:
        return 0.0


def bounded_logs(logs: list[T], limit: int) -> tuple[list[T], int, int]:
    """At most `limit` lines: the first quarter and the last three quarters, and the gap."""
    if len(logs) <= limit:
        return logs, 0, 0
    head = limit // 4
    tail = limit - head
    return logs[:head] + logs[len(logs) - tail :], head, len(logs) - limit


def is_fault(exchange: dict[str, Any]) -> bool:
    return exchange["mode"] == "fault" or exchange["outcome"] in FAULT_OUTCOMES


def outcome_counts(tests: list[dict[str, Any]]) -> dict[str, int]:
    return dict(Counter(t["outcome"] for t in tests if t["outcome"] != "session"))
