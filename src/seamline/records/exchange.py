"""One request/response pair that crossed a seam, as the journal records it.

`to_json` and `from_json` build and read the line types of `records.lines`, where
each field name is spelled once.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs

from seamline.errors import SeamlineError
from seamline.records.lines import (
    FORMAT_VERSION,
    BodyLine,
    ExchangeLine,
    Mode,
    Outcome,
    RequestLine,
    ResponseLine,
    ViolationLine,
)


def seam_name(consumer: str, provider: str) -> str:
    """The seam's name as journals and reports spell it: `"api -> payments"`."""
    return f"{consumer} -> {provider}"


@dataclass(frozen=True)
class Body:
    """A message body: the first `cap` bytes are kept; `size` is always the whole size."""

    data: bytes = b""
    size: int = 0
    truncated: bool = False
    content_type: str = ""

    @cached_property
    def text(self) -> str:
        """The kept bytes as UTF-8; bytes that are not UTF-8 read as U+FFFD."""
        return self.data.decode("utf-8", errors="replace")

    @cached_property
    def json(self) -> Any:
        """The body parsed as JSON; a clear error if it is not JSON or was truncated."""
        if self.truncated:
            raise SeamlineError(
                f"the body ({self.size} bytes) was truncated in the journal, which kept its "
                f"first {len(self.data)} bytes; to assert on its JSON, raise `body_cap` in the "
                "[seams] table of seamline.toml above its size"
            )
        try:
            return json.loads(self.data)
        except ValueError as err:
            shown = self.text[:80] + ("..." if len(self.text) > 80 else "")
            raise SeamlineError(f"expected a JSON body, found {shown!r} ({err})") from None

    def to_json(self) -> BodyLine:
        record: BodyLine = {
            "size": self.size,
            "truncated": self.truncated,
            "text": None,
            "base64": None,
        }
        # JSON stays text: parsing it here would cost the proxy's hot path for every exchange;
        # readers parse the ones they look at (`.json`)
        try:
            record["text"] = self.data.decode("utf-8")
        except UnicodeDecodeError:
            record["base64"] = base64.b64encode(self.data).decode()
        return record

    @classmethod
    def from_json(cls, record: BodyLine, content_type: str) -> Body:
        text = record.get("text")
        data = text.encode() if text is not None else base64.b64decode(record.get("base64") or "")
        return cls(
            data, record.get("size", len(data)), record.get("truncated", False), content_type
        )


class HeaderList(list[tuple[str, str]]):
    """Headers in order, with case-insensitive `get` and `get_all`."""

    def get(self, name: str, default: str | None = None) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self if k.lower() == lowered), default)

    def get_all(self, name: str) -> list[str]:
        lowered = name.lower()
        return [v for k, v in self if k.lower() == lowered]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None


@dataclass(frozen=True)
class RequestRecord:
    """The request of an exchange, as the consumer sent it (`exchange.request`)."""

    method: str
    target: str
    headers: HeaderList
    body: Body
    http_version: str = "1.1"

    @property
    def path(self) -> str:
        """The target without its query: `/charges` for `/charges?x=1`."""
        return self.target.split("?", 1)[0]

    @cached_property
    def query(self) -> dict[str, list[str]]:
        """The query parameters, each with every value it was given: `{"x": ["1"]}`."""
        return (
            parse_qs(self.target.split("?", 1)[1], keep_blank_values=True)
            if "?" in self.target
            else {}
        )

    @property
    def json(self) -> Any:
        """The body parsed as JSON (`Body.json`): `exchange.request.json["amount"]`."""
        return self.body.json

    def to_json(self) -> RequestLine:
        return {
            "method": self.method,
            "target": self.target,
            "path": self.path,
            "query": self.query,
            "http_version": self.http_version,
            "headers": self.headers,  # (name, value) pairs: arrays in JSON
            "body": self.body.to_json(),
        }

    @classmethod
    def from_json(cls, record: RequestLine) -> RequestRecord:
        headers = HeaderList((k, v) for k, v in record["headers"])
        body = Body.from_json(record["body"], headers.get("content-type") or "")
        return cls(
            record["method"], record["target"], headers, body, record.get("http_version", "1.1")
        )


