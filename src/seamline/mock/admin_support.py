"""What every `/__admin` route uses: WireMock's error shape, JSON answers, ids, bodies."""

from __future__ import annotations

import json
import uuid
from typing import Any

from seamline.http.message import Response
from seamline.mock.incoming import ReceivedRequest

JSON_HEADERS = [("Content-Type", "application/json")]


class AdminError(Exception):
    """Answered as `{"errors": [{"code": code, "title": title, ...}]}` with `status`."""

    def __init__(
        self, status: int, title: str, pointer: str = "", code: int = 10, detail: str = ""
    ) -> None:
        super().__init__(title)
        self.status, self.title, self.pointer, self.code = status, title, pointer, code
        self.detail = detail


def json_response(data: Any, status: int = 200) -> Response:
    return Response(status, JSON_HEADERS, json.dumps(data).encode("utf-8"))


def empty_response(status: int = 200) -> Response:
    """WireMock's answer with no body (a done import or reset; an unknown stub id: 404)."""
    return Response(status, [], b"")


def error(status: int, title: str, pointer: str = "", code: int = 10, detail: str = "") -> Response:
    found: dict[str, Any] = {"code": code, "title": title}
    if detail:
        found["detail"] = detail
    if pointer:
        found["source"] = {"pointer": pointer}
    return json_response({"errors": [found]}, status)


def body_of(request: ReceivedRequest) -> Any:
    try:
        return json.loads(request.body or b"{}")
    except ValueError as exc:
        raise AdminError(422, f"expected a JSON body: {exc}") from None


def stub_id(given: str) -> str:
    """A stub or request id from a path: a UUID, else 400 as WireMock answers."""
    try:
        return str(uuid.UUID(given))
    except ValueError:
        raise AdminError(400, f"{given} is not a valid UUID") from None
