"""Grouping one record dir's records by test: what each test sent, changed and logged.

Exchanges, broker messages and database changes carry the id of the test they happened in. Log
lines carry only a time, so a test gets the lines written between its start
and end events: tests of one record dir run one after another (each xdist
worker has its own record dir, services and logs), so windows never overlap.
Whatever happened outside every test (start-up, session fixtures) goes to a
"session" entry of its record dir.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from seamline.records.lines import DbChangeLine, ExchangeLine, MessageLine, TestEvent
from seamline.records.reader import LogLine, RecordDir

SESSION_ID = "(outside tests)"
UNFINISHED = "unfinished"


@dataclass
class TestRecords:
    """One run of one test (or the session entry) and the raw records attributed to it."""

    __test__ = False  # not a pytest test class

    key: str
    test_id: str
    run_id: str
    worker: str | None
    started: str
    ended: str = ""
    outcome: str = UNFINISHED
    duration_s: float | None = None
    message: str = ""
    longrepr: str = ""
    exchanges: list[ExchangeLine] = field(default_factory=list)
    db_changes: list[DbChangeLine] = field(default_factory=list)
    messages: list[MessageLine] = field(default_factory=list)  # on broker links, acks settled
    logs: list[LogLine] = field(default_factory=list)
    screenshot: bytes | None = None  # the page's PNG when the test failed (`page` fixture)


def group_by_test(record: RecordDir) -> list[TestRecords]:
    """The record dir's tests in the order they started, then its session entry if non-empty."""
    tests = _tests_from_events(record)
    session = TestRecords(
        key=f"{record.run_id}::{SESSION_ID}",
        test_id=SESSION_ID,
        run_id=record.run_id,
        worker=record.worker,
        started=str(record.run.get("started") or ""),
        ended=str(record.run.get("ended") or ""),
        outcome="session",
    )
    by_id: dict[str, list[TestRecords]] = {}
    for test in tests:
        by_id.setdefault(test.test_id, []).append(test)
    for exchange in record.exchanges:
        at = exchange["started"]
        owner = _owner(by_id, exchange.get("test"), at, session)
        if owner is session and not exchange.get("test"):
            owner = _running_at(tests, at) or session
        owner.exchanges.append(exchange)
    for change in record.db_changes:
        _owner(by_id, change.get("test"), change["at"], session).db_changes.append(change)
    for message in record.messages:
        _owner(by_id, message.get("test"), message["at"], session).messages.append(message)
    _assign_logs(record.logs, tests, session, _last_time(record))
    for test in tests:
        if test.outcome == UNFINISHED and not test.ended:
            test.ended = _last_time(record)
    if session.exchanges or session.db_changes or session.messages or session.logs:
        return [*tests, session]
    return tests


def _tests_from_events(record: RecordDir) -> list[TestRecords]:
    tests: list[TestRecords] = []
    running: dict[str, TestRecords] = {}
    attempts: dict[str, int] = {}
    for event in record.test_events:
        test_id = str(event.get("test") or "")
        if event.get("event") == "start":
            attempts[test_id] = attempts.get(test_id, 0) + 1
            suffix = f"#{attempts[test_id]}" if attempts[test_id] > 1 else ""
            test = TestRecords(
                key=f"{record.run_id}::{test_id}{suffix}",
                test_id=test_id,
                run_id=record.run_id,
                worker=record.worker,
                started=event["at"],
            )
            running[test_id] = test
            tests.append(test)
        elif event.get("event") == "end":
            if test_id in running:
                test = running.pop(test_id)
            else:
                test = _ended_without_start(record, event, tests)
            test.ended = event["at"]
            test.outcome = str(event.get("outcome") or "error")
            test.duration_s = _float(event.get("duration_s"))
            test.message = str(event.get("message") or "")
            test.longrepr = str(event.get("longrepr") or "")
            if test.outcome in ("failed", "error"):
                test.screenshot = record.screenshot(test_id)
    return tests


def _ended_without_start(
    record: RecordDir, event: TestEvent, tests: list[TestRecords]
) -> TestRecords:
    # A lost start line (cut file, or a start before the system was up): the end is enough.
    test_id = str(event.get("test") or "")
    test = TestRecords(f"{record.run_id}::{test_id}", test_id, record.run_id, record.worker, "")
    tests.append(test)
    return test


def _owner(
    by_id: dict[str, list[TestRecords]], test_id: Any, at: str, session: TestRecords
) -> TestRecords:
    candidates = by_id.get(str(test_id)) if test_id else None
    if not candidates:
        return session
    # A rerun test has several entries: the last one that had started by then.
    for test in reversed(candidates):
        if not test.started or test.started <= at:
            return test
    return candidates[0]


def _running_at(tests: list[TestRecords], at: str) -> TestRecords | None:
    """The test whose window holds `at`: exchanges of a runner that announced no test
    (`seamline run` with a JUnit file) go to the test case that ran then."""
    for test in tests:
        if test.started and test.ended and test.started <= at <= test.ended:
            return test
    return None


def _assign_logs(
    logs: list[LogLine], tests: list[TestRecords], session: TestRecords, last: str
) -> None:
    times = [line.at for line in logs]
    taken: list[tuple[int, int]] = []
    for test in tests:
        if not test.started:
            continue
        first = bisect.bisect_left(times, test.started)
        end = bisect.bisect_right(times, test.ended or last)
        test.logs = logs[first:end]
        taken.append((first, end))
    # Lines outside every window belong to the session (start-up, shutdown).
    taken.sort()
    position = 0
    for first, end in taken:
        session.logs.extend(logs[position:first])
        position = max(position, end)
    session.logs.extend(logs[position:])


def _last_time(record: RecordDir) -> str:
    candidates = [str(record.run.get("ended") or "")]
    candidates += [e["at"] for e in record.test_events[-1:]]
    candidates += [x["ended"] for x in record.exchanges[-1:]]
    candidates += [line.at for line in record.logs[-1:]]
    return max(candidates)


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None
