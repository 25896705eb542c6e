"""The seam proxy: forwards a consumer's requests to its provider and records each exchange.

One proxy per seam (`api -> payments`), listening on its own loopback port on the
run's event loop. The consumer is handed the proxy's address instead of the
provider's. Requests and responses pass through unchanged except for hop-by-hop
framing (and a `Via` header when configured); bodies above `stream_above` bytes
stream through without being buffered, and the journal keeps their first
`body_cap` bytes. A test can switch the seam at run time: real provider, stub, or
an injected fault (`modes.py`, played by `fault_injection.py`). Each exchange is
collected while it passes and journaled once by `capture.ExchangeRecord`.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from seamline.config.model import SeamsSpec
from seamline.contracts import Contract
from seamline.http import (
    ClientResponse,
    HttpClient,
    HttpServer,
    Limits,
    RawReply,
    Reply,
    Request,
    Response,
    UpstreamError,
    UpstreamRefused,
    wire,
)
from seamline.records.exchange import seam_name
from seamline.records.lines import Outcome
from seamline.seams.capture import Capture, ExchangeRecord
from seamline.seams.fault_injection import FaultInjector, reset, truncate
from seamline.seams.gate import StartGate
from seamline.seams.journal import Journal
from seamline.seams.modes import Route
from seamline.seams.outage import ProviderWatch

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
        "transfer-encoding",
        "content-length",
        "host",
        "expect",
    }
)


@dataclass(frozen=True)
class SeamOptions:
    """How a seam proxy treats bodies and time: the config's `[seams]` table (`SeamsSpec`,
    where the defaults are written)."""

    body_cap: int  # bytes of each body kept in the journal
    stream_above: int  # bodies larger than this stream through
    timeout: float  # the longest the proxy waits for the provider
    via: bool  # add `Via: 1.1 seamline (consumer -> provider)`

    @classmethod
    def from_spec(cls, spec: SeamsSpec | None = None) -> SeamOptions:
        """The options `[seams]` sets; without one, the defaults."""
        spec = spec or SeamsSpec()
        return cls(spec.body_cap, spec.stream_above, spec.timeout, spec.via)


class SeamProxy:
    def __init__(
        self,
        consumer: str,
        provider: str,
        upstream: str,
        *,
        journal: Journal,
        current_test: Callable[[], str | None],
        contract: Contract | None = None,
        options: SeamOptions | None = None,
        gate: StartGate | None = None,
    ) -> None:
        self.consumer, self.provider = consumer, provider
        self._gate = gate  # while the provider starts, requests to it wait here
        self.name = seam_name(consumer, provider)
        self.real_upstream = upstream.rstrip("/")
        self.route = Route("real", self.real_upstream)
        self.journal = journal
        self.contract = contract
        self.options = options or SeamOptions.from_spec()
        self._current_test = current_test
        # a pooled connection the provider closes may mean it went away: check at once
        self._client = HttpClient(on_idle_closed=lambda _: self._watch.check_soon())
        self._server = HttpServer(self.handle, limits=Limits(body_high_water=256 * 1024))
        self._rng = random.Random()
        self._faults = FaultInjector(self.name, self.options.timeout)
        self._inflight: dict[asyncio.Task[Any], float] = {}
        self._timed_out: set[asyncio.Task[Any]] = set()
        self._closed = False
        self._watch = ProviderWatch(self._server, self._provider_address)

    # -- lifecycle and control (control methods are called from the test thread) --------

    async def start(self, port: int = 0) -> None:
        await self._server.start("127.0.0.1", port, pausable=True)
        asyncio.get_running_loop().call_later(1.0, self._sweep)

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def port(self) -> int:
        return self._server.port

    async def close(self) -> None:
        self._closed = True
        self._faults.release()
        await self._watch.close()
        await self._server.close()
        await self._client.close()

    async def switch(self, route: Route) -> None:
        """Send later requests along `route`; requests held by a timeout fault are let go.
        Returns once the seam accepts connections if and only if the new route's provider does.
        """
        self.route = route
        self._faults.release()
        if self._gate is not None:
            self._gate.poke()  # a request waiting for the provider may go to a stub now
        await self._watch.check()

    async def check_provider(self) -> None:
        """Accept connections if and only if the provider does (it was stopped or started)."""
        await self._watch.check()

    def _provider_address(self) -> str | None:
        """Where the seam connects now; None when the route's fault always answers itself."""
        fault = self.route.fault
        if (
            fault is not None
            and fault.rate >= 1.0
            and (fault.status or fault.reset or fault.timeout)
        ):
            return None
        return self.route.upstream

    # -- the request path ------------------------------------------------------------------

    async def handle(self, request: Request) -> Reply:
        route = self.route
        fault = route.fault if route.fault is not None and route.fault.applies(self._rng) else None
        record = ExchangeRecord(self, request, route, fault, test=self._current_test())
        try:
            return await self._exchange(request, route, record)
        except asyncio.CancelledError:  # the consumer hung up: that is the exchange's outcome
            if record.body_read:
                record.finish("timeout", error=self._gave_up(record))
            else:
                record.finish("error", error=_BODY_BROKE_OFF)
            raise
        except Exception as err:  # journaled, then answered as the HTTP engine answers it
            record.finish("error", error=f"{_BODY_BROKE_OFF}: {err}")
            raise

    def _gave_up(self, record: ExchangeRecord) -> str:
        waited = (time.monotonic() - record.mono) * 1000
        latency = record.fault.latency_ms if record.fault is not None else 0
        where = (
            f"while the seam held the request (injected latency of {latency:g} ms)"
            if waited < latency
            else f"before {self.provider} answered"
        )
        return f"the consumer gave up after {waited:.0f} ms, {where} (it closed the connection)"

    async def _exchange(self, request: Request, route: Route, record: ExchangeRecord) -> Reply:
        fault = record.fault
        body = await self._request_body(request, record)
        if fault is not None:
            injected = await self._faults.inject(fault, record, body)
            if injected is not None:
                return injected
        if self._gate is not None and self._gate.state != "ready":
            held = await self._gate.hold(lambda: self.route, self.real_upstream)
            if held is None:  # its start failed: answered as a provider that is down
                self._watch.refused()
                record.finish("refused", error=f"{self.provider} did not start (its start failed)")
                return RawReply(reset)
            route = record.route = held
        upstream = await self._forward(request, route, body, record)
        if upstream is None:
            return RawReply(reset)  # the consumer meets a connection error, as it would
        return await self._reply(upstream, record)

    async def _request_body(
        self, request: Request, record: ExchangeRecord
    ) -> bytes | AsyncIterator[bytes]:
        """The body whole when it is at most `stream_above` bytes, else a stream.

        A whole body goes out with its Content-Length (not every server reads chunked
        bodies) and can be sent again if a pooled connection turns out to be dead.
        """
        if request.body_complete:
            data = request.body_now()
            record.request_body.add(data)
            record.body_read = True
            return data
        length = wire.content_length(request.headers)
        if length is not None and length > self.options.stream_above:
            return _read_through(record, record.request_body.tee(request.stream()))
        parts: list[bytes] = []
        size = 0
        stream = request.stream()
        async for chunk in stream:  # chunked, or arriving after the head: gather it
            record.request_body.add(chunk)  # as it comes, so a hang-up keeps what came
            parts.append(chunk)
            size += len(chunk)
            if size > self.options.stream_above:
                return _read_through(record, _chain(parts, record.request_body.tee(stream)))
        record.body_read = True
        return b"".join(parts)

    async def _forward(
        self,
        request: Request,
        route: Route,
        body: bytes | AsyncIterator[bytes],
        record: ExchangeRecord,
    ) -> ClientResponse | None:
        """The provider's response, or None (recorded) when there is none."""
        task = asyncio.current_task()
        assert task is not None
        self._inflight[task] = time.monotonic()
        try:
            return await self._client.request(
                request.method,
                route.upstream + request.target,
                self._forward_headers(request),
                body,
                content_length=None
                if isinstance(body, bytes)
                else wire.content_length(request.headers),
            )
        except asyncio.CancelledError:
            if task not in self._timed_out:  # the consumer hung up: `handle` records it
                raise
            self._timed_out.discard(task)
            record.finish(
                "timeout", error=f"no answer from {self.provider} in {self.options.timeout:g} s"
            )
        except UpstreamRefused as err:
            if isinstance(err.__cause__, ConnectionRefusedError):
                self._watch.refused()  # refuse the consumer's next connections, as it would be
            record.finish("refused", error=str(err))
        except UpstreamError as err:
            record.finish("reset", error=str(err))
        finally:
            self._inflight.pop(task, None)
        return None

    def _sweep(self) -> None:
        """Once a second: give up on requests the provider has held past the timeout.

        One sweep for all requests costs far less than a timer per request.
        """
        if self._closed:
            return
        deadline = time.monotonic() - self.options.timeout
        for task, started in list(self._inflight.items()):
            if started < deadline:
                self._timed_out.add(task)
                task.cancel()
        asyncio.get_running_loop().call_later(1.0, self._sweep)

    async def _reply(self, upstream: ClientResponse, record: ExchangeRecord) -> Reply:
        headers = [(k, v) for k, v in upstream.headers if k.lower() not in HOP_BY_HOP]
        fault = record.fault
        if fault is not None and fault.drop_after_bytes is not None:
            return await truncate(
                upstream.status,
                upstream.reason,
                headers,
                await upstream.read(),
                fault.drop_after_bytes,
                record,
            )
        length = wire.content_length(upstream.headers)
        if length is not None and length <= self.options.stream_above:
            try:
                data = await upstream.read()
            except UpstreamError as err:
                record.finish("reset", error=str(err))
                return RawReply(reset)
            record.response(upstream.status, upstream.reason, headers).add(data)
            record.finish("fault" if fault else "ok")
            return Response(upstream.status, headers, data, reason=upstream.reason)
        capture = record.response(upstream.status, upstream.reason, headers)
        if length is not None:  # a large body keeps its length: streamed, not re-chunked
            headers = [*headers, ("Content-Length", str(length))]
        return Response(
            upstream.status,
            headers,
            _relay(upstream, capture, record),
            reason=upstream.reason,
        )

    def _forward_headers(self, request: Request) -> list[tuple[str, str]]:
        headers = [(k, v) for k, v in request.headers if k.lower() not in HOP_BY_HOP]
        if self.options.via:
            headers.append(("Via", f"1.1 seamline ({self.name})"))
        return headers


_BODY_BROKE_OFF = "the consumer closed the connection before its request body was complete"


async def _relay(
    upstream: ClientResponse, capture: Capture, record: ExchangeRecord
) -> AsyncIterator[bytes]:
    outcome: Outcome = "error"
    error: str | None = "the consumer closed the connection before the answer ended"
    try:
        async for chunk in upstream.stream():
            capture.add(chunk)
            yield chunk
        outcome, error = "ok", None
    except UpstreamError as err:
        outcome, error = "reset", str(err)
        raise
    finally:
        if outcome == "error":
            upstream.abort()  # nobody reads the rest: do not leave it in the provider's pipe
            error = f"{error} ({capture.size} bytes passed)"
        record.finish("fault" if record.fault else outcome, error=error)


async def _read_through(record: ExchangeRecord, body: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """`body`, noting in `record` when it has all been read."""
    async for chunk in body:
        yield chunk
    record.body_read = True


async def _chain(first: list[bytes], rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    for chunk in first:
        yield chunk
    async for chunk in rest:
        yield chunk
