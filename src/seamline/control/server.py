"""`ControlServer`: the control API over HTTP, on loopback, behind an unguessable token.

The token is the first segment of the URL's path (`SEAMLINE_CONTROL_URL` includes it) or,
for clients that keep URLs clean, the `X-Seamline-Token` header. Routes and bodies are
documented in docs/control-api.yaml.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from seamline.control.operations import ControlError, Json, Operations
from seamline.errors import SeamlineError
from seamline.http.loop import LoopThread
from seamline.http.message import Request, Response
from seamline.http.server import HttpServer
from seamline.system.core import System

TOKEN_HEADER = "X-Seamline-Token"
_SEAM = r"/seams/(?P<consumer>[^/]+)/(?P<provider>[^/]+)"

Route = Callable[[Operations, dict[str, str], dict[str, str], Json], Json]
ROUTES: list[tuple[str, re.Pattern[str], Route]] = [
    ("POST", re.compile(r"/tests/begin"), lambda ops, _, __, body: ops.begin_test(body)),
    ("POST", re.compile(r"/tests/end"), lambda ops, _, __, body: ops.end_test(body)),
    ("GET", re.compile(r"/seams"), lambda ops, _, __, body: ops.seams(body)),
    (
        "GET",
        re.compile(_SEAM + r"/calls"),
        lambda ops, p, q, _: ops.calls(p["consumer"], p["provider"], q),
    ),
    (
        "POST",
        re.compile(_SEAM + r"/mode"),
        lambda ops, p, _, body: ops.switch(p["consumer"], p["provider"], body),
    ),
    ("GET", re.compile(r"/violations"), lambda ops, _, q, __: ops.violations(q)),
    (
        "POST",
        re.compile(r"/db/(?P<verb>one|count|changes)"),
        lambda ops, p, _, body: ops.db(p["verb"], body),
    ),
]


class ControlServer:
    """Serves the control API for one started System until `close()`."""

    def __init__(self, system: System, loop: LoopThread) -> None:
        self.token = secrets.token_urlsafe(24)
        self._loop = loop
        self._operations = Operations(system, loop)
        self._http = HttpServer(self._handle)

    def start(self) -> ControlServer:
        self._loop.run(self._http.start("127.0.0.1", 0))
        return self

    @property
    def url(self) -> str:
        """The API's base URL, token included: `http://127.0.0.1:PORT/TOKEN`."""
        return f"{self._http.url}/{self.token}"

    @property
    def tests_announced(self) -> int:
        """How many tests announced themselves (`POST /tests/begin`)."""
        return self._operations.announced

    def close(self) -> None:
        self._loop.run(self._http.close())
        self._operations.close()

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        # The operations block on the loop (seam switches, journal reads): off the loop they go.
        status, reply = await asyncio.to_thread(self._answer, request, body)
        return Response(status, [("Content-Type", "application/json")], json.dumps(reply).encode())

    def _answer(self, request: Request, raw: bytes) -> tuple[int, Json]:
        path = self._authorised_path(request)
        if path is None:
            return 401, {
                "error": f"wrong or missing token: use the URL in SEAMLINE_CONTROL_URL "
                f"(or the {TOKEN_HEADER} header)"
            }
        query = dict(parse_qsl(urlsplit(request.target).query))
        try:
            for method, pattern, route in ROUTES:
                match = pattern.fullmatch(path)
                if match:
                    if request.method != method:
                        return 405, {"error": f"{path} takes {method}, not {request.method}"}
                    params = {k: unquote(v) for k, v in match.groupdict().items()}
                    return 200, route(self._operations, params, query, _json_object(raw, method))
            return 404, {"error": f"no route {request.method} {path} (see docs/control-api.yaml)"}
        except ControlError as err:
            return err.status, {"error": str(err)}
        except SeamlineError as err:
            return 400, {"error": str(err)}

    def _authorised_path(self, request: Request) -> str | None:
        """The route's path once the token matches (in the path or the header), else None."""
        path = request.path
        header = request.headers.get(TOKEN_HEADER)
        if header is not None:
            return path if hmac.compare_digest(header, self.token) else None
        _, _, rest = path.partition("/")
        given, slash, route = rest.partition("/")
        if not hmac.compare_digest(given, self.token):
            return None
        return slash + route


def _json_object(raw: bytes, method: str) -> Json:
    if method == "GET" or not raw.strip():
        return {}
    try:
        value: Any = json.loads(raw)
    except ValueError as err:
        raise ControlError(400, f"the body is not JSON ({err}): expected a JSON object") from None
    if not isinstance(value, dict):
        raise ControlError(400, f"expected a JSON object as the body, found {type(value).__name__}")
    return value
