"""HttpServer over real sockets: keep-alive, pipelining, chunked bodies, 100-continue,
limits and malformed input."""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import AsyncIterator

import httpx
from http_helpers import ServerFactory, exchange

from seamline.http import HttpServer, Limits, Reply, Request, Response


def test_keep_alive_serves_several_requests_on_one_connection(serve: ServerFactory) -> None:
    server = serve()
    with httpx.Client(base_url=server.url) as client:
        replies = [client.get(f"/n/{i}") for i in range(3)]
    assert [r.text.splitlines()[0] for r in replies] == [f"GET /n/{i} 0" for i in range(3)]
    assert all("connection" not in r.headers for r in replies)


def test_pipelined_requests_are_answered_in_order(serve: ServerFactory) -> None:
    server = serve()
    data = (
        b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
        b"POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
        b"GET /third HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    received = exchange(server, data, half_close=False)
    order = re.findall(rb"(?:GET|POST) /\w+ \d", received)
    assert order == [b"GET /slow 0", b"POST /second 3", b"GET /third 0"]
    assert received.count(b"HTTP/1.1 200 OK") == 3


def test_chunked_request_body_is_decoded(serve: ServerFactory) -> None:
    server = serve()
    data = (
        b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    )
    assert exchange(server, data).endswith(b"POST /c 11\nhello world")


def test_streamed_response_goes_out_chunked_or_close_delimited_for_http_10(
    serve: ServerFactory,
) -> None:
    async def stream(request: Request) -> Reply:
        async def pieces() -> AsyncIterator[bytes]:
            for piece in (b"one,", b"two,", b"three"):
                yield piece

        return Response(200, [], pieces())

    server = serve(stream)
    chunked = exchange(server, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in chunked
    assert chunked.endswith(b"4\r\none,\r\n4\r\ntwo,\r\n5\r\nthree\r\n0\r\n\r\n")
    old = exchange(server, b"GET / HTTP/1.0\r\n\r\n")
    assert b"Transfer-Encoding" not in old
    assert old.endswith(b"\r\n\r\none,two,three")
    assert httpx.get(server.url).text == "one,two,three"


def test_expect_100_continue_is_answered_before_the_body(serve: ServerFactory) -> None:
    server = serve()
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(
            b"PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"
        )
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"data")
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 200 OK")
    assert reply.endswith(b"PUT /up 4\ndata")


def test_expect_100_refused_by_the_handler_gets_no_continue_and_closes(
    serve: ServerFactory,
) -> None:
    async def refuse(request: Request) -> Reply:
        return Response(401, [], b"no")

    server = serve(refuse)
    head = b"PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"
    reply = exchange(server, head, half_close=False)
    assert reply.startswith(b"HTTP/1.1 401 Unauthorized")
    assert b"100 Continue" not in reply
    assert b"Connection: close" in reply


def test_head_gets_headers_without_a_body(serve: ServerFactory) -> None:
    server = serve()
    reply = exchange(server, b"HEAD /h HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert reply.endswith(b"Content-Length: 10\r\nConnection: close\r\n\r\n")


def test_oversized_head_is_431_and_long_url_is_414(serve: ServerFactory) -> None:
    server = serve(limits=Limits(max_head_bytes=2048, max_url_bytes=512))
    big_header = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 4096 + b"\r\n\r\n"
    reply = exchange(server, big_header)
    assert reply.startswith(b"HTTP/1.1 431 Request Header Fields Too Large")
    assert b"exceed 2048 bytes" in reply
    long_url = b"GET /" + b"u" * 1000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    assert exchange(server, long_url).startswith(b"HTTP/1.1 414")


def test_header_line_dribbled_in_tiny_pieces_is_still_bounded(serve: ServerFactory) -> None:
    server = serve(limits=Limits(max_head_bytes=1024))
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nX-Slow: ")
        reply = b""
        for _ in range(100):
            try:
                sock.sendall(b"a" * 50)
            except OSError:
                break
            sock.settimeout(0.001)
            try:
                reply += sock.recv(4096)
            except TimeoutError:
                continue
            if reply:
                break
        sock.settimeout(5)
        with contextlib.suppress(OSError):
            reply += sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 431")


def test_oversized_body_is_413_by_length_and_while_streaming(serve: ServerFactory) -> None:
    server = serve(limits=Limits(max_body_bytes=100))
    declared = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
    reply = exchange(server, declared, half_close=False)
    assert reply.startswith(b"HTTP/1.1 413")
    assert b"1000 bytes exceeds the limit of 100" in reply
    chunked = (
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"40\r\n"
        + b"x" * 64
        + b"\r\n"
    )
    reply = exchange(
        server, chunked * 1 + b"40\r\n" + b"y" * 64 + b"\r\n0\r\n\r\n", half_close=False
    )
    assert reply.startswith(b"HTTP/1.1 413")


def test_malformed_request_is_400_and_the_server_carries_on(serve: ServerFactory) -> None:
    server = serve()
    for garbage in (
        b"\x00\x01\x02\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ):
        assert exchange(server, garbage).startswith(b"HTTP/1.1 400 Bad Request")
    assert httpx.get(server.url + "/after").status_code == 200


def test_a_failing_handler_is_500_not_a_dead_server(serve: ServerFactory) -> None:
    server = serve()
    assert httpx.get(server.url + "/boom").status_code == 500
    assert httpx.get(server.url + "/fine").status_code == 200


def test_fast_handler_answers_and_defers_to_the_async_one(serve: ServerFactory) -> None:
    def fast(request: Request) -> Reply | None:
        return Response(200, [], b"fast") if request.path == "/fast" else None

    server = serve(fast=fast)
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/fast").text == "fast"
        assert client.get("/slow").text.startswith("GET /slow")


def test_close_drops_connections(serve: ServerFactory, loop: object) -> None:
    server: HttpServer = serve()
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/").status_code == 200
        from seamline.http import LoopThread

        assert isinstance(loop, LoopThread)
        loop.run(server.close())
        assert not server.connections


H2C = b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAEAAEAAAAIAAAAA\r\n"


def test_an_h2c_upgrade_is_ignored_and_the_request_served_as_http_1_1_with_its_body(
    serve: ServerFactory,
) -> None:
    # What Java's HttpClient sends on plain http by default. httptools stops before the body
    # of an upgrade request; before, the body was lost and a 501 followed the 200.
    server = serve()
    post = b"POST /charges HTTP/1.1\r\nHost: x\r\n" + H2C + b"Content-Length: 11\r\n\r\n"
    for body_in in ([b"hello world"], [b"hello", b" world"]):  # in the head's read, and after
        with socket.create_connection((server.host, server.port), timeout=5) as sock:
            sock.sendall(post + body_in[0])
            for rest in body_in[1:]:
                sock.sendall(rest)
            sock.shutdown(socket.SHUT_WR)
            received = b"".join(iter(lambda: sock.recv(65536), b""))
        assert received.startswith(b"HTTP/1.1 200 OK"), received
        assert b"POST /charges 11" in received and b"501" not in received
    get = b"GET /products HTTP/1.1\r\nHost: x\r\n" + H2C + b"\r\n"
    received = exchange(server, get)
    assert received.count(b"HTTP/1.1 ") == 1 and b"GET /products 0" in received


def test_a_websocket_upgrade_is_refused_with_501_and_never_reaches_the_handler(
    serve: ServerFactory,
) -> None:
    server = serve()
    data = (
        b"GET /socket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    received = exchange(server, data)
    assert received.startswith(b"HTTP/1.1 501 "), received
    assert b"GET /socket" not in received and received.count(b"HTTP/1.1 ") == 1
