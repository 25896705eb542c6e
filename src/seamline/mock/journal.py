"""The request journal: every request the server received, matched or not."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from seamline.mock.incoming import ReceivedRequest
from seamline.mock.mapping import StubMapping


@dataclass(slots=True)
class ServeEvent:
    request: ReceivedRequest
    stub: StubMapping | None

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
        return out


class Journal:
    """Newest last. `limit` bounds memory on long runs (None keeps everything)."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self._events: deque[ServeEvent] = deque(maxlen=limit)
        self.enabled = limit != 0
        self.dropped = 0

    def record(self, request: ReceivedRequest, stub: StubMapping | None) -> None:
        if not self.enabled:
            return
        if self.limit is not None and len(self._events) == self.limit:
            self.dropped += 1
        self._events.append(ServeEvent(request, stub))

    def events(self) -> list[ServeEvent]:
        return list(self._events)

    def get(self, event_id: str) -> ServeEvent | None:
        return next((e for e in self._events if e.id == event_id), None)

    def remove(self, keep: Callable[[ServeEvent], bool]) -> list[ServeEvent]:
        removed = [e for e in self._events if not keep(e)]
        remaining = [e for e in self._events if keep(e)]
        self._events = deque(remaining, maxlen=self.limit)
        return removed

    def clear(self) -> None:
        self._events.clear()
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._events)
