"""The `/__admin` API, on WireMock's paths and JSON shapes so WireMock's clients work.

Invalid input is answered 422 with WireMock's error shape:
`{"errors": [{"code": 10, "source": {"pointer": "/request/url"}, "title": "..."}]}`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from seamline.http.message import Response
from seamline.mock.admin_files import FileRoutes
from seamline.mock.admin_requests import RequestRoutes
from seamline.mock.admin_support import (
    AdminError,
    body_of,
    empty_response,
    error,
    json_response,
    stub_id,
)
from seamline.mock.errors import InvalidMapping
from seamline.mock.incoming import ReceivedRequest
from seamline.mock.loader import forget, persist, save_mappings
from seamline.mock.mapping import StubMapping, mappings_in
from seamline.mock.patterns import parse_pattern

if TYPE_CHECKING:
    from seamline.mock.engine import StubEngine

Route = Callable[[ReceivedRequest, dict[str, str]], Response]
JSON_HEADERS = [("Content-Type", "application/json")]
VERSION = "3.9.1-seamline"


def _pointer(where: str) -> str:
    return "/" + "/".join(p for p in re.split(r"[.\[\]]+", where.removeprefix("$")) if p)


class AdminApi(RequestRoutes, FileRoutes):
    def __init__(self, engine: StubEngine) -> None:
        self.engine = engine
        self.shutdown_hook: Callable[[], None] | None = None
        self.routes: list[tuple[str, re.Pattern[str], Route]] = []
        add = self._route
        add("GET", "/mappings", self.list_mappings)
        add("POST", "/mappings", self.create_mapping)
        add("DELETE", "/mappings", self.delete_all_mappings)
        add("POST", "/mappings/reset", self.reset_mappings)
        add("POST", "/mappings/save", self.save_mappings)
        add("POST", "/mappings/import", self.import_mappings)
        add("POST", "/mappings/remove-by-metadata", self.remove_by_metadata)
        add("POST", "/mappings/find-by-metadata", self.find_by_metadata)
        add("GET", "/mappings/unmatched", self.unmatched_mappings)
        add("DELETE", "/mappings/unmatched", self.remove_unmatched_mappings)
        add("POST", "/mappings/remove", self.remove_mapping_like)
        add("POST", "/mappings/edit", self.old_edit_mapping)
        add("GET", "/mappings/(?P<id>[^/]+)", self.get_mapping)
        add("PUT", "/mappings/(?P<id>[^/]+)", self.edit_mapping)
        add("DELETE", "/mappings/(?P<id>[^/]+)", self.delete_mapping)
        self.add_request_routes(add)
        add("GET", "/scenarios", self.list_scenarios)
        add("POST", "/scenarios/reset", self.reset_scenarios)
        add("PUT", "/scenarios/(?P<name>[^/]+)/state", self.set_scenario_state)
        add("POST", "/reset", self.reset_all)
        self.add_file_routes(add)
        add("GET", "/settings", self.get_settings)
        add("POST", "/settings", self.update_settings)
        add("PUT", "/settings", self.update_settings)
        add("GET", "/health", self.health)
        add("GET", "/version", self.version)
        add("POST", "/shutdown", self.shutdown)

    def _route(self, method: str, path: str, route: Route) -> None:
        self.routes.append((method, re.compile(f"/__admin{path}/?"), route))

    def handle(self, request: ReceivedRequest) -> Response:
        path_known = False
        for method, regex, route in self.routes:
            found = regex.fullmatch(request.path)
            if found is None:
                continue
            path_known = True
            if method == request.method:
                try:
                    return route(request, found.groupdict())
                except AdminError as exc:
                    return error(exc.status, exc.title, exc.pointer, exc.code, exc.detail)
                except InvalidMapping as exc:
                    title = exc.reason + (f" (fix: {exc.fix})" if exc.fix else "")
                    return error(422, title, _pointer(exc.path))
        if path_known:
            # WireMock answers 404 to a known path with another method, as to any unknown route
            return error(404, f"{request.method} is not allowed on {request.path}")
        return error(404, f"no admin endpoint at {request.path}; see WireMock's admin API")

    # -- mappings ------------------------------------------------------------------------

    def list_mappings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        stubs = _page(self.engine.stubs.all(), request)
        return json_response(
            {"mappings": [s.to_json() for s in stubs], "meta": {"total": len(self.engine.stubs)}}
        )

    def create_mapping(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        given = StubMapping(body_of(request), "$", self.engine.files)
        if self.engine.stubs.get(given.id) is not None:
            raise AdminError(
                422,
                "Duplicate stub mapping ID",
                code=109,
                detail=f"ID of the provided stub mapping '{given.id}' is already taken "
                "by another stub mapping",
            )
        stub = self.engine.add(given)
        self._persist_if_asked(stub)
        return json_response(stub.to_json(), 201)

    def _persist_if_asked(self, stub: StubMapping) -> None:
        """`persistent: true` writes the stub under ROOT/mappings/ (with a --root-dir)."""
        if stub.persistent and self.engine.root_dir is not None:
            persist(self.engine.root_dir, stub)

    def delete_all_mappings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        """Every stub goes; so do the files of persistent ones. Files of stubs not marked
        persistent stay (WireMock deletes them too: see docs/mock.md)."""
        for stub in self.engine.stubs.all():
            forget(stub)
        self.engine.clear()
        return json_response({})

    def _requested_stubs(self) -> set[str]:
        return {e.stub.id for e in self.engine.journal.events() if e.stub is not None}

    def unmatched_mappings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        used = self._requested_stubs()
        stubs = [s for s in self.engine.stubs.all() if s.id not in used]
        return json_response(
            {"mappings": [s.to_json() for s in stubs], "meta": {"total": len(stubs)}}
        )

    def remove_unmatched_mappings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        used = self._requested_stubs()
        removed = [s for s in self.engine.stubs.all() if s.id not in used]
        for stub in removed:
            forget(stub)
            self.engine.remove(stub.id)
        return json_response({})

    def remove_mapping_like(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        """The stub with the given id or else the same request pattern goes."""
        given = StubMapping(body_of(request), "$", self.engine.files)
        found = self.engine.stubs.get(given.id) or next(
            (s for s in self.engine.stubs.all() if s.request.spec == given.request.spec), None
        )
        if found is not None:
            forget(found)
            self.engine.remove(found.id)
        return empty_response()

    def old_edit_mapping(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        body = body_of(request)
        given = body.get("id") or body.get("uuid") if isinstance(body, dict) else None
        self.edit_mapping(request, {"id": str(given)})
        return empty_response(204)  # WireMock's old edit endpoint answers nothing

    def reset_mappings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        self.engine.reload()
        return empty_response()

    def save_mappings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        if self.engine.root_dir is None:
            raise AdminError(
                409, "cannot save: this server has no --root-dir to save mappings into"
            )
        save_mappings(self.engine.root_dir, self.engine.stubs.all())
        return empty_response()

    def import_mappings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        body = body_of(request)
        options = body.get("importOptions") or {} if isinstance(body, dict) else {}
        overwrite = str(options.get("duplicatePolicy", "OVERWRITE")).upper() != "IGNORE"
        stubs = [StubMapping(item, where, self.engine.files) for where, item in mappings_in(body)]
        if options.get("deleteAllNotInImport"):
            self.engine.clear()
        # Added last to first, as WireMock does, so they list in the order given.
        for stub in reversed(stubs):
            if overwrite or self.engine.stubs.get(stub.id) is None:
                self.engine.add(stub)
        return empty_response()

    def _metadata_matches(self, request: ReceivedRequest) -> list[StubMapping]:
        pattern = parse_pattern(body_of(request), "$")
        return [s for s in self.engine.stubs.all() if pattern.matches(json.dumps(s.metadata))]

    def remove_by_metadata(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        for stub in self._metadata_matches(request):
            self.engine.remove(stub.id)
        return json_response({})

    def find_by_metadata(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        stubs = self._metadata_matches(request)
        return json_response(
            {"mappings": [s.to_json() for s in stubs], "meta": {"total": len(stubs)}}
        )

    def _stub(self, given: str) -> StubMapping:
        """The stub with that id; else 404 (WireMock's has no body, this one says why)."""
        wanted = stub_id(given)
        stub = self.engine.stubs.get(wanted)
        if stub is None:
            raise AdminError(404, f"no stub mapping with id {wanted}")
        return stub

    def get_mapping(self, request: ReceivedRequest, params: dict[str, str]) -> Response:
        return json_response(self._stub(params["id"]).to_json())

    def edit_mapping(self, request: ReceivedRequest, params: dict[str, str]) -> Response:
        old = self._stub(params["id"])
        spec = body_of(request)
        if isinstance(spec, dict):
            spec = {**spec, "id": old.id, "uuid": old.id}
        stub = StubMapping(spec, "$", self.engine.files)
        stub.source = old.source
        self.engine.add(stub)
        self._persist_if_asked(stub)
        return json_response(stub.to_json())

    def delete_mapping(self, request: ReceivedRequest, params: dict[str, str]) -> Response:
        stub = self._stub(params["id"])
        forget(stub)
        self.engine.remove(stub.id)
        return json_response({})

    # -- scenarios, settings, lifecycle --------------------------------------------------

    def list_scenarios(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        return json_response(self.engine.stubs.scenarios.to_json(self.engine.stubs.all()))

    def reset_scenarios(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        self.engine.stubs.scenarios.reset()
        return json_response({})

    def set_scenario_state(self, request: ReceivedRequest, params: dict[str, str]) -> Response:
        name = params["name"]
        scenarios = self.engine.stubs.scenarios
        if name not in scenarios.known(self.engine.stubs.all()):
            raise AdminError(404, f"Scenario {name} does not exist", code=404)
        # No body resets the scenario; a body without a state is refused, as "null".
        body = body_of(request) if request.body else {"state": "Started"}
        given = body.get("state") if isinstance(body, dict) else None
        state = "null" if given is None else str(given)
        possible = scenarios.possible(self.engine.stubs.all(), name)
        if state not in possible:
            raise AdminError(422, f"Scenario {name} does not support state {state}", code=11)
        scenarios.move(name, state)
        return json_response({})

    def reset_all(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        self.engine.reset()
        return empty_response()

    def get_settings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        # WireMock writes its defaults: fixedDelay 0 until settings are first given
        settings = self.engine.settings or {"fixedDelay": 0}
        return json_response({"settings": {"proxyPassThrough": False, **settings}})

    def update_settings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        body = body_of(request)
        settings = body.get("settings", body) if isinstance(body, dict) else None
        if not isinstance(settings, dict):
            raise AdminError(422, 'expected {"fixedDelay": ms, "delayDistribution": {...}}')
        self.engine.settings = {k: v for k, v in settings.items() if v is not None}
        # WireMock answers nothing; the settings come back since the python-wiremock
        # client reads its answer as JSON
        return json_response({"settings": self.engine.settings})

    def health(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        return json_response({
            "status": "healthy",
            "message": "Wiremock is ok",
            "version": VERSION,
            "uptimeInSeconds": int(time.time() - self.engine.started_at),
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        })  # fmt: skip

    def version(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        return json_response({"version": VERSION})

    def shutdown(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        if self.shutdown_hook is not None:
            self.shutdown_hook()
        return json_response({})


def _page(stubs: list[StubMapping], request: ReceivedRequest) -> list[StubMapping]:
    offset = request.query.get("offset", ["0"])[0]
    limit = request.query.get("limit", [""])[0]
    start = int(offset) if offset.isdigit() else 0
    return stubs[start : start + int(limit)] if limit.isdigit() else stubs[start:]
