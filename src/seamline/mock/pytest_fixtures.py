"""pytest fixtures for the stub engine (imported by `seamline.pytest_plugin`).

* `mock`: a fresh `MockServer` per test, on a free loopback port.
* `mock_shared`: one server for the whole session, reset (stubs, journal, scenarios)
  before each test; cheaper when many tests each need a stub server.
* `mock_loop`: the session's event-loop thread both run on.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from seamline.http.loop import LoopThread
from seamline.mock.server import MockServer

__all__ = ["mock", "mock_loop", "mock_shared"]


@pytest.fixture(scope="session")
def mock_loop() -> Iterator[LoopThread]:
    loop = LoopThread("seamline-mock-fixtures")
    yield loop
    loop.stop()


@pytest.fixture
def mock(mock_loop: LoopThread) -> Iterator[MockServer]:
    """A WireMock-compatible stub server for this test only (`mock.url`)."""
    server = MockServer(loop=mock_loop).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def _mock_session_server(mock_loop: LoopThread) -> Iterator[MockServer]:
    server = MockServer(loop=mock_loop).start()
    yield server
    server.stop()


@pytest.fixture
def mock_shared(_mock_session_server: MockServer) -> MockServer:
    """The session's stub server, reset before this test."""
    _mock_session_server.reset()
    return _mock_session_server
