"""One server-side HTTP/1.1 connection: dispatch its requests in order, write the replies.

Requests are parsed as bytes arrive (`request_parser.py`) and queued in arrival order;
the head of the queue is handled while later (pipelined) ones wait, so replies
always go out in request order. When the handler offers a synchronous fast path
and the body is already complete, the reply is written without creating a task.

Nothing a client sends can raise out of `data_received`: a request the parser refuses is
answered with a plain-text error after the replies already owed, and the connection is closed.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
from collections import deque
from typing import TYPE_CHECKING

from seamline.http import wire
from seamline.http.message import Headers, HttpError, RawReply, Reply, Request, Response
from seamline.http.request_parser import RequestParser

if TYPE_CHECKING:
    from seamline.http.server import HttpServer

log = logging.getLogger("seamline.http")

_MAX_PIPELINE = 64  # queued requests before the socket stops being read


class HttpConnection(asyncio.Protocol):
    def __init__(self, server: HttpServer) -> None:
        self._server = server
        self._requests = RequestParser(self, server.limits)
        self._transport: asyncio.Transport | None = None
        self._queue: deque[Request] = deque()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._paused: set[str] = set()
        self._write_paused = False
        self._drain_waiters: list[asyncio.Future[None]] = []

    @property
    def idle(self) -> bool:
        """Open, between requests: nothing queued, nothing being answered, nothing parsing."""
        return (
            not self._closed
            and self._task is None
            and not self._queue
            and self._requests.parsing is None
        )

    # -- asyncio.Protocol ---------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple) and len(peer) >= 2:
            self._requests.client = (str(peer[0]), int(peer[1]))
        self._server.connections.add(self)

    def data_received(self, data: bytes) -> None:
        if self._requests.broken:
            return
        self._requests.feed(data)
        self._pump()

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._server.connections.discard(self)
        self._requests.connection_lost()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._wake_drainers(ConnectionResetError("connection closed by the client"))

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        self._wake_drainers(None)

    # -- dispatch -------------------------------------------------------------------

    def queue_request(self, request: Request) -> None:
        """Queue a request whose head is parsed (the parser calls this); too many waiting
        stop the reading."""
        self._queue.append(request)
        if len(self._queue) > _MAX_PIPELINE:
            self.set_paused("pipeline", True)

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
        if self._requests.broken and not self._queue and self._task is None:
            error_reply = self._requests.take_error_reply()
            if error_reply is not None and self._transport is not None:
                self._transport.write(error_reply)
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
            and not self._requests.broken
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