@dataclass(frozen=True)
class ResponseRecord:
    """The response of an exchange, as the consumer received it (`exchange.response`)."""

    status: int
    reason: str
    headers: HeaderList
    body: Body

    @property
    def json(self) -> Any:
        """The body parsed as JSON (`Body.json`)."""
        return self.body.json

    def to_json(self) -> ResponseLine:
        return {
            "status": self.status,
            "reason": self.reason,
            "headers": self.headers,
            "body": self.body.to_json(),
        }

    @classmethod
    def from_json(cls, record: ResponseLine) -> ResponseRecord:
        headers = HeaderList((k, v) for k, v in record["headers"])
        return cls(
            record["status"],
            record.get("reason", ""),
            headers,
            Body.from_json(record["body"], headers.get("content-type") or ""),
        )


@dataclass(frozen=True)
class Violation:
    """One way an exchange broke the provider's OpenAPI contract, or a message its broker's
    AsyncAPI contract (`operation` is then "channel <name>")."""

    seam: str
    operation: str  # "POST /charges", or the request line when no operation matched
    where: str  # request | response; a message's: published | delivered
    pointer: str  # JSON pointer into the body (payload), or a parameter / header name
    expected: str
    found: str
    status: int | None = None

    @property
    def message(self) -> str:
        """One line for people: the seam, the operation, where, what was expected and found."""
        part = f"response {self.status}" if self.where == "response" else self.where
        field = _field(self.pointer, "body" if self.where in ("request", "response") else "payload")
        return (
            f"{self.seam}: {self.operation} {part}: {field}: expected {self.expected}, "
            f"found {self.found}"
        )

    def to_json(self) -> ViolationLine:
        """The violation as the journal records it."""
        return {
            "seam": self.seam,
            "operation": self.operation,
            "where": self.where,
            "status": self.status,
            "pointer": self.pointer,
            "expected": self.expected,
            "found": self.found,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, record: ViolationLine) -> Violation:
        """The violation a journal record holds."""
        return cls(
            record["seam"],
            record["operation"],
            record["where"],
            record["pointer"],
            record["expected"],
            record["found"],
            record.get("status"),
        )


def _field(pointer: str, root: str) -> str:
    """'/amount' -> 'body.amount' (root 'body'); a parameter keeps its own label ('header X-Id')."""
    if not pointer.startswith("/") and pointer:
        return pointer
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    return root + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in parts)


@dataclass
class Exchange:
    """A request/response pair on a seam. `response` is None when none came back."""

    seam: str
    consumer: str
    provider: str
    request: RequestRecord
    response: ResponseRecord | None
    outcome: Outcome = "ok"
    mode: Mode = "real"
    error: str | None = None
    seq: int = 0
    test: str | None = None
    started: str = ""
    ended: str = ""
    mono: float = 0.0
    duration_ms: float = 0.0
    fault: dict[str, Any] | None = None
    violations: list[Violation] = field(default_factory=list)

    @property
    def status(self) -> int | None:
        """The response's status, or None when no response came back (see `outcome`)."""
        return self.response.status if self.response else None

    def __str__(self) -> str:
        result = str(self.status) if self.response else self.outcome
        return f"#{self.seq} {self.seam}: {self.request.method} {self.request.target} -> {result}"

    def to_json(self) -> ExchangeLine:
        """The exchange as one `journal.jsonl` line holds it (docs/architecture.md)."""
        return {
            "v": FORMAT_VERSION,
            "seam": self.seam,
            "consumer": self.consumer,
            "provider": self.provider,
            "seq": self.seq,
            "test": self.test,
            "mode": self.mode,
            "outcome": self.outcome,
            "error": self.error,
            "started": self.started,
            "ended": self.ended,
            "mono": self.mono,
            "duration_ms": self.duration_ms,
            "request": self.request.to_json(),
            "response": self.response.to_json() if self.response else None,
            "fault": self.fault,
            "violations": [v.to_json() for v in self.violations],
        }

    @classmethod
    def from_json(cls, record: ExchangeLine) -> Exchange:
        """An exchange from a line of the current format (`records.lines.as_exchange`
        upgrades an older one)."""
        response = record.get("response")
        return cls(
            seam=record["seam"],
            consumer=record["consumer"],
            provider=record["provider"],
            request=RequestRecord.from_json(record["request"]),
            response=ResponseRecord.from_json(response) if response else None,
            outcome=record["outcome"],
            mode=record.get("mode", "real"),
            error=record.get("error"),
            seq=record["seq"],
            test=record.get("test"),
            started=record.get("started", ""),
            ended=record.get("ended", ""),
            mono=record.get("mono", 0.0),
            duration_ms=record.get("duration_ms", 0.0),
            fault=record.get("fault"),
            violations=[Violation.from_json(v) for v in record.get("violations", [])],
        )
