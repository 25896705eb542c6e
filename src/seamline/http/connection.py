"""One server-side HTTP/1.1 connection: parse, dispatch in order, write replies.

Requests are parsed by httptools as bytes arrive and queued in arrival order;
the head of the queue is handled while later (pipelined) ones wait, so replies
always go out in request order. When the handler offers a synchronous fast path
and the body is already complete, the reply is written without creating a task.

Nothing a client sends can raise out of `data_received`: malformed input, an
oversized head (431) or body (413) is answered with a plain-text error after the
replies already owed, and the connection is closed.

`Upgrade: h2c` (what Java's HttpClient sends on plain http by default) is ignored, as RFC
9110 section 7.8 lets a server do: the request is served as HTTP/1.1. httptools stops at the
upgrade before the body, so such a request's body is read here, outside the parser. Other
upgrades (WebSocket, CONNECT) are refused with a 501.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
from collections import deque
from typing import TYPE_CHECKING

import httptools

from seamline.http import wire
from seamline.http.message import (
    BodyStream,
    Headers,
    HttpError,
    RawReply,
    Reply,
    Request,
    Response,
)

if TYPE_CHECKING:
    from seamline.http.server import HttpServer

log = logging.getLogger("seamline.http")

_MAX_PIPELINE = 64  # queued requests before the socket stops being read


# Every bodiless request shares this one finished, empty (and so immutable) body.
_NO_BODY = BodyStream(None)
_NO_BODY.finish()


class _Rejected(Exception):
    """Raised inside a parser callback to stop parsing a request the limits refuse."""


class _BodyFlow:
    """Flow control for one request body, plus its `Expect: 100-continue` promise."""

    __slots__ = ("_conn", "_expects_continue")

    def __init__(self, conn: HttpConnection, expects_continue: bool) -> None:
        self._conn = conn
        self._expects_continue = expects_continue

    def pause_reading(self) -> None:
        self._conn.set_paused("body", True)

    def resume_reading(self) -> None:
        self._conn.set_paused("body", False)

    def send_continue(self) -> None:
        if self._expects_continue:
            self._expects_continue = False
            self._conn.write(wire.CONTINUE)


class HttpConnection(asyncio.Protocol):
    def __init__(self, server: HttpServer) -> None:
        self._server = server
        self._limits = server.limits
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._client: tuple[str, int] = ("", 0)
        self._queue: deque[Request] = deque()
        self._task: asyncio.Task[None] | None = None
        self._parsing: Request | None = None
        self._url: list[bytes] = []
        self._headers: list[tuple[str, str]] = []
        self._head_size = 0
        self._raw_head_bytes = 0
        self._in_head = False
        self._body_size = 0
        self._error_reply: bytes | None = None
        self._broken = False
        self._closed = False
        self._paused: set[str] = set()
        self._write_paused = False
        self._drain_waiters: list[asyncio.Future[None]] = []
        # an h2c request's body bytes still to read outside the parser; None: no such request
        self._h2c_body_left: int | None = None

    @property
    def idle(self) -> bool:
        """Open, between requests: nothing queued, nothing being answered, nothing parsing."""
        return not self._closed and self._task is None and not self._queue and self._parsing is None

    # -- asyncio.Protocol ---------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple) and len(peer) >= 2:
            self._client = (str(peer[0]), int(peer[1]))
        self._server.connections.add(self)

    def data_received(self, data: bytes) -> None:
        if self._broken:
            return
        if self._h2c_body_left:
            data = self._read_h2c_body(data)
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            if self._h2c_body_left is None:
                self._reject(501, "protocol upgrade (WebSocket, CONNECT) is not supported")
            else:  # served as HTTP/1.1: its body, then any next request, with a new parser
                self._parser = httptools.HttpRequestParser(self)
                rest = data[upgrade.args[0] :]
                if not self._h2c_body_left:
                    self._h2c_body_left = None
                if rest:
                    self.data_received(rest)
                    return
        except httptools.HttpParserCallbackError as exc:
            if not isinstance(exc.__context__, _Rejected):
                log.exception("seamline.http: error in a parser callback")
                self._reject(500, "internal error while parsing the request")
        except httptools.HttpParserError as exc:
            self._reject(400, f"malformed HTTP request: {exc}")
        else:
            if self._in_head:
                # A single header line arriving in many small reads is buffered by the
                # parser before any callback sees it; bound it by the raw bytes instead.
                self._raw_head_bytes += len(data)
                if self._raw_head_bytes > 2 * self._limits.max_head_bytes:
                    self._reject(431, self._head_too_large())
        self._pump()

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._server.connections.discard(self)
        if self._parsing is not None:
            self._parsing._body.fail(HttpError(400, "the client closed the connection mid-body"))
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._wake_drainers(ConnectionResetError("connection closed by the client"))

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        self._wake_drainers(None)

    # -- httptools callbacks --------------------------------------------------------

    def on_message_begin(self) -> None:
        self._url = []
        self._headers = []
        self._head_size = 0
        self._raw_head_bytes = 0
        self._body_size = 0
        self._in_head = True

    def on_url(self, url: bytes) -> None:
        self._url.append(url)
        self._head_size += len(url)
        if self._head_size > self._limits.max_url_bytes:
            self._reject(414, f"request-target longer than {self._limits.max_url_bytes} bytes")
            raise _Rejected

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_size += len(name) + len(value) + 4
        if self._head_size > self._limits.max_head_bytes:
            self._reject(431, self._head_too_large())
            raise _Rejected
        self._headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self._in_head = False
        parser = self._parser
        headers = Headers(self._headers)
        if parser.should_upgrade():
            if not _h2c_upgrade(headers):
                return  # not queued: refused with a 501 when the parser stops (data_received)
            self._h2c_body_left = wire.content_length(headers) or 0
        length = wire.content_length(headers)
        if length is not None and length > self._limits.max_body_bytes:
            self._reject(413, self._body_too_large(length))
            raise _Rejected
        has_body = bool(length) or "transfer-encoding" in headers
        expects = has_body and (headers.get("expect") or "").lower() == "100-continue"
        body = _NO_BODY
        if has_body:
            body = BodyStream(_BodyFlow(self, expects), self._limits.body_high_water)
        request = Request(
            parser.get_method().decode("ascii"),
            b"".join(self._url).decode("latin-1"),
            headers,
            http_version=parser.get_http_version(),
            keep_alive=parser.should_keep_alive(),
            client=self._client,
            body=body,
        )
        self._parsing = request if has_body else None
        self._queue.append(request)
        if len(self._queue) > _MAX_PIPELINE:
            self.set_paused("pipeline", True)

    def on_body(self, body: bytes) -> None:
        request = self._parsing
        if request is None:
            return
        self._body_size += len(body)
        if self._body_size > self._limits.max_body_bytes:
            request._body.fail(HttpError(413, self._body_too_large(self._body_size)))
            self._parsing = None
            self._broken = True
            self.set_paused("broken", True)
            raise _Rejected
        request._body.feed(body)

    def on_message_complete(self) -> None:
        if self._h2c_body_left:
            return  # the parser skipped an h2c request's body: `_read_h2c_body` reads it
        if self._parsing is not None:
            self._parsing._body.finish()
            self._parsing = None

    def _read_h2c_body(self, data: bytes) -> bytes:
        """Feed the h2c request's body from `data`; what follows it is returned."""
        left = self._h2c_body_left or 0
        body, rest = data[:left], data[left:]
        self._h2c_body_left = left - len(body)
        try:
            self.on_body(body)
        except _Rejected:
            return b""
        if not self._h2c_body_left:
            self._h2c_body_left = None
            self.on_message_complete()
        return rest

    # -- dispatch -------------------------------------------------------------------

    def _pump(self) -> None:
        """Answer queued requests in order: synchronously when possible, else in a task."""
        fast = self._server.fast
        while self._queue and self._task is None and not self._closed:
            request = self._queue[0]
            reply: Reply | None = None
            if fast is not None and request._body.complete:
                try:
                    reply = fast(request)
                except Exception:
                    log.exception("seamline.http: handler failed on %r", request)
                    reply = wire.internal_error()
                if isinstance(reply, Response) and isinstance(reply.body, bytes):
                    self._queue.popleft()
                    self._write_response(request, reply, reply.body)
                    continue
            self._task = asyncio.get_running_loop().create_task(self._run(request, reply))
            return
        if self._broken and not self._queue and self._task is None:
            if self._error_reply is not None and self._transport is not None:
                self._transport.write(self._error_reply)
                self._error_reply = None
            self.close()
        elif "pipeline" in self._paused and len(self._queue) <= _MAX_PIPELINE // 2:
            self.set_paused("pipeline", False)

    async def _run(self, request: Request, reply: Reply | None) -> None:
        try:
            if reply is None:
                reply = await self._call_handler(request)
            if isinstance(reply, RawReply):
                await reply.act(self)
                self.close()
            elif isinstance(reply.body, bytes):
                self._write_response(request, reply, reply.body)
            else:
                await self._stream_response(request, reply)
        except (ConnectionError, asyncio.CancelledError):
            self.close()
        except Exception:
            log.exception("seamline.http: failed to answer %r", request)
            self.close()
        finally:
            if self._queue and self._queue[0] is request:
                self._queue.popleft()
            self._task = None
            if not self._closed:
                self._pump()

    async def _call_handler(self, request: Request) -> Reply:
        try:
            return await self._server.handler(request)
        except HttpError as exc:
            body = (exc.message + "\n").encode()
            plain = [("Content-Type", "text/plain; charset=utf-8")]
            return Response(exc.status, plain, body, close=True)
        except Exception:
            log.exception("seamline.http: handler failed on %r", request)
            return wire.internal_error()

    # -- writing --------------------------------------------------------------------

    def _keep_alive(self, request: Request, response: Response) -> bool:
        return (
            request.keep_alive
            and not response.close
            and request._body.complete
            and not self._broken
            and not self._server.closing
        )

    def _write_response(self, request: Request, response: Response, body: bytes) -> None:
        keep = self._keep_alive(request, response)
        cacheable = keep and response.reusable and request.http_version == "1.1"
        if cacheable and request.method != "HEAD" and self._transport is not None:
            if response.wire is None:
                response.wire = self._head(response, len(body), keep=True, http_10=False) + body
            self._transport.write(response.wire)
            return
        head = self._head(response, len(body), keep=keep, http_10=request.http_version == "1.0")
        transport = self._transport
        if transport is None or self._closed:
            return
        transport.write(head if request.method == "HEAD" or not body else head + body)
        if not keep:
            self.close()

    @staticmethod
    def _head(response: Response, length: int, *, keep: bool, http_10: bool) -> bytes:
        return wire.response_head(
            response.status,
            response.reason,
            response.headers,
            content_length=length,
            keep_alive=keep,
            http_10=http_10,
        )

    async def _stream_response(self, request: Request, response: Response) -> None:
        body = response.body
        assert not isinstance(body, bytes)
        keep = self._keep_alive(request, response)
        http_10 = request.http_version == "1.0"
        declared = wire.content_length(Headers(response.headers))
        framed = declared is None and not http_10
        head = wire.response_head(
            response.status,
            response.reason,
            response.headers,
            content_length=declared,
            keep_alive=keep and (declared is not None or framed),
            http_10=http_10,
        )
        self.write(head)
        if request.method != "HEAD":
            await wire.send_body(self, body, framed)
        if not keep or (declared is None and not framed):
            self.close()

    # -- RawConnection and helpers ----------------------------------------------------

    def write(self, data: bytes) -> None:
        if self._transport is not None and not self._closed:
            self._transport.write(data)

    async def drain(self) -> None:
        if self._closed:
            raise ConnectionResetError("connection closed by the client")
        if self._write_paused:
            waiter = asyncio.get_running_loop().create_future()
            self._drain_waiters.append(waiter)
            await waiter

    def _wake_drainers(self, exc: Exception | None) -> None:
        waiters, self._drain_waiters = self._drain_waiters, []
        for waiter in waiters:
            if waiter.done():
                continue
            if exc is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(exc)

    def reset(self) -> None:
        """Close with a TCP RST (what a peer that crashed looks like)."""
        transport = self._transport
        if transport is None or self._closed:
            return
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        self._closed = True

    def close(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()
        self._closed = True

    def set_paused(self, reason: str, paused: bool) -> None:
        was_paused = bool(self._paused)
        if paused:
            self._paused.add(reason)
        else:
            self._paused.discard(reason)
        transport = self._transport
        if transport is None or self._closed or was_paused == bool(self._paused):
            return
        if self._paused:
            transport.pause_reading()
        else:
            transport.resume_reading()

    def _reject(self, status: int, message: str) -> None:
        """Refuse the request being parsed; answer once the replies owed are written."""
        if self._broken:
            return
        self._broken = True
        self.set_paused("broken", True)
        if self._parsing is not None:
            self._parsing._body.fail(HttpError(status, message))
            self._parsing = None
        else:
            self._error_reply = wire.error_response(status, message)

    def _head_too_large(self) -> str:
        limit = self._limits.max_head_bytes
        return f"request line and headers exceed {limit} bytes; send fewer or smaller headers"

    def _body_too_large(self, size: int) -> str:
        limit = self._limits.max_body_bytes
        return f"request body of {size} bytes exceeds the limit of {limit} bytes"


def _h2c_upgrade(headers: Headers) -> bool:
    """An `Upgrade: h2c` request with a Content-Length body or none (a chunked one is refused):
    served as HTTP/1.1."""
    upgrade = (headers.get("upgrade") or "").strip().lower()
    return upgrade == "h2c" and "transfer-encoding" not in headers
