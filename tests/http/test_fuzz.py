"""Malformed HTTP never kills the server: thousands of broken inputs, then a normal request."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from http_helpers import ServerFactory, exchange
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seamline.http import HttpServer, Limits

VALID = [
    b"GET /a?b=c HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"PUT /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
]

chunk_sizes = st.sampled_from(
    [b"zz", b"-1", b"FFFFFFFFFFFFFFFFFF", b"1;ext=\x00", b"", b"0x10", b"99999999"]
)


@st.composite
def broken_requests(draw: st.DrawFn) -> bytes:
    base = draw(st.sampled_from(VALID))
    kind = draw(
        st.sampled_from(["truncate", "insert", "replace", "chunk", "huge", "random", "repeat"])
    )
    if kind == "truncate":
        return base[: draw(st.integers(0, len(base) - 1))]
    if kind == "insert":
        at = draw(st.integers(0, len(base)))
        return base[:at] + draw(st.binary(min_size=1, max_size=40)) + base[at:]
    if kind == "replace":
        at = draw(st.integers(0, len(base) - 1))
        return base[:at] + bytes([draw(st.integers(0, 255))]) + base[at + 1 :]
    if kind == "chunk":
        size = draw(chunk_sizes)
        return (
            b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + size
            + b"\r\nabc\r\n0\r\n\r\n"
        )
    if kind == "huge":
        return (
            b"GET / HTTP/1.1\r\n" + b"X-H: " + b"v" * draw(st.integers(5000, 20000)) + b"\r\n\r\n"
        )
    if kind == "repeat":
        return base * draw(st.integers(2, 5)) + draw(st.binary(max_size=20))
    return draw(st.binary(min_size=1, max_size=300))


@pytest.fixture
def errors() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect(level=logging.ERROR)
    logger = logging.getLogger("seamline.http")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_server_survives_thousands_of_malformed_requests(
    serve: ServerFactory, errors: list[logging.LogRecord]
) -> None:
    server: HttpServer = serve(limits=Limits(max_head_bytes=4096))
    statuses: set[bytes] = set()

    @settings(
        max_examples=2000,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(broken_requests())
    def send(data: bytes) -> None:
        reply = exchange(server, data, timeout=2)
        if reply:
            assert reply.startswith(b"HTTP/1.1 "), f"not HTTP: {reply[:80]!r} for {data[:80]!r}"
            statuses.add(reply[9:12])

    send()
    assert httpx.get(server.url + "/still-alive").status_code == 200
    assert b"400" in statuses
    assert b"200" in statuses
    assert not errors, f"internal errors logged: {[r.getMessage() for r in errors]}"
