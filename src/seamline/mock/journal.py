"""The request journal: the requests the server received, matched or not, with what
was answered; bounded by default so a long-running stub server keeps its memory.

The bound is a count (`max_entries`) and an estimate of the bytes held
(`max_bytes`: bodies, URL and a fixed share for headers and bookkeeping). The oldest
entries go first; what was dropped is summed up (how many, when, which
method + path) so `/__admin/requests` and `verify` can say so instead of
silently counting too few.
"""

from __future__ import annotations

import base64
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from seamline.http.message import Reply, Response
from seamline.mock.incoming import ReceivedRequest
from seamline.mock.mapping import StubMapping

DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
_OVERHEAD = (
    1_500  # a 4-header GET event measures ~460 B (tracemalloc); headers vary, so be generous
)
_DROPPED_KINDS = 50  # distinct "METHOD path" kept in the summary of dropped requests


@dataclass(slots=True)
class ServeEvent:
    request: ReceivedRequest
    stub: StubMapping | None
    reply: Reply | None = None
    size: int = 0

    @property
    def id(self) -> str:
        return self.request.id

    @property
    def matched(self) -> bool:
        return self.stub is not None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "request": self.request.to_json(),
            "wasMatched": self.matched,
        }
        if self.stub is not None:
            out["stubMapping"] = self.stub.to_json()
            response = self.stub.to_json().get("response", {})
            out["responseDefinition"] = {"status": 200, **response, "fromConfiguredStub": True}
        else:
            out["responseDefinition"] = {"status": 404, "fromConfiguredStub": False}
        out["response"] = _response_json(self.reply)
        return out


def _response_json(reply: Reply | None) -> dict[str, Any]:
    """WireMock's LoggedResponse: what was sent (a fault or a streamed body: no body)."""
    if not isinstance(reply, Response):
        return {"status": 0 if reply is not None else 200, "bodyAsBase64": "", "body": ""}
    headers: dict[str, Any] = {}
    for name, value in reply.headers:
        previous = headers.get(name)
        if previous is None:
            headers[name] = value
        else:
            headers[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
    body = reply.body if isinstance(reply.body, bytes) else b""
    out: dict[str, Any] = {"status": reply.status}
    if headers:
        out["headers"] = headers
    out["bodyAsBase64"] = base64.b64encode(body).decode("ascii")
    out["body"] = body.decode("utf-8", "replace")
    return out


@dataclass
class Dropped:
    """What the bound pushed out of the journal."""

    count: int = 0
    first: float | None = None
    last: float | None = None
    kinds: Counter[str] = field(default_factory=Counter)

    def add(self, event: ServeEvent) -> None:
        self.count += 1
        logged = event.request.logged_at
        self.first = logged if self.first is None else self.first
        self.last = logged
        kind = f"{event.request.method} {event.request.path}"
        if kind in self.kinds or len(self.kinds) < _DROPPED_KINDS:
            self.kinds[kind] += 1
        else:
            self.kinds["(other)"] += 1

    def to_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "firstLoggedDate": _iso(self.first),
            "lastLoggedDate": _iso(self.last),
            "requests": dict(self.kinds.most_common()),
        }

    def describe(self) -> str:
        kinds = ", ".join(f"{k} x{n}" for k, n in self.kinds.most_common(5))
        return (
            f"{self.count} older request(s) were dropped from the journal, received from "
            f"{_iso(self.first)} to {_iso(self.last)} ({kinds})"
        )


def _iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class RequestLog:
    """The requests a stub server received (WireMock's request journal), newest last.

    `max_entries=None` and `max_bytes=None` keep everything (WireMock's default);
    `max_entries=0` keeps nothing (`--no-request-journal`)."""

    def __init__(
        self,
        max_entries: int | None = DEFAULT_MAX_ENTRIES,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
    ) -> None:
        self.limit = max_entries
        self.max_bytes = max_bytes
        self._events: deque[ServeEvent] = deque()
        self.enabled = max_entries != 0
        self.dropped = Dropped()
        self.bytes = 0

    def record(self, request: ReceivedRequest, stub: StubMapping | None) -> ServeEvent | None:
        if not self.enabled:
            return None
        event = ServeEvent(request, stub, None, _OVERHEAD + len(request.body) + len(request.url))
        self._events.append(event)
        self.bytes += event.size
        self._trim()
        return event

    def answered(self, event: ServeEvent | None, reply: Reply) -> None:
        """Attach what was sent; a per-request body counts against the byte bound."""
        if event is None:
            return
        event.reply = reply
        if isinstance(reply, Response) and not reply.reusable and isinstance(reply.body, bytes):
            event.size += len(reply.body)
            self.bytes += len(reply.body)
            self._trim()

    def _trim(self) -> None:
        events = self._events
        while events and (
            (self.limit is not None and len(events) > self.limit)
            or (self.max_bytes is not None and self.bytes > self.max_bytes and len(events) > 1)
        ):
            oldest = events.popleft()
            self.bytes -= oldest.size
            self.dropped.add(oldest)

    def events(self) -> list[ServeEvent]:
        return list(self._events)

    def get(self, event_id: str) -> ServeEvent | None:
        return next((e for e in self._events if e.id == event_id), None)

    def remove(self, keep: Callable[[ServeEvent], bool]) -> list[ServeEvent]:
        removed = [e for e in self._events if not keep(e)]
        self._events = deque(e for e in self._events if keep(e))
        self.bytes = sum(e.size for e in self._events)
        return removed

    def clear(self) -> None:
        self._events.clear()
        self.bytes = 0
        self.dropped = Dropped()

    def __len__(self) -> int:
        return len(self._events)
