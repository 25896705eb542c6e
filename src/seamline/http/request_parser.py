"""Reading the requests that arrive on one server connection: httptools' callbacks and limits.

Bytes are fed to httptools as they arrive. Each request goes to its connection's queue
(`HttpConnection.queue_request`) as soon as its head is complete; its body then flows into its
`BodyStream`, under flow control and the `Expect: 100-continue` promise (`_BodyFlow`).

Nothing a client sends raises out of `feed`: malformed input (400), an oversized request-target
(414), head (431) or body (413) marks the parser `broken`, and the connection answers with the
plain-text error (`take_error_reply`) after the replies already owed, then closes.

`Upgrade: h2c` (what Java's HttpClient sends on plain http by default) is ignored, as RFC
9110 section 7.8 lets a server do: the request is served as HTTP/1.1. httptools stops at the
upgrade before the body, so such a request's body is read here, outside the parser. Other
upgrades (WebSocket, CONNECT) are refused with a 501.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import httptools

from seamline.http import wire
from seamline.http.message import BodyStream, Headers, HttpError, Request

if TYPE_CHECKING:
    from seamline.http.connection import HttpConnection
    from seamline.http.server import Limits

log = logging.getLogger("seamline.http")

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


class RequestParser:
    """Parses the bytes `conn` receives into its requests, within `limits`."""

    def __init__(self, conn: HttpConnection, limits: Limits) -> None:
        self._conn = conn
        self._limits = limits
        self._parser = httptools.HttpRequestParser(self)
        self.client: tuple[str, int] = ("", 0)  # the peer's address, given to each request
        self.parsing: Request | None = None  # the request whose body is still arriving
        self.broken = False  # a request was refused: nothing more is read
        self._error_reply: bytes | None = None
        self._url: list[bytes] = []
        self._headers: list[tuple[str, str]] = []
        self._head_size = 0
        self._raw_head_bytes = 0
        self._in_head = False
        self._body_size = 0
        # an h2c request's body bytes still to read outside the parser; None: no such request
        self._h2c_body_left: int | None = None

    def feed(self, data: bytes) -> None:
        """Parse `data`; the requests whose heads complete go to the connection's queue."""
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
                if rest and not self.broken:
                    self.feed(rest)
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

    def take_error_reply(self) -> bytes | None:
        """The error answer owed for a refused request, once (None when none is owed)."""
        reply, self._error_reply = self._error_reply, None
        return reply

    def connection_lost(self) -> None:
        """The client closed the connection: a body still arriving never will."""
        if self.parsing is not None:
            self.parsing._body.fail(HttpError(400, "the client closed the connection mid-body"))

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
                return  # not queued: refused with a 501 when the parser stops (`feed`)
            self._h2c_body_left = wire.content_length(headers) or 0
        length = wire.content_length(headers)
        if length is not None and length > self._limits.max_body_bytes:
            self._reject(413, self._body_too_large(length))
            raise _Rejected
        has_body = bool(length) or "transfer-encoding" in headers
        expects = has_body and (headers.get("expect") or "").lower() == "100-continue"
        body = _NO_BODY
        if has_body:
            body = BodyStream(_BodyFlow(self._conn, expects), self._limits.body_high_water)
        request = Request(
            parser.get_method().decode("ascii"),
            b"".join(self._url).decode("latin-1"),
            headers,
            http_version=parser.get_http_version(),
            keep_alive=parser.should_keep_alive(),
            client=self.client,
            body=body,
        )
        self.parsing = request if has_body else None
        self._conn.queue_request(request)

    def on_body(self, body: bytes) -> None:
        request = self.parsing
        if request is None:
            return
        self._body_size += len(body)
        if self._body_size > self._limits.max_body_bytes:
            request._body.fail(HttpError(413, self._body_too_large(self._body_size)))
            self.parsing = None
            self.broken = True
            self._conn.set_paused("broken", True)
            raise _Rejected
        request._body.feed(body)

    def on_message_complete(self) -> None:
        if self._h2c_body_left:
            return  # the parser skipped an h2c request's body: `_read_h2c_body` reads it
        if self.parsing is not None:
            self.parsing._body.finish()
            self.parsing = None

    # -- helpers --------------------------------------------------------------------

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

    def _reject(self, status: int, message: str) -> None:
        """Refuse the request being parsed; answer once the replies owed are written."""
        if self.broken:
            return
        self.broken = True
        self._conn.set_paused("broken", True)
        if self.parsing is not None:
            self.parsing._body.fail(HttpError(status, message))
            self.parsing = None
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
