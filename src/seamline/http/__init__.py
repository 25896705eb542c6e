"""The asyncio HTTP engine shared by the stub server and the seam proxy.

* `HttpServer` (server.py): listens; each connection (connection.py) dispatches its
  requests to a handler in order (keep-alive, pipelining, chunked both ways), parsed with
  httptools (request_parser.py: `Expect: 100-continue`, limits answered with 413/414/431,
  400 on malformed input).
* `Request` / `Response` / `RawReply` (message.py): what handlers receive and return;
  bodies can be read whole or streamed; `RawReply` acts on the socket (faults).
* `HttpClient` (client.py): a pooled keep-alive HTTP/1.1 client for upstream calls.
* `LoopThread` (loop.py): an event loop (uvloop when installed) on a daemon thread.
"""

from seamline.http.client import ClientResponse, HttpClient, UpstreamError, UpstreamRefused
from seamline.http.loop import LoopThread
from seamline.http.message import (
    FastHandler,
    Handler,
    Headers,
    HttpError,
    RawConnection,
    RawReply,
    Reply,
    Request,
    Response,
)
from seamline.http.server import HttpServer, Limits

__all__ = [
    "ClientResponse",
    "FastHandler",
    "Handler",
    "Headers",
    "HttpClient",
    "HttpError",
    "HttpServer",
    "Limits",
    "LoopThread",
    "RawConnection",
    "RawReply",
    "Reply",
    "Request",
    "Response",
    "UpstreamError",
    "UpstreamRefused",
]
