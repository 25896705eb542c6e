"""Playing a seam's fault on one HTTP exchange: latency, an error status, a reset connection,
no answer at all, or a response cut after some bytes (the settings are `modes.Fault`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from seamline.http import RawConnection, RawReply, Reply, Response, wire
from seamline.seams.capture import ExchangeRecord
from seamline.seams.modes import Fault


async def reset(conn: RawConnection) -> None:
    """Reset the consumer's connection (the reply of a provider that crashed)."""
    conn.reset()


class FaultInjector:
    """Plays faults on the seam `seam`; holds the requests a timeout fault leaves unanswered
    until `release` (a route switch) or the seam's `timeout` lets them go."""

    def __init__(self, seam: str, timeout: float) -> None:
        self._seam = seam
        self._timeout = timeout
        self._held: set[asyncio.Future[None]] = set()

    def release(self) -> None:
        """Let go of every request held by a timeout fault."""
        for held in list(self._held):
            if not held.done():
                held.set_result(None)
        self._held.clear()

    async def inject(
        self, fault: Fault, record: ExchangeRecord, body: bytes | AsyncIterator[bytes]
    ) -> Reply | None:
        """The fault's own reply, or None when the request goes on to the provider (after
        the fault's latency; a cut response is played by `truncate` on the way back)."""
        if fault.latency_ms:
            await asyncio.sleep(fault.latency_ms / 1000)
        if not (fault.status or fault.reset or fault.timeout):
            return None  # latency only, or a cut response: forward
        if not isinstance(body, bytes):
            async for _ in body:  # keep the request, then answer
                pass
        if fault.reset:
            record.finish("fault", "connection reset injected by seamline")
            return RawReply(reset)
        if fault.timeout:
            record.finish("fault", "no answer: timeout injected by seamline")
            held = asyncio.get_running_loop().create_future()
            self._held.add(held)
            await asyncio.wait([held], timeout=self._timeout)
            return RawReply(reset)
        assert fault.status is not None
        payload = fault.body or f'{{"error": "fault injected by seamline on {self._seam}"}}'
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


async def truncate(
    status: int,
    reason: str,
    headers: list[tuple[str, str]],
    data: bytes,
    keep: int,
    record: ExchangeRecord,
) -> Reply:
    """The provider's response cut after `keep` bytes of its body, then the connection
    closed; its head still declares the whole length."""
    record.response(status, reason, headers).add(data[:keep])
    record.finish("fault", error=f"response cut after {keep} of {len(data)} bytes")
    head = wire.response_head(status, reason, headers, content_length=len(data), keep_alive=False)

    async def act(conn: RawConnection) -> None:
        conn.write(head + data[:keep])
        await conn.drain()
        conn.close()

    return RawReply(act)
