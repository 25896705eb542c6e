"""A real HttpServer on loopback, driven by plain sockets and by HttpClient."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import pytest
from http_helpers import ServerFactory, echo

from seamline.http import HttpServer, Limits, LoopThread, Reply, Request


@pytest.fixture(scope="session")
def loop() -> Iterator[LoopThread]:
    thread = LoopThread("test-http")
    yield thread
    thread.stop()


@pytest.fixture
def serve(loop: LoopThread) -> Iterator[ServerFactory]:
    started: list[HttpServer] = []

    def start(
        handler: Callable[[Request], Awaitable[Reply]] = echo,
        limits: Limits | None = None,
        **kw: object,
    ) -> HttpServer:
        server = HttpServer(handler, limits=limits, **kw)  # type: ignore[arg-type]
        loop.run(server.start())
        started.append(server)
        return server

    yield start
    for server in started:
        loop.run(server.close())
