"""Writes record dirs exactly in the formats of docs/architecture.md ("Record formats").

Every line it writes is checked against its TypedDict in `seamline.records.lines`, so the
report tests read what the real writers write, field for field.

The journal and db-changes writers are built elsewhere; this builder is the
report's stand-in for them, on a virtual clock so that times are reproducible:

    run = RunBuilder(tmp_path / "runs", system="shop")
    run.service("api", "process", "http://127.0.0.1:9001")
    run.seam("api", "payments", "PAYMENTS_URL")
    with run.test("tests/test_shop.py::test_checkout") as test:
        outer = test.open("test -> api", "POST", "/orders", json={"cart": 1})
        test.log("api", "creating order")
        test.exchange("api -> payments", "POST", "/charges", json={"amount": 3998}, status=201)
        test.close(outer, status=201, json={"id": 7})
        test.fail("assert 1 == 2", "Traceback ...")
    run.finish()

Every secret value used through `secret()` is collected in `run.secrets`, so a
test can check that none of them reaches a report.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from seamline.records.lines import (
    FORMAT_VERSION,
    DbChangeLine,
    EndEvent,
    ExchangeLine,
    MessageLine,
    RunInfo,
    StartEvent,
)
from tests.records.shapes import checked

V = FORMAT_VERSION
BODY_CAP = 65_536
EPOCH = datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC)

Headers = Sequence[tuple[str, str]]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Clock:
    """Wall and monotonic time that only move when told to."""

    wall: datetime = EPOCH
    mono: float = 1000.0

    def advance(self, ms: float) -> None:
        self.wall += timedelta(milliseconds=ms)
        self.mono += ms / 1000

    def at(self) -> str:
        return _iso(self.wall)


@dataclass
class OpenExchange:
    seam: str
    method: str
    target: str
    headers: Headers
    body: dict[str, Any] | None
    seq: int
    started: str
    mono: float
    test: str | None


def body_record(
    *,
    json_value: Any = None,
    text: str | None = None,
    raw: bytes | None = None,
    cap: int = BODY_CAP,
) -> dict[str, Any]:
    """A body as the journal records it: text or base64, cut at `cap`."""
    if json_value is not None:
        raw = json.dumps(json_value).encode()
    elif text is not None:
        raw = text.encode()
    if raw is None:  # no body: the journal writes an empty one
        return {"size": 0, "truncated": False, "text": "", "base64": None}
    kept = raw[:cap]
    truncated = len(raw) > cap
    try:
        decoded: str | None = kept.decode("utf-8")
    except UnicodeDecodeError:
        decoded = None
    return {
        "size": len(raw),
        "truncated": truncated,
        "text": decoded,
        "base64": None if decoded is not None else base64.b64encode(kept).decode(),
    }


@dataclass
class RunBuilder:
    root: Path
    system: str = "shop"
    worker: str | None = None
    clock: Clock = field(default_factory=Clock)
    secrets: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        suffix = f"-{self.worker}" if self.worker else ""
        self.run_id = f"20261125-100000-4242{suffix}"
        self.path = self.root / self.run_id
        (self.path / "logs").mkdir(parents=True, exist_ok=True)
        self.services: dict[str, dict[str, Any]] = {}
        self.seams: list[dict[str, str]] = []
        self.seams_used: set[str] = set()
        self.seq = 0
        self.db_seq = 0
        self.message_seq = 0
        self.started = self.clock.at()
        self._write_run(ended=None)

    def secret(self, value: str) -> str:
        """Use `value` as a secret: it must never appear in a report."""
        self.secrets.add(value)
        return value

    def service(self, name: str, kind: str, url: str | None, runs: str = "") -> None:
        self.services[name] = {
            "kind": kind,
            "url": url,
            "runs": runs,
            "version": None,
            "ready_s": 0.05,
        }
        self._write_run(ended=None)

    def seam(self, consumer: str, provider: str, variable: str) -> None:
        self.seams.append({"consumer": consumer, "provider": provider, "variable": variable})
        self._write_run(ended=None)

    def log(self, service: str, text: str, advance_ms: float = 0.2) -> None:
        self.clock.advance(advance_ms)
        with (self.path / "logs" / f"{service}.log").open("a") as out:
            out.write(f"{self.clock.at()} {text}\n")

    def append(self, name: str, record: dict[str, Any]) -> None:
        with (self.path / name).open("a") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

    @contextmanager
    def test(self, nodeid: str) -> Iterator[TestBuilder]:
        started_mono = self.clock.mono
        self.append(
            "tests.jsonl",
            checked(
                {
                    "v": V,
                    "event": "start",
                    "test": nodeid,
                    "at": self.clock.at(),
                    "mono": started_mono,
                },
                StartEvent,
            ),
        )
        builder = TestBuilder(self, nodeid)
        yield builder
        if builder.outcome is None:  # the run was killed during this test
            return
        self.clock.advance(0.5)
        self.append(
            "tests.jsonl",
            checked(
                {
                    "v": V,
                    "event": "end",
                    "test": nodeid,
                    "outcome": builder.outcome,
                    "at": self.clock.at(),
                    "mono": self.clock.mono,
                    "duration_s": round(self.clock.mono - started_mono, 6),
                    "message": builder.message,
                    "longrepr": builder.longrepr,
                },
                EndEvent,
            ),
        )

    def finish(self) -> Path:
        self.clock.advance(5)
        self._write_run(ended=self.clock.at())
        return self.path

    def _write_run(self, ended: str | None) -> None:
        run = {
            "v": V,
            "system": self.system,
            "config": f"/work/{self.system}/seamline.toml",
            "profile": None,
            "run_id": self.run_id,
            "worker": self.worker,
            "session": None,
            "started": self.started,
            "seamline": "0.1.0",
            "services": self.services,
            "seams": self.seams,
            "seams_used": sorted(self.seams_used),
        }
        if ended:
            run["ended"] = ended
        (self.path / "run.json").write_text(json.dumps(checked(run, RunInfo), indent=2))


@dataclass
class TestBuilder:
    """Records of one test: exchanges, database changes, log lines, and its outcome."""

    __test__ = False  # not a pytest test class

    run: RunBuilder
    nodeid: str | None
    outcome: str | None = None
    message: str = ""
    longrepr: str = ""

    def passed(self) -> None:
        self.outcome = "passed"

    def fail(self, message: str, longrepr: str, outcome: str = "failed") -> None:
        self.outcome, self.message, self.longrepr = outcome, message, longrepr

    def skip(self, reason: str) -> None:
        self.outcome, self.message = "skipped", reason

    def log(self, service: str, text: str) -> None:
        self.run.log(service, text)

    def open(
        self,
        seam: str,
        method: str,
        target: str,
        *,
        headers: Headers = (),
        json: Any = None,
        text: str | None = None,
        raw: bytes | None = None,
    ) -> OpenExchange:
        self.run.clock.advance(0.3)
        self.run.seq += 1
        body = body_record(json_value=json, text=text, raw=raw)
        kind = "application/json" if json is not None else None
        sent = list(headers) + ([("content-type", kind)] if kind else [])
        return OpenExchange(
            seam, method, target, sent, body, self.run.seq, self.run.clock.at(),
            self.run.clock.mono, self.nodeid,
        )  # fmt: skip

    def close(
        self,
        opened: OpenExchange,
        *,
        status: int | None = 200,
        reason: str = "",
        headers: Headers = (),
        json: Any = None,
        text: str | None = None,
        raw: bytes | None = None,
        cap: int = BODY_CAP,
        after_ms: float = 2.0,
        mode: str = "real",
        outcome: str = "ok",
        error: str | None = None,
        fault: dict[str, Any] | None = None,
        violations: Sequence[dict[str, Any]] = (),
    ) -> dict[str, Any]:
        self.run.clock.advance(after_ms)
        consumer, provider = (part.strip() for part in opened.seam.split("->"))
        parts = urlsplit(opened.target)
        response = None
        if status is not None:
            kind = "application/json" if json is not None else None
            response = {
                "status": status,
                "reason": reason or _REASONS.get(status, ""),
                "headers": [list(h) for h in headers] + ([["content-type", kind]] if kind else []),
                "body": body_record(json_value=json, text=text, raw=raw, cap=cap),
            }
        record = {
            "v": V,
            "seam": opened.seam,
            "consumer": consumer,
            "provider": provider,
            "seq": opened.seq,
            "test": opened.test,
            "mode": mode,
            "outcome": outcome,
            "error": error,
            "started": opened.started,
            "ended": self.run.clock.at(),
            "mono": opened.mono,
            "duration_ms": round((self.run.clock.mono - opened.mono) * 1000, 3),
            "request": {
                "method": opened.method,
                "target": opened.target,
                "path": parts.path,
                "query": parse_qs(parts.query, keep_blank_values=True),
                "http_version": "1.1",
                "headers": [list(h) for h in opened.headers],
                "body": opened.body,
            },
            "response": response,
            "fault": fault,
            "violations": list(violations),
        }
        self.run.append("journal.jsonl", checked(record, ExchangeLine))
        self.run.seams_used.add(opened.seam)
        return record

    def exchange(self, seam: str, method: str, target: str, **options: Any) -> dict[str, Any]:
        request_keys = ("headers", "json", "text", "raw")
        request = {k[4:]: v for k, v in options.items() if k.startswith("req_")}
        response = {k: v for k, v in options.items() if not k.startswith("req_")}
        assert set(request) <= set(request_keys), request
        return self.close(self.open(seam, method, target, **request), **response)

    def broker_message(
        self,
        seam: str,
        direction: str,
        *,
        subject: str | None = None,
        queue: str | None = None,
        json: Any = None,
        headers: Headers = (),
        task: dict[str, Any] | None = None,
        ack: str | None = None,
        fault: str | None = None,
        violations: Sequence[dict[str, Any]] = (),
    ) -> dict[str, Any]:
        """A message on a broker link, as the message seam journals it (`messages.jsonl`)."""
        self.run.clock.advance(0.2)
        self.run.message_seq += 1
        consumer, provider = (part.strip() for part in seam.split("->"))
        record = {
            "v": V,
            "seam": seam,
            "consumer": consumer,
            "provider": provider,
            "protocol": "resp",
            "direction": direction,
            "seq": self.run.message_seq,
            "test": self.nodeid,
            "at": self.run.clock.at(),
            "mono": self.run.clock.mono,
            "subject": subject,
            "exchange": None,
            "queue": queue,
            "id": None,
            "headers": [list(h) for h in headers],
            "properties": None,
            "payload": body_record(json_value=json),
            "ack": ack,
            "task": task,
            "fault": fault,
            "problem": None,
            "violations": list(violations),
        }
        self.run.append("messages.jsonl", checked(record, MessageLine))
        return record

    def db_change(
        self,
        table: str,
        op: str,
        old: dict[str, Any] | None = None,
        new: dict[str, Any] | None = None,
        db: str = "db",
    ) -> None:
        self.run.clock.advance(0.1)
        self.run.db_seq += 1
        self.run.append(
            "db-changes.jsonl",
            checked(
                {
                    "v": V,
                    "db": db,
                    "test": self.nodeid,
                    "seq": self.run.db_seq,
                    "table": table,
                    "op": op,
                    "old": old,
                    "new": new,
                    "at": self.run.clock.at(),
                },
                DbChangeLine,
            ),
        )


def violation(
    seam: str,
    operation: str,
    where: str,
    status: int | None,
    pointer: str,
    expected: str,
    found: str,
) -> dict[str, Any]:
    field_path = "body" + pointer.replace("/", ".")
    where_status = f"{where} {status}" if status is not None else where
    return {
        "seam": seam,
        "operation": operation,
        "where": where,
        "status": status,
        "pointer": pointer,
        "expected": expected,
        "found": found,
        "message": f"{seam}: {operation} {where_status}: {field_path}: expected {expected}, "
        f"found {found}",
    }


_REASONS = {
    200: "OK",
    201: "Created",
    402: "Payment Required",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
