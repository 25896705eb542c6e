"""Refusing a consumer's connections while the seam's provider refuses the seam's.

Without a seam, a consumer calling a provider that is down has its connection refused, and
HTTP clients retry refused connects (httpx `retries`, urllib3 `Retry(connect=...)`). A seam
that accepted the connection and then reset it would turn that into a read error, which the
same clients do not retry. So while its provider is down the seam stops listening: the
consumer's connect is refused by the kernel, as it would be by the provider's own port.

The seam learns that the provider is down when a forward is refused, when the provider closes
a pooled connection (it may have gone away), when its route changes, or when the System stops
or starts the provider (`check`). While down it tries to connect to
the provider every `POLL_S` and listens again as soon as one connect succeeds; `check`
(called by `System.start_service` and on a route switch) sees a provider back at once.

A connection refused by the kernel never reaches the seam, so it cannot be journaled: the
exchange that found the provider down is (outcome `refused`); later attempts are not.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from urllib.parse import urlsplit

from seamline.http import HttpServer

POLL_S = 0.02  # a refused loopback connect costs microseconds: poll often, come back soon
PROBE_TIMEOUT_S = 1.0


class ProviderWatch:
    """Keeps `server` accepting exactly while the provider at `upstream()` accepts.

    `upstream()` is the address the seam forwards to now, or None when the current route
    answers without the provider (a fault that always replies by itself).
    """

    def __init__(self, server: HttpServer, upstream: Callable[[], str | None]) -> None:
        self._server = server
        self._upstream = upstream
        self._poller: asyncio.Task[None] | None = None
        self._checking: asyncio.Task[None] | None = None

    async def check(self) -> None:
        """Probe the provider now: listen if it accepts (or is not needed), else stop."""
        if await _accepts(self._upstream()):
            await self._resume()
        else:
            self.refused()

    def check_soon(self) -> None:
        """`check` shortly, in a task of its own (from a callback that cannot wait)."""
        if self._poller is None and self._checking is None:
            self._checking = asyncio.get_running_loop().create_task(self._check_once())

    async def _check_once(self) -> None:
        # A dying process's sockets close one by one: its connection to us may close a moment
        # before its listening socket does, and a probe in between would find it "up".
        await asyncio.sleep(POLL_S)
        try:
            await self.check()
        finally:
            self._checking = None

    def refused(self) -> None:
        """The provider refused a connection: refuse the consumer's until it is back."""
        if self._poller is not None or self._server.closing:
            return
        self._server.stop_accepting()
        self._server.close_idle()
        self._poller = asyncio.get_running_loop().create_task(self._poll())

    async def _poll(self) -> None:
        while not await _accepts(self._upstream()):
            await asyncio.sleep(POLL_S)
        self._poller = None
        await self._server.start_accepting()

    async def _resume(self) -> None:
        poller, self._poller = self._poller, None
        await _cancel(poller)
        await self._server.start_accepting()

    async def close(self) -> None:
        """Stop watching the provider."""
        poller, self._poller = self._poller, None
        checking, self._checking = self._checking, None
        await _cancel(poller)
        await _cancel(checking)


async def _cancel(task: asyncio.Task[None] | None) -> None:
    if task is not None and task is not asyncio.current_task():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _accepts(upstream: str | None) -> bool:
    """Whether a connection to `upstream` is accepted; only a refusal counts as no."""
    if upstream is None:
        return True
    parts = urlsplit(upstream)
    if parts.hostname is None:
        return True
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname, port), PROBE_TIMEOUT_S
        )
    except ConnectionRefusedError:
        return False
    except (OSError, TimeoutError):
        return True  # not a refusal: the request itself will meet and journal what it is
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True
