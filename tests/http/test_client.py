"""HttpClient against real servers: pooling, streaming both ways, upstream failures."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator

import pytest
from http_helpers import ServerFactory

from seamline.http import HttpClient, LoopThread, Reply, Request, Response, UpstreamError


async def whoami(request: Request) -> Reply:
    body = await request.body()
    text = f"{request.client[1]} {request.method} {request.target} {len(body)}"
    return Response(200, [("X-Echo", request.headers.get("x-in") or "")], text.encode())


def test_sequential_requests_reuse_one_pooled_connection(
    serve: ServerFactory, loop: LoopThread
) -> None:
    server = serve(whoami)

    async def run() -> list[str]:
        client = HttpClient()
        texts = []
        for index in range(3):
            reply = await client.request("GET", f"{server.url}/r{index}?q=1", [("X-In", "v")])
            assert reply.headers.get("x-echo") == "v"
            texts.append((await reply.read()).decode())
        await client.close()
        return texts

    texts = loop.run(run())
    assert len({t.split()[0] for t in texts}) == 1, f"expected one client port, got {texts}"
    assert texts[2].endswith("GET /r2?q=1 0")


def test_a_connection_idle_past_the_keepalive_expiry_is_not_reused(
    serve: ServerFactory, loop: LoopThread
) -> None:
    server = serve(whoami)

    async def run() -> list[str]:
        client = HttpClient(keepalive_expiry=0.2)
        ports = []
        for pause in (0.0, 0.0, 0.3):
            await asyncio.sleep(pause)
            reply = await client.request("GET", f"{server.url}/")
            ports.append((await reply.read()).decode().split()[0])
        await client.close()
        return ports

    first, again, after_expiry = loop.run(run())
    assert first == again  # reused while fresh
    assert after_expiry != first  # a new connection once it sat idle too long


def test_streamed_body_passes_through_a_proxy_handler(
    serve: ServerFactory, loop: LoopThread
) -> None:
    async def count(request: Request) -> Reply:
        total, pieces = 0, 0
        async for piece in request.stream():
            total, pieces = total + len(piece), pieces + 1
        return Response(200, [], f"{total} {pieces}".encode())

    upstream = serve(count)
    client = HttpClient()

    async def proxy(request: Request) -> Reply:
        reply = await client.request(
            request.method, upstream.url + request.target, [], request.stream()
        )
        return Response(reply.status, [], reply.stream())

    front = serve(proxy)
    size = 20 * 1024 * 1024

    async def run() -> str:
        async def body() -> AsyncIterator[bytes]:
            for _ in range(size // 65536):
                yield b"z" * 65536

        caller = HttpClient()
        reply = await caller.request("POST", front.url + "/big", [], body())
        text = (await reply.read()).decode()
        await caller.close()
        await client.close()
        return text

    total, pieces = loop.run(run()).split()
    assert int(total) == size
    assert int(pieces) > 1, "the body arrived in pieces, not as one buffered blob"


def test_head_and_no_content_replies_end_without_a_body(
    serve: ServerFactory, loop: LoopThread
) -> None:
    async def handler(request: Request) -> Reply:
        return Response(
            204 if request.path == "/none" else 200, [], b"" if request.path == "/none" else b"abc"
        )

    server = serve(handler)

    async def run() -> tuple[bytes, bytes, bytes]:
        client = HttpClient()
        head = await (await client.request("HEAD", server.url + "/h")).read()
        none = await (await client.request("GET", server.url + "/none")).read()
        after = await (await client.request("GET", server.url + "/x")).read()
        await client.close()
        return head, none, after

    assert loop.run(run()) == (b"", b"", b"abc")


def test_idle_connection_closed_by_the_upstream_is_retried(loop: LoopThread) -> None:
    """A server that answers one request per connection, then closes it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    closed = [threading.Event(), threading.Event()]

    def serve_twice() -> None:
        for index in range(2):
            conn, _ = listener.accept()
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + str(index).encode())
            conn.close()
            closed[index].set()

    thread = threading.Thread(target=serve_twice, daemon=True)
    thread.start()

    async def run() -> list[bytes]:
        client = HttpClient()
        out = []
        for index in range(2):
            out.append(await (await client.request("GET", f"http://127.0.0.1:{port}/")).read())
            # the upstream has closed it: the pooled connection is stale when next used
            assert await asyncio.to_thread(closed[index].wait, 5)
        await client.close()
        return out

    try:
        assert loop.run(run()) == [b"0", b"1"]
    finally:
        thread.join(5)
        listener.close()


@pytest.mark.parametrize(
    ("reply", "says"),
    [
        (b"garbage\r\n\r\n", "malformed response"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", "closed"),
    ],
)
def test_broken_upstreams_raise_upstream_error(loop: LoopThread, reply: bytes, says: str) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def answer() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(reply)
        conn.close()

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()

    async def run() -> None:
        client = HttpClient()
        try:
            response = await client.request("GET", f"http://127.0.0.1:{listener.getsockname()[1]}/")
            await response.read()
        finally:
            await client.close()

    try:
        with pytest.raises(UpstreamError, match=says):
            loop.run(run())
    finally:
        thread.join(5)
        listener.close()


def test_refused_connection_and_bad_urls_are_explained(loop: LoopThread) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = HttpClient()
    with pytest.raises(UpstreamError, match=f"cannot connect to 127.0.0.1:{port}"):
        loop.run(client.request("GET", f"http://127.0.0.1:{port}/"))
    with pytest.raises(ValueError, match="expected an http:// or https:// URL"):
        loop.run(client.request("GET", "ftp://x/"))
