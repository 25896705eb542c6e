"""`/__admin/files`: the body files under `ROOT/__files`, as WireMock serves them.

`GET /__admin/files` lists their paths, `GET|PUT|DELETE /__admin/files/{path}` reads,
writes (answering the content in base64, as WireMock does) and deletes one. A path
that leaves `__files` is refused.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from seamline.http.message import Response
from seamline.mock.admin_support import AdminError, json_response
from seamline.mock.incoming import ReceivedRequest

if TYPE_CHECKING:
    from seamline.mock.engine import StubEngine

Route = Callable[[ReceivedRequest, dict[str, str]], Response]


class FileRoutes:
    engine: StubEngine

    def add_file_routes(self, add: Callable[[str, str, Route], None]) -> None:
        add("GET", "/files", self.list_files)
        add("GET", "/files/(?P<path>.+)", self.get_file)
        add("PUT", "/files/(?P<path>.+)", self.put_file)
        add("DELETE", "/files/(?P<path>.+)", self.delete_file)

    def _root(self) -> Path:
        if self.engine.files is None:
            raise AdminError(409, "this server has no --root-dir, so no __files directory")
        return self.engine.files

    def _file(self, given: str) -> Path:
        root = self._root().resolve()
        path = (root / given).resolve()
        if not path.is_relative_to(root) or path == root:
            raise AdminError(400, f"{given} is outside the __files directory")
        return path

    def list_files(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        if self.engine.files is None or not self.engine.files.is_dir():
            return json_response([])
        root = self.engine.files
        return json_response(
            sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        )

    def get_file(self, request: ReceivedRequest, params: dict[str, str]) -> Response:
        path = self._file(params["path"])
        if not path.is_file():
            raise AdminError(404, f"no file {params['path']} in __files")
        return Response(200, [("Content-Type", "application/octet-stream")], path.read_bytes())

    def put_file(self, request: ReceivedRequest, params: dict[str, str]) -> Response:
        path = self._file(params["path"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(request.body)
        return json_response(base64.b64encode(request.body).decode("ascii"))

    def delete_file(self, request: ReceivedRequest, params: dict[str, str]) -> Response:
        self._file(params["path"]).unlink(missing_ok=True)
        return Response(200, [], b"")
