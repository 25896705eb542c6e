"""`--enable-stub-cors`: what WireMock's CORS filter does for stub requests.

A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is
answered 200 at once, whether a stub exists or not, allowing the usual methods and
echoing the requested headers; every other stub reply to a request with an
`Origin` carries `Access-Control-Allow-Origin` (that origin) and
`Access-Control-Allow-Credentials: true`. Header names and values are WireMock's.
"""

from __future__ import annotations

from seamline.http.message import Reply, Response
from seamline.mock.incoming import ReceivedRequest

ALLOWED_METHODS = "OPTIONS,GET,POST,PUT,PATCH,DELETE"
MAX_AGE = "1800"


def is_preflight(request: ReceivedRequest) -> bool:
    return request.method == "OPTIONS" and "access-control-request-method" in request.headers


def preflight(request: ReceivedRequest) -> Response:
    asked = request.headers.get("access-control-request-headers") or ""
    headers = [
        ("Vary", "Origin"),
        ("Access-Control-Allow-Origin", request.headers.get("origin") or "*"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Max-Age", MAX_AGE),
        ("Access-Control-Allow-Methods", ALLOWED_METHODS),
        ("Access-Control-Allow-Headers", ",".join(h.strip() for h in asked.split(",") if h)),
    ]
    return Response(200, headers, b"")


def add_headers(reply: Reply, request: ReceivedRequest, *, matched: bool) -> Reply:
    """The reply with the CORS headers; a stub's own Access-Control-* headers are kept."""
    if not isinstance(reply, Response):
        return reply  # a fault: nothing to add to
    own = {name.lower() for name, _ in reply.headers}
    extra = [("Vary", "Origin")] if matched else []
    extra += [
        ("Access-Control-Allow-Origin", request.headers.get("origin") or "*"),
        ("Access-Control-Allow-Credentials", "true"),
    ]
    added = [(n, v) for n, v in extra if n.lower() not in own]
    return Response(reply.status, added + list(reply.headers), reply.body, reply.reason)
