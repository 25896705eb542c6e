"""HTTP messages as the engine hands them to handlers.

A `Request` arrives as soon as its head is parsed; its body is read fully with
`await request.body()` or piece by piece with `async for chunk in request.stream()`
(a 50 MB upload passes through a proxy without being buffered: the connection
stops reading from the socket while the unread part exceeds a high-water mark).

A handler answers with a `Response` (the body is `bytes` or an async iterator of
`bytes`, sent chunked) or a `RawReply` that acts on the socket itself, which is
how faults such as a connection reset or garbage-then-close are produced.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
)
from dataclasses import dataclass, field
from typing import Protocol


class HttpError(Exception):
    """A request the engine refuses; answered with `status` and the connection closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Headers:
    """Header fields in arrival order, looked up case-insensitively."""

    __slots__ = ("_index", "raw")

    def __init__(self, raw: Iterable[tuple[str, str]] = ()) -> None:
        self.raw: list[tuple[str, str]] = list(raw)
        self._index: dict[str, list[str]] | None = None

    def _lookup(self) -> dict[str, list[str]]:
        if self._index is None:
            index: dict[str, list[str]] = {}
            for name, value in self.raw:
                index.setdefault(name.lower(), []).append(value)
            self._index = index
        return self._index

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self._lookup().get(name.lower())
        return values[0] if values else default

    def get_all(self, name: str) -> list[str]:
        return list(self._lookup().get(name.lower(), ()))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._lookup()

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def names(self) -> list[str]:
        """Distinct names, in the case first seen."""
        seen: dict[str, str] = {}
        for name, _ in self.raw:
            seen.setdefault(name.lower(), name)
        return list(seen.values())

    def __repr__(self) -> str:
        return f"Headers({self.raw!r})"


class FlowControl(Protocol):
    """What a body stream asks of its connection: stop or restart reading the socket."""

    def pause_reading(self) -> None: ...
    def resume_reading(self) -> None: ...
    def send_continue(self) -> None: ...


class BodyStream:
    """The body of one request, fed by the connection and drained by the handler."""

    __slots__ = ("_chunks", "_done", "_error", "_flow", "_paused", "_size", "_waiter", "high_water")

    def __init__(self, flow: FlowControl | None, high_water: int = 1 << 20) -> None:
        self._chunks: deque[bytes] = deque()
        self._size = 0
        self._done = False
        self._error: HttpError | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._flow = flow
        self._paused = False
        self.high_water = high_water

    @property
    def complete(self) -> bool:
        return self._done

    def feed(self, chunk: bytes) -> None:
        self._chunks.append(chunk)
        self._size += len(chunk)
        if self._size > self.high_water and self._flow is not None and not self._paused:
            self._paused = True
            self._flow.pause_reading()
        self._wake()

    def finish(self) -> None:
        self._done = True
        self._wake()

    def fail(self, error: HttpError) -> None:
        self._error = error
        self._done = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def buffered(self) -> bytes:
        """What has arrived so far (the whole body once `complete`)."""
        if len(self._chunks) > 1:
            joined = b"".join(self._chunks)
            self._chunks.clear()
            self._chunks.append(joined)
        return self._chunks[0] if self._chunks else b""

    async def read_all(self) -> bytes:
        while not self._done:
            await self._wait()
        if self._error is not None:
            raise self._error
        return self.buffered()

    async def next_chunk(self) -> bytes | None:
        """The next piece of the body, or None at its end."""
        while not self._chunks:
            if self._done:
                if self._error is not None:
                    raise self._error
                return None
            await self._wait()
        chunk = self._chunks.popleft()
        self._size -= len(chunk)
        if self._paused and self._size <= self.high_water // 2 and self._flow is not None:
            self._paused = False
            self._flow.resume_reading()
        return chunk

    async def _wait(self) -> None:
        if self._flow is not None:
            self._flow.send_continue()
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None


class Request:
    """One parsed request. `target` is the request-target as sent (path and query)."""

    __slots__ = (
        "_body",
        "client",
        "extras",
        "headers",
        "http_version",
        "keep_alive",
        "method",
        "target",
    )

    def __init__(
        self,
        method: str,
        target: str,
        headers: Headers,
        *,
        http_version: str = "1.1",
        keep_alive: bool = True,
        client: tuple[str, int] = ("127.0.0.1", 0),
        body: BodyStream | bytes = b"",
    ) -> None:
        self.method = method
        self.target = target
        self.headers = headers
        self.http_version = http_version
        self.keep_alive = keep_alive
        self.client = client
        if isinstance(body, bytes):
            stream = BodyStream(None)
            if body:
                stream.feed(body)
            stream.finish()
            body = stream
        self._body = body
        # Per-request memo for handlers (e.g. the parsed JSON body), so work is done once.
        self.extras: dict[str, object] = {}

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def body_complete(self) -> bool:
        return self._body.complete

    def body_now(self) -> bytes:
        """The body when already complete (the fast path); raises if it is still arriving."""
        if not self._body.complete:
            raise RuntimeError("body_now() called before the body arrived; use await body()")
        return self._body.buffered()

    async def body(self) -> bytes:
        return await self._body.read_all()

    async def stream(self) -> AsyncIterator[bytes]:
        while (chunk := await self._body.next_chunk()) is not None:
            yield chunk

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.target}>"


@dataclass(slots=True)
class Response:
    """A reply. A `bytes` body gets Content-Length; an async iterator is sent chunked."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | AsyncIterable[bytes] = b""
    reason: str | None = None
    close: bool = False
    # Set by handlers that send this same object again and again (a stub's fixed reply):
    # the engine then keeps its serialized keep-alive form and writes it in one call.
    reusable: bool = False
    wire: bytes | None = field(default=None, repr=False, compare=False)


class RawConnection(Protocol):
    """The socket of a connection, for replies that are not well-formed HTTP."""

    def write(self, data: bytes) -> None: ...
    async def drain(self) -> None: ...
    def reset(self) -> None: ...
    def close(self) -> None: ...


@dataclass(slots=True)
class RawReply:
    """Act on the raw connection (faults); the connection is closed afterwards."""

    act: Callable[[RawConnection], Awaitable[None]]


Reply = Response | RawReply
Handler = Callable[[Request], Awaitable[Reply]]
FastHandler = Callable[[Request], Reply | None]
