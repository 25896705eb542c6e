"""X-Request-ID: taken from the request (or made up), kept for the handlers, echoed back."""

from __future__ import annotations

import re
import uuid

from fastapi import Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
# Visible ASCII, bounded: an id that is safe to log and to pass on to payments as it is.
_VALID_ID = re.compile(r"^[\x21-\x7e]{1,200}$")


class RequestIdMiddleware:
    """Pure ASGI middleware (no buffering of bodies): sets `request.state.request_id`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


def request_id(request: Request) -> str:
    """FastAPI dependency: this request's id."""
    return str(request.state.request_id)
