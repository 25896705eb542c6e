"""`HttpClient`: an HTTP/1.1 client for upstream calls, on the same parser as the server.

    client = HttpClient()
    response = await client.request("POST", "http://127.0.0.1:8080/charges",
                                    [("Content-Type", "application/json")], b"{}")
    data = await response.read()              # or: async for chunk in response.stream()
    await client.close()

Connections are kept alive and pooled per (host, port). A response's connection
returns to the pool once its body has been read to the end. Request bodies may be
`bytes` or an async iterator (sent chunked), response bodies are streamed with flow
control, so the seam proxy can pass large bodies through without buffering them.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import defaultdict
from collections.abc import AsyncIterable, AsyncIterator, Callable
from functools import lru_cache
from urllib.parse import urlsplit

import httptools

from seamline.http import wire
from seamline.http.message import BodyStream, Headers, HttpError

_FRAMING = frozenset({"content-length", "transfer-encoding", "host"})
# (host, port, over TLS): what a pooled connection is keyed by
Origin = tuple[str, int, bool]


class UpstreamError(ConnectionError):
    """The upstream closed, refused or sent something that is not HTTP."""


class UpstreamRefused(UpstreamError):
    """The upstream could not be reached: nothing listens there, or the connect failed."""


class ClientResponse:
    __slots__ = ("_body", "_conn", "headers", "http_version", "reason", "status")

    def __init__(
        self,
        status: int,
        reason: str,
        headers: Headers,
        version: str,
        body: BodyStream,
        conn: _ClientConnection | None = None,
    ):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.http_version = version
        self._body = body
        self._conn = conn

    def abort(self) -> None:
        """Give up on the rest of the body: the connection is closed, not pooled."""
        if self._conn is not None:
            self._conn.close()

    async def read(self) -> bytes:
        try:
            return await self._body.read_all()
        except HttpError as exc:
            raise UpstreamError(exc.message) from None

    async def stream(self) -> AsyncIterator[bytes]:
        while True:
            try:
                piece = await self._body.next_chunk()
            except HttpError as exc:
                raise UpstreamError(exc.message) from None
            if piece is None:
                return
            yield piece


class _ClientConnection(asyncio.Protocol):
    def __init__(self, pool: HttpClient, key: Origin) -> None:
        self._pool = pool
        self.key = key
        self._parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reusable = False
        self.got_bytes = False
        self.idle_since = 0.0
        self._head: asyncio.Future[ClientResponse] | None = None
        self._headers: list[tuple[str, str]] = []
        self._reason = ""
        self._body: BodyStream | None = None
        self._head_only = False
        self._write_paused = False
        self._drain: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.got_bytes = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(UpstreamError(f"upstream sent a malformed response: {exc}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.reusable = False
        self._pool._lost(self)
        self._fail(UpstreamError("upstream closed the connection before the response ended"))
        if self._drain is not None and not self._drain.done():
            self._drain.set_exception(UpstreamError("upstream closed the connection"))

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)

    def pause_reading(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.resume_reading()

    def send_continue(self) -> None:
        """Only servers send 100 Continue."""

    def on_message_begin(self) -> None:
        self._headers = []

    def on_status(self, reason: bytes) -> None:
        self._reason = reason.decode("latin-1")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200:
            return  # an interim answer (100 Continue); the real one follows
        body = BodyStream(self)
        self._body = body
        response = ClientResponse(
            status,
            self._reason,
            Headers(self._headers),
            self._parser.get_http_version(),
            body,
            self,
        )
        if self._head_only or status in (204, 304):
            body.finish()
            self._body = None
            self.reusable = not self._head_only and self._parser.should_keep_alive()
            if self._head_only:
                self.close()  # the parser would wait for a body a HEAD answer never has
        if self._head is not None and not self._head.done():
            self._head.set_result(response)

    def on_body(self, body: bytes) -> None:
        if self._body is not None:
            self._body.feed(body)

    def on_message_complete(self) -> None:
        if self._parser.get_status_code() < 200:
            return
        keep = self._parser.should_keep_alive()
        if self._body is not None:
            self._body.finish()
            self._body = None
            self.reusable = keep
        if self.reusable:
            self._pool.release(self)
        else:
            self.close()

    def _fail(self, exc: UpstreamError) -> None:
        if self._head is not None and not self._head.done():
            self._head.set_exception(exc)
        if self._body is not None:
            self._body.fail(HttpError(502, str(exc)))
            self._body = None

    def begin(self, head_only: bool) -> asyncio.Future[ClientResponse]:
        self.reusable = False
        self.got_bytes = False
        self._head_only = head_only
        self._head = asyncio.get_running_loop().create_future()
        return self._head

    def write(self, data: bytes) -> None:
        if self.closed or self.transport is None:
            raise UpstreamError("upstream closed the connection")
        self.transport.write(data)

    async def drain(self) -> None:
        if self._write_paused:
            self._drain = asyncio.get_running_loop().create_future()
            await self._drain

    def close(self) -> None:
        self.reusable = False
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()
        self.closed = True


def _origin_end(url: str) -> int:
    """Where `http://host:port` (or https://) ends in `url` (the path or query starts there)."""
    start = 7 if url.startswith("http://") else 8 if url.startswith("https://") else -1
    if start < 0:
        return len(url)  # _split_origin rejects it with a clear message
    ends = [i for i in (url.find("/", start), url.find("?", start)) if i >= 0]
    return min(ends) if ends else len(url)


@lru_cache(maxsize=256)
def _split_origin(origin: str) -> tuple[Origin, str]:
    """(host, port, tls) and the Host header of an `http(s)://host:port` origin (cached: a
    proxy sends every request to the same few origins)."""
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http:// or https:// URL with a host, found {origin!r}")
    tls = parts.scheme == "https"
    return (parts.hostname, parts.port or (443 if tls else 80), tls), parts.netloc


class HttpClient:
    def __init__(
        self,
        *,
        max_idle_per_host: int = 64,
        connect_timeout: float = 10.0,
        keepalive_expiry: float = 4.0,
        tls: ssl.SSLContext | None = None,
        on_idle_closed: Callable[[Origin], None] | None = None,
    ) -> None:
        """`tls` verifies https:// upstreams (default: the system's trusted CAs).
        `on_idle_closed(origin)` is called when the upstream closes a pooled idle connection
        (its keep-alive timeout, or the upstream going away)."""
        self._keepalive_expiry = keepalive_expiry
        self._tls = tls
        self._on_idle_closed = on_idle_closed
        self._idle: defaultdict[Origin, list[_ClientConnection]] = defaultdict(list)
        self._max_idle = max_idle_per_host
        self._connect_timeout = connect_timeout

    async def request(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]] | None = None,
        body: bytes | AsyncIterable[bytes] = b"",
        *,
        content_length: int | None = None,
    ) -> ClientResponse:
        """Send a request. A streamed `body` goes out chunked, or with `content_length`
        as its Content-Length when that is known (many servers do not read chunked
        request bodies)."""
        origin_end = _origin_end(url)
        key, host = _split_origin(url[:origin_end])
        rest = url[origin_end:]
        target = rest if rest.startswith("/") else "/" + rest
        for attempt in range(2):
            conn, reused = await self._connection(key)
            head = conn.begin(method == "HEAD")
            try:
                await self._send(
                    conn=conn,
                    method=method,
                    target=target,
                    host=host,
                    headers=headers or [],
                    body=body,
                    content_length=content_length,
                )
                return await head
            except asyncio.CancelledError:
                # the caller gave up (the consumer hung up): so does the upstream connection,
                # and the provider sees it, as it would without a proxy in between
                conn.close()
                raise
            except UpstreamError:
                conn.close()
                # A pooled connection the upstream closed while idle: retry once on a new one.
                if not (reused and not conn.got_bytes and isinstance(body, bytes)) or attempt:
                    raise
        raise AssertionError("unreachable")

    async def _send(
        self,
        *,
        conn: _ClientConnection,
        method: str,
        target: str,
        host: str,
        headers: list[tuple[str, str]],
        body: bytes | AsyncIterable[bytes],
        content_length: int | None,
    ) -> None:
        lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
        lines += [f"{n}: {v}" for n, v in headers if n.lower() not in _FRAMING]
        if isinstance(body, bytes):
            if body or method in ("POST", "PUT", "PATCH"):
                lines.append(f"Content-Length: {len(body)}")
            conn.write(wire.encode_text("\r\n".join(lines) + "\r\n\r\n") + body)
            return
        chunked = content_length is None
        lines.append(
            "Transfer-Encoding: chunked" if chunked else f"Content-Length: {content_length}"
        )
        conn.write(wire.encode_text("\r\n".join(lines) + "\r\n\r\n"))
        await wire.send_body(conn, body, chunked)

    async def _connection(self, key: Origin) -> tuple[_ClientConnection, bool]:
        idle = self._idle[key]
        stale = time.monotonic() - self._keepalive_expiry
        while idle:
            conn = idle.pop()
            if conn.closed:
                continue
            if conn.idle_since < stale:
                # Servers close idle connections after a few seconds (uvicorn: 5 s); one that
                # is closing as we reuse it would lose the request, so do not reuse old ones.
                conn.close()
                continue
            return conn, True
        loop = asyncio.get_running_loop()
        tls = None
        if key[2]:
            if self._tls is None:
                self._tls = ssl.create_default_context()
            tls = self._tls
        try:
            _, conn = await asyncio.wait_for(
                loop.create_connection(
                    lambda: _ClientConnection(self, key), key[0], key[1], ssl=tls
                ),
                self._connect_timeout,
            )
        except (OSError, TimeoutError) as exc:
            raise UpstreamRefused(f"cannot connect to {key[0]}:{key[1]}: {exc}") from exc
        return conn, False

    def _lost(self, conn: _ClientConnection) -> None:
        idle = self._idle.get(conn.key)
        if idle is not None and conn in idle:  # idle and pooled: the upstream closed it
            idle.remove(conn)
            if self._on_idle_closed is not None:
                self._on_idle_closed(conn.key)

    def release(self, conn: _ClientConnection) -> None:
        idle = self._idle[conn.key]
        if len(idle) < self._max_idle and not conn.closed:
            conn.idle_since = time.monotonic()
            idle.append(conn)
        else:
            conn.close()

    async def close(self) -> None:
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()
