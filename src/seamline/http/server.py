"""`HttpServer`: listen on a port and hand every request to a handler.

    async def handler(request: Request) -> Reply:
        body = await request.body()          # or: async for chunk in request.stream()
        return Response(200, [("Content-Type", "text/plain")], b"hello")

    server = HttpServer(handler)
    await server.start("127.0.0.1", 0)       # server.port is the port bound
    ...
    await server.close()

A server started with `pausable=True` can stop accepting (`stop_accepting()`: new
connections are refused, as by a port nobody listens on, while the port stays bound to
this server) and start again (`start_accepting()`).

`fast` is an optional synchronous handler tried first for requests whose body is
already complete; it returns a reply, or None to defer to `handler`. The stub engine
answers most requests this way without creating a task.

The server runs on whatever loop awaits `start()`: a `LoopThread` inside the test
process, or `asyncio.run` in a process of its own (the stand-alone CLI).
"""

from __future__ import annotations

import asyncio
import socket
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
        self._holder: socket.socket | None = None
        self._backlog = 1024
        self._tls: ssl.SSLContext | None = None

    async def start(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        backlog: int = 1024,
        tls: ssl.SSLContext | None = None,
        pausable: bool = False,
    ) -> None:
        """Listen on `host:port` (0: a free port); with `tls`, speak HTTPS."""
        self._backlog = backlog
        self._tls = tls
        if pausable:
            # Bound, never listening: it keeps the port ours while the listener is closed
            # (another bind fails), so connections meanwhile are refused, not someone else's.
            self._holder = _reusable_socket(host, port)
            host, port = self._holder.getsockname()[:2]
        server = await self._listen(host, port)
        self.scheme = "https" if tls is not None else "http"
        sockname = server.sockets[0].getsockname()
        self.host, self.port = str(sockname[0]), int(sockname[1])

    async def _listen(self, host: str, port: int) -> asyncio.Server:
        loop = asyncio.get_running_loop()
        if self._holder is None:
            server = await loop.create_server(
                lambda: HttpConnection(self),
                host,
                port,
                backlog=self._backlog,
                reuse_address=True,
                ssl=self._tls,
            )
        else:
            server = await loop.create_server(
                lambda: HttpConnection(self),
                sock=_reusable_socket(host, port),
                backlog=self._backlog,
                ssl=self._tls,
            )
        self._server = server
        return server

    @property
    def accepting(self) -> bool:
        return self._server is not None

    def stop_accepting(self) -> None:
        """Refuse new connections from now on (the listening socket is closed at once);
        connections already open carry on. Only for a server started `pausable`."""
        if self._holder is None:
            raise RuntimeError("stop_accepting: the server was not started with pausable=True")
        server, self._server = self._server, None
        if server is not None:
            server.close()

    async def start_accepting(self) -> None:
        """Accept new connections again, on the same port."""
        if self._server is None and self._holder is not None and not self.closing:
            await self._listen(self.host, self.port)

    def close_idle(self) -> None:
        """Close the connections waiting for their next request, as a stopped server's are
        closed: a client's pool sees them go and opens a new connection for its next one."""
        for conn in list(self.connections):
            if conn.idle:
                conn.close()

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
        if self._holder is not None:
            self._holder.close()
        if server is not None:
            await server.wait_closed()


def _reusable_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock
