"""Helpers for the HTTP engine tests: an echo handler and a raw-socket exchange."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

from seamline.http import HttpServer, Reply, Request, Response

ServerFactory = Callable[..., HttpServer]


async def echo(request: Request) -> Reply:
    """Answers with what it received; `/slow` waits first, `/boom` raises."""
    body = await request.body()
    if request.path == "/slow":
        await asyncio.sleep(0.02)
    if request.path == "/boom":
        raise RuntimeError("boom")
    text = f"{request.method} {request.target} {len(body)}".encode()
    return Response(200, [("Content-Type", "text/plain")], text + b"\n" + body)


def exchange(
    server: HttpServer, data: bytes, *, half_close: bool = True, timeout: float = 5
) -> bytes:
    """Send raw bytes, then read until the server closes (or the timeout)."""
    with socket.create_connection((server.host, server.port), timeout=timeout) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return received
