"""Every exchange that reaches a seam is journaled, whatever the consumer does meanwhile:
a consumer that hangs up while the seam holds its request (injected latency), while the
request body is still arriving, or while the provider works, leaves an exchange whose
outcome is the hang-up."""

from __future__ import annotations

import socket

import httpx
import pytest

from seamline.seams.assertions import eventually


def test_a_latency_fault_the_consumer_gives_up_on_is_journaled_as_its_timeout(chain):
    chain.seam("test", "c").fault(latency_ms=1500)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(chain.url("c") + "/health", timeout=1.0)
    hop = eventually(lambda: chain.seam("test", "c").calls().one())
    assert (hop.outcome, hop.mode, hop.response) == ("timeout", "fault", None)
    assert hop.fault == {"latency_ms": 1500, "rate": 1.0}
    assert "the consumer gave up after" in (hop.error or "")
    assert "injected latency of 1500 ms" in (hop.error or "")
    assert 900 <= hop.duration_ms < 1500  # ended by the hang-up, not by the fault's end


def test_a_consumer_hanging_up_mid_body_is_journaled(chain):
    address = chain.url("c").removeprefix("http://").split(":")
    with socket.create_connection((address[0], int(address[1]))) as conn:
        head = b"POST /digest HTTP/1.1\r\nHost: c\r\nContent-Length: 1000\r\n\r\n"
        conn.sendall(head + b"x" * 10)
        assert not chain.seam("test", "c").calls()  # the seam waits for the rest of the body
    hop = eventually(lambda: chain.seam("test", "c").calls().one())
    assert hop.outcome == "error" and hop.response is None
    assert "closed the connection" in (hop.error or "")
    assert hop.request.body.size == 10


def test_a_consumer_hanging_up_mid_body_of_a_streamed_request_is_journaled(chain):
    big = 4 * 1024 * 1024  # above `stream_above`: the seam streams it on to the provider
    sent = 2 * 1024 * 1024
    host, port = chain.url("c").removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as conn:
        conn.sendall(f"POST /digest HTTP/1.1\r\nHost: c\r\nContent-Length: {big}\r\n\r\n".encode())
        conn.sendall(b"x" * sent)
    hop = eventually(lambda: chain.seam("test", "c").calls().one())
    assert hop.outcome == "error" and hop.response is None
    assert "before its request body was complete" in (hop.error or "")
    assert 0 < hop.request.body.size <= sent
