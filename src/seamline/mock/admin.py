"""The `/__admin` API, on WireMock's paths and JSON shapes so WireMock's clients work.

Invalid input is answered 422 with WireMock's error shape:
`{"errors": [{"code": 10, "source": {"pointer": "/request/url"}, "title": "..."}]}`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from seamline.http.message import Response
from seamline.mock import nearmiss
from seamline.mock.errors import InvalidMapping
from seamline.mock.incoming import ReceivedRequest
from seamline.mock.loader import save_mappings
from seamline.mock.mapping import StubMapping, mappings_in
from seamline.mock.patterns import parse_pattern
from seamline.mock.request_pattern import RequestPattern

if TYPE_CHECKING:
    from seamline.mock.engine import StubEngine

Route = Callable[[ReceivedRequest, dict[str, str]], Response]
JSON_HEADERS = [("Content-Type", "application/json")]
VERSION = "3.9.1-seamline"


class AdminError(Exception):
    def __init__(self, status: int, title: str, pointer: str = "") -> None:
        super().__init__(title)
        self.status, self.title, self.pointer = status, title, pointer


def json_response(data: Any, status: int = 200) -> Response:
    return Response(status, JSON_HEADERS, json.dumps(data).encode("utf-8"))


def _pointer(where: str) -> str:
    return "/" + "/".join(p for p in re.split(r"[.\[\]]+", where.removeprefix("$")) if p)


class AdminApi:
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
        add("GET", "/mappings/(?P<id>[^/]+)", self.get_mapping)
        add("PUT", "/mappings/(?P<id>[^/]+)", self.edit_mapping)
        add("DELETE", "/mappings/(?P<id>[^/]+)", self.delete_mapping)
        add("GET", "/requests", self.list_requests)
        add("DELETE", "/requests", self.reset_requests)
        add("POST", "/requests/reset", self.reset_requests)
        add("POST", "/requests/count", self.count_requests)
        add("POST", "/requests/find", self.find_requests)
        add("POST", "/requests/remove", self.remove_requests)
        add("GET", "/requests/unmatched", self.unmatched_requests)
        add("GET", "/requests/unmatched/near-misses", self.unmatched_near_misses)
        add("GET", "/requests/(?P<id>[^/]+)", self.get_request)
        add("DELETE", "/requests/(?P<id>[^/]+)", self.delete_request)
        add("POST", "/near-misses/request", self.near_misses_for_request)
        add("POST", "/near-misses/request-pattern", self.near_misses_for_pattern)
        add("GET", "/scenarios", self.list_scenarios)
        add("POST", "/scenarios/reset", self.reset_scenarios)
        add("PUT", "/scenarios/(?P<name>[^/]+)/state", self.set_scenario_state)
        add("POST", "/reset", self.reset_all)
        add("GET", "/settings", self.get_settings)
        add("POST", "/settings", self.update_settings)
        add("PUT", "/settings", self.update_settings)
        add("GET", "/health", self.health)
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
                    return _error(exc.status, exc.title, exc.pointer)
                except InvalidMapping as exc:
                    title = exc.reason + (f" (fix: {exc.fix})" if exc.fix else "")
                    return _error(422, title, _pointer(exc.path))
        if path_known:
            return _error(405, f"{request.method} is not allowed on {request.path}")
        return _error(404, f"no admin endpoint at {request.path}; see WireMock's admin API")

    # -- mappings ------------------------------------------------------------------------

    def list_mappings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        stubs = _page(self.engine.stubs.all(), request)
        return json_response(
            {"mappings": [s.to_json() for s in stubs], "meta": {"total": len(self.engine.stubs)}}
        )

    def create_mapping(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        stub = self.engine.add(StubMapping(_body(request), "$", self.engine.files))
        return json_response(stub.to_json(), 201)

    def delete_all_mappings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        self.engine.clear()
        return json_response({})

    def reset_mappings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        self.engine.reload()
        return json_response({})

    def save_mappings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        if self.engine.root_dir is None:
            raise AdminError(
                409, "cannot save: this server has no --root-dir to save mappings into"
            )
        save_mappings(self.engine.root_dir, self.engine.stubs.all())
        return json_response({})

    def import_mappings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        body = _body(request)
        options = body.get("importOptions") or {} if isinstance(body, dict) else {}
        overwrite = str(options.get("duplicatePolicy", "OVERWRITE")).upper() != "IGNORE"
        stubs = [StubMapping(item, where, self.engine.files) for where, item in mappings_in(body)]
        if options.get("deleteAllNotInImport"):
            self.engine.clear()
        for stub in stubs:
            if overwrite or self.engine.stubs.get(stub.id) is None:
                self.engine.add(stub)
        return json_response({})

    def _metadata_matches(self, request: ReceivedRequest) -> list[StubMapping]:
        pattern = parse_pattern(_body(request), "$")
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

    def _stub(self, stub_id: str) -> StubMapping:
        stub = self.engine.stubs.get(stub_id)
        if stub is None:
            raise AdminError(404, f"no stub mapping with id {stub_id}")
        return stub

    def get_mapping(self, request: ReceivedRequest, params: dict[str, str]) -> Response:
        return json_response(self._stub(params["id"]).to_json())

    def edit_mapping(self, request: ReceivedRequest, params: dict[str, str]) -> Response:
        self._stub(params["id"])
        spec = _body(request)
        if isinstance(spec, dict):
            spec = {**spec, "id": params["id"], "uuid": params["id"]}
        return json_response(self.engine.add(StubMapping(spec, "$", self.engine.files)).to_json())

    def delete_mapping(self, request: ReceivedRequest, params: dict[str, str]) -> Response:
        self._stub(params["id"])
        self.engine.remove(params["id"])
        return json_response({})

    # -- requests ---------------------------------------------------------------------

    def list_requests(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        events = list(reversed(self.engine.journal.events()))
        since = request.query.get("since", [""])[0]
        if since:
            events = [e for e in events if e.request.to_json()["loggedDateString"] >= since]
        limit = request.query.get("limit", [""])[0]
        if limit.isdigit():
            events = events[: int(limit)]
        return json_response({
            "requests": [e.to_json() for e in events],
            "meta": {"total": len(self.engine.journal)},
            "requestJournalDisabled": not self.engine.journal.enabled,
        })  # fmt: skip

    def reset_requests(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        self.engine.journal.clear()
        return json_response({})

    def _pattern(self, request: ReceivedRequest) -> RequestPattern:
        return RequestPattern(_body(request), "$")

    def count_requests(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        pattern = self._pattern(request)
        count = sum(1 for e in self.engine.journal.events() if pattern.matches(e.request))
        return json_response({"count": count})

    def find_requests(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        pattern = self._pattern(request)
        found = [
            e.request.to_json() for e in self.engine.journal.events() if pattern.matches(e.request)
        ]
        return json_response({"requests": found})

    def remove_requests(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        pattern = self._pattern(request)
        removed = self.engine.journal.remove(lambda e: not pattern.matches(e.request))
        return json_response({"requests": [e.request.to_json() for e in removed]})

    def unmatched_requests(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        events = [e for e in self.engine.journal.events() if not e.matched]
        return json_response({"requests": [e.request.to_json() for e in events]})

    def unmatched_near_misses(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        stubs = self.engine.stubs.ordered()
        misses = []
        for event in self.engine.journal.events():
            if not event.matched:
                for stub, distance in nearmiss.closest_stubs(event.request, stubs):
                    misses.append(nearmiss.near_miss_json(event.request, stub, distance))
        return json_response({"nearMisses": misses})

    def get_request(self, request: ReceivedRequest, params: dict[str, str]) -> Response:
        event = self.engine.journal.get(params["id"])
        if event is None:
            raise AdminError(404, f"no request with id {params['id']} in the journal")
        return json_response(event.to_json())

    def delete_request(self, request: ReceivedRequest, params: dict[str, str]) -> Response:
        self.engine.journal.remove(lambda e: e.id != params["id"])
        return json_response({})

    def near_misses_for_request(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        body = _body(request)
        if not isinstance(body, dict):
            raise AdminError(422, "expected a request object (url, method, headers, body)")
        target = ReceivedRequest.from_json(body)
        found = nearmiss.closest_stubs(target, self.engine.stubs.ordered())
        return json_response(
            {"nearMisses": [nearmiss.near_miss_json(target, s, d) for s, d in found]}
        )

    def near_misses_for_pattern(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        pattern = self._pattern(request)
        found = nearmiss.closest_requests(pattern, self.engine.journal.events())
        misses = [nearmiss.near_miss_json(e.request, None, d, pattern) for e, d in found]
        return json_response({"nearMisses": misses})

    # -- scenarios, settings, lifecycle --------------------------------------------------

    def list_scenarios(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        return json_response(self.engine.stubs.scenarios.to_json(self.engine.stubs.all()))

    def reset_scenarios(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        self.engine.stubs.scenarios.reset()
        return json_response({})

    def set_scenario_state(self, request: ReceivedRequest, params: dict[str, str]) -> Response:
        name = params["name"]
        if name not in self.engine.stubs.scenarios.known(self.engine.stubs.all()):
            raise AdminError(404, f"no scenario named {name!r}")
        body = _body(request) if request.body else {}
        state = body.get("state") if isinstance(body, dict) else None
        self.engine.stubs.scenarios.move(name, str(state or "Started"))
        return json_response({})

    def reset_all(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        self.engine.reset()
        return json_response({})

    def get_settings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        return json_response({"settings": self.engine.settings})

    def update_settings(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        body = _body(request)
        settings = body.get("settings", body) if isinstance(body, dict) else None
        if not isinstance(settings, dict):
            raise AdminError(422, 'expected {"fixedDelay": ms, "delayDistribution": {...}}')
        self.engine.settings = {k: v for k, v in settings.items() if v is not None}
        return json_response({"settings": self.engine.settings})

    def health(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        return json_response({
            "status": "healthy",
            "message": "Wiremock is ok",
            "version": VERSION,
            "uptimeInSeconds": int(time.time() - self.engine.started_at),
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        })  # fmt: skip

    def shutdown(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        if self.shutdown_hook is not None:
            self.shutdown_hook()
        return json_response({})


def _body(request: ReceivedRequest) -> Any:
    try:
        return json.loads(request.body or b"{}")
    except ValueError as exc:
        raise AdminError(422, f"expected a JSON body: {exc}") from None


def _page(stubs: list[StubMapping], request: ReceivedRequest) -> list[StubMapping]:
    offset = request.query.get("offset", ["0"])[0]
    limit = request.query.get("limit", [""])[0]
    start = int(offset) if offset.isdigit() else 0
    return stubs[start : start + int(limit)] if limit.isdigit() else stubs[start:]


def _error(status: int, title: str, pointer: str = "") -> Response:
    error: dict[str, Any] = {"code": 10, "title": title}
    if pointer:
        error["source"] = {"pointer": pointer}
    return json_response({"errors": [error]}, status)
