"""The journal half of the `/__admin` API: `/__admin/requests/...` and near misses.

Listing answers WireMock's shape plus, when the bounded journal has dropped older
requests, `meta.dropped` (how many, when, which method + path) so a client can tell
a short count from a full one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from seamline.http.message import Response
from seamline.mock import nearmiss
from seamline.mock.admin_support import (
    AdminError,
    body_of,
    json_response,
    stub_id,
)
from seamline.mock.incoming import ReceivedRequest
from seamline.mock.journal import ServeEvent
from seamline.mock.patterns import parse_pattern
from seamline.mock.request_pattern import RequestPattern

if TYPE_CHECKING:
    from seamline.mock.engine import StubEngine

Route = Callable[[ReceivedRequest, dict[str, str]], Response]


class RequestRoutes:
    engine: StubEngine

    def add_request_routes(self, add: Callable[[str, str, Route], None]) -> None:
        add("GET", "/requests", self.list_requests)
        add("DELETE", "/requests", self.reset_requests)
        # Gone from WireMock 3 (404 there), kept: the python-wiremock client still calls it
        add("POST", "/requests/reset", self.reset_requests)
        add("POST", "/requests/count", self.count_requests)
        add("POST", "/requests/find", self.find_requests)
        add("POST", "/requests/remove", self.remove_requests)
        add("POST", "/requests/remove-by-metadata", self.remove_requests_by_metadata)
        add("GET", "/requests/unmatched", self.unmatched_requests)
        add("GET", "/requests/unmatched/near-misses", self.unmatched_near_misses)
        add("GET", "/requests/(?P<id>[^/]+)", self.get_request)
        add("DELETE", "/requests/(?P<id>[^/]+)", self.delete_request)
        add("POST", "/near-misses/request", self.near_misses_for_request)
        add("POST", "/near-misses/request-pattern", self.near_misses_for_pattern)

    def list_requests(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        journal = self.engine.journal
        events = list(reversed(journal.events()))
        if request.query.get("unmatched", [""])[0] == "true":
            events = [e for e in events if not e.matched]
        wanted_stub = request.query.get("matchingStub", [""])[0]
        if wanted_stub:
            events = [e for e in events if e.stub is not None and e.stub.id == wanted_stub]
        since = request.query.get("since", [""])[0]
        if since:
            events = [e for e in events if e.request.to_json()["loggedDateString"] >= since]
        limit = request.query.get("limit", [""])[0]
        if limit.isdigit():
            events = events[: int(limit)]
        meta: dict[str, Any] = {"total": len(journal)}
        if journal.dropped.count:
            meta["dropped"] = journal.dropped.to_json()
        return json_response(
            {
                "requests": [e.to_json() for e in events],
                "meta": meta,
                "requestJournalDisabled": not journal.enabled,
            }
        )

    def reset_requests(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        self.engine.journal.clear()
        return json_response({})

    def _pattern(self, request: ReceivedRequest) -> RequestPattern:
        return RequestPattern(body_of(request), "$")

    def count_requests(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        pattern = self._pattern(request)
        journal = self.engine.journal
        count = sum(1 for e in journal.events() if pattern.matches(e.request))
        return json_response({"count": count, "requestJournalDisabled": not journal.enabled})

    def find_requests(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        pattern = self._pattern(request)
        journal = self.engine.journal
        found = [e.request.to_json() for e in journal.events() if pattern.matches(e.request)]
        return json_response({"requests": found, "requestJournalDisabled": not journal.enabled})

    def remove_requests(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        pattern = self._pattern(request)
        removed = self.engine.journal.remove(lambda e: not pattern.matches(e.request))
        return json_response({"serveEvents": [e.to_json() for e in removed]})

    def remove_requests_by_metadata(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        pattern = parse_pattern(body_of(request), "$")

        def keep(event: ServeEvent) -> bool:
            return event.stub is None or not pattern.matches(json.dumps(event.stub.metadata))

        removed = self.engine.journal.remove(keep)
        return json_response({"serveEvents": [e.to_json() for e in removed]})

    def unmatched_requests(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        journal = self.engine.journal
        events = [e for e in reversed(journal.events()) if not e.matched]  # newest first
        found = [e.request.to_json() for e in events]
        return json_response({"requests": found, "requestJournalDisabled": not journal.enabled})

    def unmatched_near_misses(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        stubs = self.engine.stubs.ordered()
        misses = []
        for event in self.engine.journal.events():
            if not event.matched:
                for stub, distance in nearmiss.closest_stubs(event.request, stubs):
                    misses.append(nearmiss.near_miss_json(event.request, stub, distance))
        return json_response({"nearMisses": misses})

    def get_request(self, request: ReceivedRequest, params: dict[str, str]) -> Response:
        event = self.engine.journal.get(stub_id(params["id"]))
        if event is None:
            raise AdminError(404, f"no request with id {params['id']} in the journal")
        return json_response(event.to_json())

    def delete_request(self, request: ReceivedRequest, params: dict[str, str]) -> Response:
        wanted = stub_id(params["id"])
        self.engine.journal.remove(lambda e: e.id != wanted)
        return json_response({})

    def near_misses_for_request(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        body = body_of(request)
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
