"""Bytes on the wire: response heads, chunked framing, reason phrases."""

from __future__ import annotations

from collections.abc import AsyncIterable
from http import HTTPStatus
from typing import Protocol

from seamline.http.message import Headers, Response

REASONS: dict[int, str] = {s.value: s.phrase for s in HTTPStatus}
REASONS[431] = "Request Header Fields Too Large"

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
LAST_CHUNK = b"0\r\n\r\n"

# Hop-by-hop framing headers the engine writes itself; a handler's own are dropped.
FRAMING = frozenset({"content-length", "transfer-encoding", "connection"})


def encode_text(text: str) -> bytes:
    """Header text is ISO-8859-1 by tradition; anything else goes out as UTF-8."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def response_head(
    status: int,
    reason: str | None,
    headers: list[tuple[str, str]],
    *,
    content_length: int | None,
    keep_alive: bool,
    http_10: bool = False,
) -> bytes:
    """The status line and header block. `content_length=None` means chunked (or
    close-delimited for HTTP/1.0 clients, which do not understand chunks)."""
    phrase = reason if reason is not None else REASONS.get(status, "")
    lines = [f"HTTP/1.1 {status} {phrase}"]
    for name, value in headers:
        if name.lower() not in FRAMING:
            lines.append(f"{name}: {value}")
    if content_length is not None:
        lines.append(f"Content-Length: {content_length}")
    elif not http_10:
        lines.append("Transfer-Encoding: chunked")
    if not keep_alive:
        lines.append("Connection: close")
    elif http_10:
        lines.append("Connection: keep-alive")
    lines.append("\r\n")
    return encode_text("\r\n".join(lines))


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


class Sink(Protocol):
    """A connection's sending side: buffered writes, and a wait for the buffer to drain."""

    def write(self, data: bytes) -> None: ...

    async def drain(self) -> None: ...


async def send_body(sink: Sink, body: AsyncIterable[bytes], chunked: bool) -> None:
    """A streamed body after its head, a piece at a time with back-pressure; in chunked
    framing, ended by the last chunk, when `chunked` (else as it is: the head framed it)."""
    async for piece in body:
        if piece:
            sink.write(chunk(piece) if chunked else piece)
            await sink.drain()
    if chunked:
        sink.write(LAST_CHUNK)


def error_response(status: int, message: str) -> bytes:
    """A complete plain-text error answer that closes the connection."""
    body = (message.rstrip("\n") + "\n").encode("utf-8")
    head = response_head(
        status,
        None,
        [("Content-Type", "text/plain; charset=utf-8")],
        content_length=len(body),
        keep_alive=False,
    )
    return head + body


def content_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def internal_error() -> Response:
    body = b"internal error in the handler; see the server's log\n"
    return Response(500, [("Content-Type", "text/plain")], body, close=True)
