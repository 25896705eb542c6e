"""Recording on the stub server: `/__admin/recordings/start|stop|status|snapshot`.

    POST /__admin/recordings/start     {"targetBaseUrl": "http://127.0.0.1:9000", ...}
    ... traffic through the server, proxied to the target ...
    POST /__admin/recordings/stop      -> {"mappings": [...]}   (also added as stubs)
    POST /__admin/recordings/snapshot  {...}  -> stubs from what the journal holds now
    GET  /__admin/recordings/status    -> {"status": "NeverStarted" | "Recording" | "Stopped"}

Starting with a `targetBaseUrl` adds a proxy stub for every request (removed at stop); with
`onlyMissing` it sits behind every other stub, so only what no stub answers is fetched and
recorded. What was recorded is added to the server; with `persist` (the default) and a
root directory it is written there as WireMock files. The stubs themselves are made by
the recorder (recorder.py), which knows nothing of servers.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from seamline.errors import SeamlineError
from seamline.http.message import Response
from seamline.mock.admin_support import AdminError, json_response
from seamline.mock.incoming import ReceivedRequest
from seamline.mock.mapping import StubMapping
from seamline.mock.proxying import ProxiedResponse
from seamline.mock.recorder import RecordedExchange, record
from seamline.mock.recordfiles import Recorded, write_recorded
from seamline.mock.recordspec import RecordSpec
from seamline.mock.request_pattern import RequestPattern

if TYPE_CHECKING:
    from seamline.mock.admin import AdminApi
    from seamline.mock.engine import StubEngine

# WireMock's proxyAllTo stub has the default priority and, added last, wins over stubs of the
# same priority; `onlyMissing` puts it behind every stub instead.
_LAST_PRIORITY = 2**31 - 1
_Exchange = tuple[ReceivedRequest, ProxiedResponse]


class NotRecording(SeamlineError):
    """`stop_recording()` (or `/__admin/recordings/stop`) while no recording runs."""

    def __init__(self) -> None:
        super().__init__(
            "not recording: start one first (MockServer.start_recording(url) or "
            "POST /__admin/recordings/start)"
        )


class Recordings:
    """The recording state of one stub engine, and the proxied answers snapshots use."""

    def __init__(self, engine: StubEngine) -> None:
        self.engine = engine
        self.status = "NeverStarted"
        self._spec = RecordSpec()
        self._proxy_stub: str | None = None
        self._session: list[_Exchange] = []
        self._proxied: dict[str, ProxiedResponse] = {}  # journal id -> the upstream's answer

    def install(self, admin: AdminApi) -> None:
        """Add the `/__admin/recordings` endpoints to `admin`."""
        for method, path, route in (
            ("POST", "start", self._start_route),
            ("POST", "stop", self._stop_route),
            ("GET", "status", self._status_route),
            ("POST", "snapshot", self._snapshot_route),
        ):
            admin.routes.append((method, re.compile(f"/__admin/recordings/{path}/?"), route))

    def observe(self, request: ReceivedRequest, response: ProxiedResponse) -> None:
        """Called by the forwarder for every proxied exchange."""
        if self.status == "Recording":
            self._session.append((request, response))
        if self.engine.journal.enabled:
            self._proxied[request.id] = response
            if len(self._proxied) > 2 * len(self.engine.journal) + 1024:
                known = {event.id for event in self.engine.journal.events()}
                self._proxied = {k: v for k, v in self._proxied.items() if k in known}

    # -- the Python API (what the admin routes call) ---------------------------------

    def start(self, spec: RecordSpec) -> None:
        if self.status == "Recording":
            return  # as WireMock: a second start changes nothing
        self._spec, self._session = spec, []
        if spec.target_base_url:
            proxy: dict[str, Any] = {
                "request": {"method": "ANY", "urlPattern": ".*"},
                "response": {"proxyBaseUrl": spec.target_base_url},
            }
            if spec.only_missing:
                proxy["priority"] = _LAST_PRIORITY
            stub = self.engine.add(StubMapping(proxy, "$", self.engine.files))
            self._proxy_stub = stub.id
        self.status = "Recording"

    def stop(self) -> Recorded:
        """Stop recording; the stubs made from what was proxied meanwhile (also added)."""
        if self.status != "Recording":
            raise NotRecording()
        self.status = "Stopped"
        if self._proxy_stub is not None:
            self.engine.remove(self._proxy_stub)
            self._proxy_stub = None
        session, self._session = self._session, []
        return self._record(session, self._spec)

    def snapshot(self, spec: RecordSpec) -> Recorded:
        """Stubs from the journal's proxied exchanges (and others, with allowNonProxied)."""
        exchanges: list[_Exchange] = []
        for event in self.engine.journal.events():
            response = self._proxied.get(event.id)
            if response is None and spec.allow_non_proxied and event.stub is not None:
                response = _stub_answer(event.request, event.stub)
            if response is not None:
                exchanges.append((event.request, response))
        return self._record(exchanges, spec)

    def _record(self, exchanges: list[_Exchange], spec: RecordSpec) -> Recorded:
        wanted = RequestPattern(spec.filters) if spec.filters else None
        kept = [
            exchange_of(request, response)
            for request, response in exchanges
            if (wanted is None or wanted.matches(request))
            and (spec.filter_ids is None or request.id in spec.filter_ids)
            and not (spec.only_missing and self._answered_by_a_stub(request))
        ]
        root = self.engine.root_dir
        if root is None:  # bodies can only be extracted to a root's __files
            spec = _inline_bodies(spec)
        recorded = record(kept, spec)
        for mapping in recorded.mappings:
            self.engine.add(StubMapping(mapping, "$", self.engine.files))
        if root is not None and spec.persist:
            write_recorded(root, recorded)
        elif root is not None and recorded.files:
            write_recorded(root, Recorded([], recorded.files))
        return recorded

    def _answered_by_a_stub(self, request: ReceivedRequest) -> bool:
        """Whether a stub that is not a proxy matches `request` (scenario states aside)."""
        return any(
            stub.response.proxy is None and stub.request.matches(request)
            for stub in self.engine.stubs.ordered()
        )

    # -- routes --------------------------------------------------------------------------

    def _start_route(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        self.start(RecordSpec.from_json(_json(request)))
        return json_response({})

    def _stop_route(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        try:
            recorded = self.stop()
        except NotRecording:  # WireMock's answer, word for word
            error = {"code": 30, "title": "Not currently recording."}
            return json_response({"errors": [error]}, 400)
        return _result(recorded, self._spec)

    def _status_route(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        return json_response({"status": self.status})

    def _snapshot_route(self, request: ReceivedRequest, _: dict[str, str]) -> Response:
        spec = RecordSpec.from_json(_json(request))
        return _result(self.snapshot(spec), spec)


def exchange_of(request: ReceivedRequest, response: ProxiedResponse) -> RecordedExchange:
    return RecordedExchange(
        method=request.method,
        url=request.url,
        request_headers=list(request.headers),
        request_body=request.body,
        status=response.status,
        response_headers=response.headers,
        response_body=response.body,
    )


def _stub_answer(request: ReceivedRequest, stub: StubMapping) -> ProxiedResponse | None:
    """What a (non-proxy) stub answers, when that is plain bytes."""
    if stub.response.proxy is not None or stub.response.fault is not None:
        return None
    built = stub.response.build(request, [], False)
    if not isinstance(built, Response) or not isinstance(built.body, bytes):
        return None
    return ProxiedResponse(built.status, list(built.headers), built.body)


def _inline_bodies(spec: RecordSpec) -> RecordSpec:
    return replace(spec, text_threshold=None, binary_threshold=None)


def _result(recorded: Recorded, spec: RecordSpec) -> Response:
    if spec.output_ids:
        return json_response({"ids": [m["id"] for m in recorded.mappings]})
    return json_response({"mappings": recorded.mappings})


def _json(request: ReceivedRequest) -> Any:
    try:
        return json.loads(request.body or b"{}")
    except ValueError as exc:
        raise AdminError(422, f"expected a JSON record spec: {exc}") from None


# -- the stand-alone server's flags (WireMock's --proxy-all, --record-mappings) -------------


def add_record_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--proxy-all", metavar="URL", default=None,
        help="proxy every request no stub answers to URL (a stub at priority 10)",
    )  # fmt: skip
    parser.add_argument(
        "--record-mappings", action="store_true",
        help="record what is proxied into ROOT/mappings and ROOT/__files, written at exit",
    )  # fmt: skip
    parser.add_argument(
        "--match-headers", default="", metavar="A,B",
        help="request headers recorded into the mappings' request patterns",
    )  # fmt: skip
    parser.add_argument(
        "--no-mask-secrets", action="store_true",
        help="record credentials and secret fields in clear (default: masked)",
    )  # fmt: skip


def start_cli_recording(engine: StubEngine, args: argparse.Namespace) -> None:
    """What WireMockServerRunner does: a proxy stub at priority 10 and, with
    --record-mappings, a recording of persistent stubs, bodies in files, no repeats."""
    if args.proxy_all:
        proxy = {
            "priority": 10,
            "request": {"method": "ANY", "urlPattern": ".*"},
            "response": {"proxyBaseUrl": args.proxy_all},
        }
        engine.add(StubMapping(proxy, "--proxy-all", engine.files))
    if args.record_mappings:
        names = [n.strip() for n in args.match_headers.split(",") if n.strip()]
        spec = RecordSpec(
            capture_headers=dict.fromkeys(names, False),
            text_threshold=0,
            binary_threshold=0,
            persist=True,
            repeats_as_scenarios=False,
            mask_secrets=not args.no_mask_secrets,
        )
        engine.recordings.start(spec)


def stop_cli_recording(engine: StubEngine) -> None:
    if engine.recordings.status == "Recording":
        recorded = engine.recordings.stop()
        print(f"seamline mock: recorded {len(recorded.mappings)} mapping(s)", flush=True)
