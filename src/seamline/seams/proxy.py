"""The seam proxy: forwards a consumer's requests to its provider and records each exchange.

One proxy per seam (`api -> payments`), listening on its own loopback port on the
run's event loop. The consumer is handed the proxy's address instead of the
provider's. Requests and responses pass through unchanged except for hop-by-hop
framing (and a `Via` header when configured); bodies above `stream_above` bytes
stream through without being buffered, and the journal keeps their first
`body_cap` bytes. A test can switch the seam at run time: real provider, stub, or
an injected fault (`modes.py`).
"""

from __future__ import annotations

import asyncio
import dataclasses
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
    RawConnection,
    RawReply,
    Reply,
    Request,
    Response,
    UpstreamError,
    UpstreamRefused,
    wire,
)
from seamline.records.exchange import Exchange, HeaderList, RequestRecord, ResponseRecord, seam_name
from seamline.records.lines import Outcome
from seamline.records.run import now_iso
from seamline.seams.capture import Capture
from seamline.seams.journal import Journal
from seamline.seams.modes import Fault, Route
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
    ) -> None:
        self.consumer, self.provider = consumer, provider
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
        self._held: set[asyncio.Future[None]] = set()
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
        self._release_held()
        await self._watch.close()
        await self._server.close()
        await self._client.close()

    async def switch(self, route: Route) -> None:
        """Send later requests along `route`; requests held by a timeout fault are let go.
        Returns once the seam accepts connections if and only if the new route's provider does.
        """
        self.route = route
        self._release_held()
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

    def _release_held(self) -> None:
        for held in list(self._held):
            if not held.done():
                held.set_result(None)
        self._held.clear()

    # -- the request path ------------------------------------------------------------------

    async def handle(self, request: Request) -> Reply:
        route = self.route
        fault = route.fault if route.fault is not None and route.fault.applies(self._rng) else None
        record = _Record(self, request, route, fault)
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

    def _gave_up(self, record: _Record) -> str:
        waited = (time.monotonic() - record.mono) * 1000
        latency = record.fault.latency_ms if record.fault is not None else 0
        where = (
            f"while the seam held the request (injected latency of {latency:g} ms)"
            if waited < latency
            else f"before {self.provider} answered"
        )
        return f"the consumer gave up after {waited:.0f} ms, {where} (it closed the connection)"

    async def _exchange(self, request: Request, route: Route, record: _Record) -> Reply:
        fault = record.fault
        body = await self._request_body(request, record)
        if fault is not None:
            injected = await self._inject(fault, record, body)
            if injected is not None:
                return injected
        upstream = await self._forward(request, route, body, record)
        if upstream is None:
            return RawReply(_reset)  # the consumer meets a connection error, as it would
        return await self._reply(upstream, record)

    async def _request_body(
        self, request: Request, record: _Record
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
        self, request: Request, route: Route, body: bytes | AsyncIterator[bytes], record: _Record
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

    async def _reply(self, upstream: ClientResponse, record: _Record) -> Reply:
        headers = [(k, v) for k, v in upstream.headers if k.lower() not in HOP_BY_HOP]
        fault = record.fault
        if fault is not None and fault.drop_after_bytes is not None:
            return await self._truncate(
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
                return RawReply(_reset)
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

    async def _inject(
        self, fault: Fault, record: _Record, body: bytes | AsyncIterator[bytes]
    ) -> Reply | None:
        if fault.latency_ms:
            await asyncio.sleep(fault.latency_ms / 1000)
        if not (fault.status or fault.reset or fault.timeout):
            return None  # latency only, or a cut response: forward
        if not isinstance(body, bytes):
            async for _ in body:  # keep the request, then answer
                pass
        if fault.reset:
            record.finish("fault", "connection reset injected by seamline")
            return RawReply(_reset)
        if fault.timeout:
            record.finish("fault", "no answer: timeout injected by seamline")
            held = asyncio.get_running_loop().create_future()
            self._held.add(held)
            await asyncio.wait([held], timeout=self.options.timeout)
            return RawReply(_reset)
        assert fault.status is not None
        payload = fault.body or f'{{"error": "fault injected by seamline on {self.name}"}}'
        headers = [
            (
                "Content-Type",
                "application/json"
                if payload.startswith(("{", "["))
                else "text/plain; charset=utf-8",
            )
        ]
        record.response(fault.status, "", headers).add(payload.encode())
        record.finish("fault")
        return Response(fault.status, headers, payload.encode())

    async def _truncate(
        self,
        status: int,
        reason: str,
        headers: list[tuple[str, str]],
        data: bytes,
        keep: int,
        record: _Record,
    ) -> Reply:
        record.response(status, reason, headers).add(data[:keep])
        record.finish("fault", error=f"response cut after {keep} of {len(data)} bytes")
        head = wire.response_head(
            status, reason, headers, content_length=len(data), keep_alive=False
        )

        async def act(conn: RawConnection) -> None:
            conn.write(head + data[:keep])
            await conn.drain()
            conn.close()

        return RawReply(act)


_BODY_BROKE_OFF = "the consumer closed the connection before its request body was complete"


async def _reset(conn: RawConnection) -> None:
    conn.reset()


async def _relay(
    upstream: ClientResponse, capture: Capture, record: _Record
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


async def _read_through(record: _Record, body: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """`body`, noting in `record` when it has all been read."""
    async for chunk in body:
        yield chunk
    record.body_read = True


async def _chain(first: list[bytes], rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    for chunk in first:
        yield chunk
    async for chunk in rest:
        yield chunk


class _Record:
    """Collects one exchange while it happens; `finish` puts it in the journal once."""

    def __init__(
        self, proxy: SeamProxy, request: Request, route: Route, fault: Fault | None
    ) -> None:
        self.proxy, self.request, self.route, self.fault = proxy, request, route, fault
        self.test = proxy._current_test()
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
