"""`HttpServer`: listen on a port and hand every request to a handler.

    async def handler(request: Request) -> Reply:
        body = await request.body()          # or: async for chunk in request.stream()
        return Response(200, [("Content-Type", "text/plain")], b"hello")

    server = HttpServer(handler)
    await server.start("127.0.0.1", 0)       # server.port is the port bound
    ...
    await server.close()

`fast` is an optional synchronous handler tried first for requests whose body is
already complete; it returns a reply, or None to defer to `handler`. The stub engine
answers most requests this way without creating a task.

The server runs on whatever loop awaits `start()`: a `LoopThread` inside the test
process, or `asyncio.run` in a process of its own (the stand-alone CLI).
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

from seamline.http.connection import HttpConnection
from seamline.http.message import FastHandler, Handler


@dataclass(frozen=True)
class Limits:
    """What a request may be. Past these the engine answers 414, 431 or 413."""

    max_url_bytes: int = 16 * 1024
    max_head_bytes: int = 64 * 1024
    max_body_bytes: int = 256 * 1024 * 1024
    # Unread body bytes held per request before the socket stops being read.
    body_high_water: int = 1024 * 1024


class HttpServer:
    def __init__(
        self,
        handler: Handler,
        *,
        fast: FastHandler | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.handler = handler
        self.fast = fast
        self.limits = limits or Limits()
        self.connections: set[HttpConnection] = set()
        self.closing = False
        self.host = ""
        self.port = 0
        self.scheme = "http"
        self._server: asyncio.AbstractServer | None = None

    async def start(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        backlog: int = 1024,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """Listen on `host:port` (0: a free port); with `tls`, speak HTTPS."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: HttpConnection(self),
            host,
            port,
            backlog=backlog,
            reuse_address=True,
            ssl=tls,
        )
        self.scheme = "https" if tls is not None else "http"
        sockname = self._server.sockets[0].getsockname()
        self.host, self.port = str(sockname[0]), int(sockname[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def started(self) -> bool:
        return self._server is not None

    async def close(self) -> None:
        """Stop listening and close every connection (in-flight replies are dropped)."""
        self.closing = True
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for conn in list(self.connections):
            conn.close()
        self.connections.clear()
        if server is not None:
            await server.wait_closed()
