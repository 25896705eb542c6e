"""Capturing an HTTP exchange for the journal while it crosses a seam: the first bytes of each
body as they stream past, then the exchange itself, checked against the contract and journaled
once."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterable, AsyncIterator
from typing import TYPE_CHECKING

from seamline.records.exchange import Body, Exchange, HeaderList, RequestRecord, ResponseRecord
from seamline.records.lines import Outcome
from seamline.records.run import now_iso
from seamline.seams.modes import Fault, Route

if TYPE_CHECKING:
    from seamline.http import Request
    from seamline.seams.proxy import SeamProxy


class Capture:
    """Collects up to `cap` bytes of a body and counts all of them."""

    __slots__ = ("_kept", "_parts", "cap", "size")

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.size = 0
        self._kept = 0
        self._parts: list[bytes] = []

    def add(self, data: bytes) -> None:
        self.size += len(data)
        room = self.cap - self._kept
        if room > 0 and data:
            piece = data[:room]
            self._parts.append(piece)
            self._kept += len(piece)

    def body(self, content_type: str) -> Body:
        return Body(b"".join(self._parts), self.size, self.size > self._kept, content_type)

    async def tee(self, stream: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        async for chunk in stream:
            self.add(chunk)
            yield chunk


class ExchangeRecord:
    """Collects one exchange while it happens; `finish` puts it in the journal once."""

    def __init__(
        self,
        proxy: SeamProxy,
        request: Request,
        route: Route,
        fault: Fault | None,
        *,
        test: str | None,
    ) -> None:
        self.proxy, self.request, self.route, self.fault = proxy, request, route, fault
        self.test = test
        self.started, self.mono = now_iso(), time.monotonic()
        self.request_body = Capture(proxy.options.body_cap)
        self._response: tuple[int, str, list[tuple[str, str]], Capture] | None = None
        self.body_read = False  # the whole request body has arrived
        self._done = False

    def response(self, status: int, reason: str, headers: list[tuple[str, str]]) -> Capture:
        capture = Capture(self.proxy.options.body_cap)
        self._response = (status, reason, headers, capture)
        return capture

    def finish(self, outcome: Outcome, error: str | None = None) -> None:
        if self._done:
            return
        self._done = True
        proxy, request = self.proxy, self.request
        headers = HeaderList(request.headers)
        req = RequestRecord(
            request.method,
            request.target,
            headers,
            self.request_body.body(headers.get("content-type") or ""),
            request.http_version,
        )
        resp = None
        if self._response is not None:
            status, reason, resp_headers, capture = self._response
            listed = HeaderList(resp_headers)
            resp = ResponseRecord(
                status, reason, listed, capture.body(listed.get("content-type") or "")
            )
        exchange = Exchange(
            proxy.name,
            proxy.consumer,
            proxy.provider,
            req,
            resp,
            outcome=outcome,
            mode="fault" if self.fault else self.route.kind,
            error=error,
            test=self.test,
            started=self.started,
            ended=now_iso(),
            mono=self.mono,
            duration_ms=round((time.monotonic() - self.mono) * 1000, 3),
            fault=self.fault.to_json() if self.fault else None,
        )
        if proxy.contract is not None and self.fault is None:
            # a response that did not arrive whole is not the provider's answer to check
            whole = exchange if outcome == "ok" else dataclasses.replace(exchange, response=None)
            exchange.violations = proxy.contract.check(whole)
        proxy.journal.add(exchange)
