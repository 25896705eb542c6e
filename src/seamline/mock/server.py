"""`MockServer`: a WireMock-compatible stub server for tests, driven from Python.

    with MockServer() as mock:                       # its own loop thread, a free port
        mock.stub(get("/health")).reply(200, json={"ok": True})
        httpx.get(mock.url + "/health")
        mock.verify(get("/health"), times=1)

Calls from the test thread are carried out on the server's loop, so stubbing while
requests are being served is safe. Inside asyncio code use `await start_async()`.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from seamline.http.loop import LoopThread
from seamline.http.server import HttpServer, Limits
from seamline.mock.dsl import RequestBuilder, response_json
from seamline.mock.engine import StubEngine
from seamline.mock.errors import LoadProblem, VerificationError
from seamline.mock.incoming import ReceivedRequest
from seamline.mock.journal import DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES
from seamline.mock.loader import load_directory, load_file
from seamline.mock.mapping import StubMapping
from seamline.mock.nearmiss import closest_requests, diff_report
from seamline.mock.recordspec import RecordSpec
from seamline.mock.request_pattern import RequestPattern
from seamline.mock.tls import HttpsListener, TlsFiles

T = TypeVar("T")


class MockServer:
    """A WireMock-compatible stub server on a loopback port: `with MockServer() as mock:
    mock.stub(get("/x")).reply(200, json={...})`. Stubs come from the Python API, WireMock JSON
    mappings (`root_dir`, `add_mapping`) or its admin API."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        root_dir: Path | str | None = None,
        loop: LoopThread | None = None,
        journal_limit: int | None = DEFAULT_MAX_ENTRIES,
        journal_bytes: int | None = DEFAULT_MAX_BYTES,
        global_templating: bool = False,
        verbose: bool = False,
        limits: Limits | None = None,
        https_port: int | None = None,
        tls: TlsFiles | None = None,
        upstream_tls: ssl.SSLContext | None = None,
        stub_cors: bool = False,
    ) -> None:
        """`https_port` (0: a free port) adds an HTTPS listener, with the certificate in
        `tls` or, without it, one made at start by a CA of its own (see `ca_path`).
        `upstream_tls` verifies https:// proxy targets and webhook URLs (default: the
        system's CAs, and SSL_CERT_FILE when set)."""
        self.engine = StubEngine(
            root_dir=Path(root_dir) if root_dir is not None else None,
            journal_limit=journal_limit,
            journal_bytes=journal_bytes,
            global_templating=global_templating,
            verbose=verbose,
            stub_cors=stub_cors,
        )
        self.engine.forwarder.tls = self.engine.webhooks.tls = upstream_tls
        self._http = HttpServer(self.engine.handle, fast=self.engine.fast, limits=limits)
        self._https = None
        if https_port is not None:
            self._https = HttpsListener(
                self.engine.handle, self.engine.fast, port=https_port, files=tls, limits=limits
            )
        self._host, self._port = host, port
        self._loop = loop
        self._own_loop = False

    # -- lifecycle ------------------------------------------------------------------------

    async def start_async(self) -> MockServer:
        """Start listening, on the running event loop; returns the server."""
        await self._http.start(self._host, self._port)
        self.engine.base_url = self._http.url
        if self._https is not None:
            await self._https.start(self._host)
        return self

    async def stop_async(self) -> None:
        """Stop listening and close every connection, on the running event loop."""
        await self._http.close()
        if self._https is not None:
            await self._https.close()
        await self.engine.close()

    def start(self) -> MockServer:
        """Start listening (on its own loop thread unless given one); returns the server."""
        if self._loop is None:
            self._loop, self._own_loop = LoopThread("seamline-mock"), True
        self._loop.run(self.start_async())
        return self

    def stop(self) -> None:
        """Stop listening and close every connection. Safe to call twice."""
        if self._loop is not None and self._loop.running and self._http.started:
            self._loop.run(self.stop_async())
        if self._own_loop and self._loop is not None:
            self._loop.stop()
            self._loop, self._own_loop = None, False

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self, *exc: tuple[type[BaseException], BaseException, TracebackType] | Any
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The server's base URL, e.g. `http://127.0.0.1:43123`."""
        return self._http.url

    @property
    def host(self) -> str:
        """The host the server listens on."""
        return self._http.host

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._http.port

    @property
    def https_url(self) -> str | None:
        """`https://127.0.0.1:PORT` when serving HTTPS, else None."""
        return self._https.http.url if self._https is not None else None

    @property
    def ca_path(self) -> Path | None:
        """The PEM file of the CA that issued the HTTPS certificate: what clients trust."""
        files = self._https.files if self._https is not None else None
        return files.ca if files is not None else None

    @property
    def load_problems(self) -> list[LoadProblem]:
        """The mapping files under `root_dir` that did not load, each with its reason."""
        return list(self.engine.load_problems)

    def _on_loop(self, action: Callable[[], T]) -> T:
        """Run `action` on the server's loop thread (or here, when that is where we are)."""
        loop = self._loop
        if loop is None or not loop.running or _on_thread_of(loop):
            return action()

        async def call() -> T:
            return action()

        return loop.run(call())

    # -- stubbing -------------------------------------------------------------------------

    def stub(self, request: RequestBuilder) -> StubBuilder:
        """Begin a stub for requests like `request` (`get("/x")`, `post(...)`): finish it with
        `.reply(...)`, `.fault(...)` or `.respond_with({...})`."""
        return StubBuilder(self, request)

    def add_mapping(self, mapping: dict[str, Any]) -> StubMapping:
        """Add one mapping in WireMock's JSON form (as a dict)."""
        stub = StubMapping(mapping, "$", self.engine.files)
        return self._on_loop(lambda: self.engine.add(stub))

    def load(self, path: Path | str) -> list[StubMapping]:
        """Add the mappings in a JSON file or a WireMock root directory.
        Raises MappingLoadError listing every mapping that did not load."""
        from seamline.mock.errors import MappingLoadError

        path = Path(path)
        stubs, problems = (
            load_directory(path) if path.is_dir() else load_file(path, self.engine.files)
        )
        if problems:
            raise MappingLoadError(problems)
        return self._on_loop(lambda: [self.engine.add(s) for s in stubs])

    def remove(self, stub: StubMapping | str) -> None:
        """Remove a stub (the mapping or its id)."""
        stub_id = stub if isinstance(stub, str) else stub.id
        self._on_loop(lambda: self.engine.remove(stub_id))

    def mappings(self) -> list[StubMapping]:
        """Every stub the server has, in the order it tries them."""
        return self._on_loop(self.engine.stubs.all)

    def reset(self) -> None:
        """Back to the mappings loaded from `root_dir` (or none); journal and scenarios cleared."""
        self._on_loop(self.engine.reset)

    def reset_requests(self) -> None:
        """Forget the requests received so far (the stubs stay)."""
        self._on_loop(self.engine.journal.clear)

    def reset_scenarios(self) -> None:
        """Put every scenario back to its "Started" state."""
        self._on_loop(self.engine.stubs.scenarios.reset)

    def scenario_state(self, name: str) -> str:
        """The state scenario `name` is in now."""
        return self._on_loop(lambda: self.engine.stubs.scenarios.state(name))

    def set_scenario_state(self, name: str, state: str) -> None:
        """Put scenario `name` into `state`."""
        self._on_loop(lambda: self.engine.stubs.scenarios.move(name, state))

    # -- recording ------------------------------------------------------------------------

    def start_recording(self, target_base_url: str, **spec: Any) -> None:
        """Proxy every request to `target_base_url` and record the exchanges. `spec` takes
        the fields of WireMock's record spec (`captureHeaders=...`, `persist=False`,
        `repeatsAsScenarios=...`) and seamline's `onlyMissing` and `maskSecrets`."""
        record_spec = RecordSpec.from_json({"targetBaseUrl": target_base_url, **spec})
        self._on_loop(lambda: self.engine.recordings.start(record_spec))

    def stop_recording(self) -> list[dict[str, Any]]:
        """Stop recording; the mappings made (newest first), now also served."""
        return self._on_loop(self.engine.recordings.stop).mappings

    def snapshot(self, **spec: Any) -> list[dict[str, Any]]:
        """Mappings from the proxied requests in the journal, as `/recordings/snapshot`."""
        record_spec = RecordSpec.from_json(spec)
        return self._on_loop(lambda: self.engine.recordings.snapshot(record_spec)).mappings

    # -- verifying ------------------------------------------------------------------------

    def requests(self, request: RequestBuilder | None = None) -> list[ReceivedRequest]:
        """Requests received (oldest first), only those matching `request` if given."""
        events = self._on_loop(self.engine.journal.events)
        if request is None:
            return [e.request for e in events]
        pattern = RequestPattern(request.to_json())
        return [e.request for e in events if pattern.matches(e.request)]

    def wait_for(
        self, request: RequestBuilder, count: int = 1, *, timeout: float = 5.0
    ) -> list[ReceivedRequest]:
        """Wait until `count` requests matching `request` have arrived (a webhook, a
        callback from the service under test) and return them; VerificationError, with
        what did arrive, when `timeout` seconds pass first."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.requests(request)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                message = self._verify_message(request, None, count, None, len(found))
                raise VerificationError(f"after waiting {timeout}s, {message}")
            time.sleep(0.005)  # polling the journal: the condition, checked every 5 ms

    def unmatched(self) -> list[ReceivedRequest]:
        """The requests received that no stub matched (a 404 went back)."""
        return [e.request for e in self._on_loop(self.engine.journal.events) if not e.matched]

    def verify(
        self,
        request: RequestBuilder,
        times: int | None = None,
        *,
        at_least: int | None = None,
        at_most: int | None = None,
    ) -> list[ReceivedRequest]:
        """Assert how many requests matched `request` (default: at least one); returns them."""
        if times is None and at_least is None and at_most is None:
            at_least = 1
        found = self.requests(request)
        count = len(found)
        ok = (times is None or count == times) and (at_least is None or count >= at_least)
        ok = ok and (at_most is None or count <= at_most)
        if not ok:
            raise VerificationError(self._verify_message(request, times, at_least, at_most, count))
        return found

    def _verify_message(
        self,
        request: RequestBuilder,
        times: int | None,
        low: int | None,
        high: int | None,
        count: int,
    ) -> str:
        wanted = f"exactly {times}" if times is not None else " and ".join(
            part for part in (f"at least {low}" if low is not None else "",
                              f"at most {high}" if high is not None else "") if part
        )  # fmt: skip
        lines = [f"expected {wanted} request(s) matching {request.to_json()}, found {count}."]
        events = self._on_loop(self.engine.journal.events)
        dropped = self.engine.journal.dropped
        if dropped.count:
            lines.append(f"Note: {dropped.describe()}; the count above may miss them.")
        lines.append(f"The journal holds {len(events)} request(s):")
        lines += [f"  {e.request.method} {e.request.url}" for e in events[-20:]]
        if events and count == 0:
            stub = StubMapping({"request": request.to_json()})
            closest = closest_requests(stub.request, events, 1)[0][0]
            lines.append("Closest request, field by field:")
            lines.append(diff_report(closest.request, stub))
        return "\n".join(lines)


class StubBuilder:
    """What `mock.stub(request)` returns: set options, then `.reply(...)` or `.fault(...)`."""

    def __init__(self, server: MockServer, request: RequestBuilder) -> None:
        self._server = server
        self._spec: dict[str, Any] = {"request": request.to_json()}

    def named(self, name: str) -> StubBuilder:
        """Give the stub a name (shown in near-miss reports and `Matched-Stub-Name`)."""
        self._spec["name"] = name
        return self

    def with_priority(self, priority: int) -> StubBuilder:
        """Try this stub before those with a larger number (1 is first; WireMock's default is 5)."""
        self._spec["priority"] = priority
        return self

    def with_metadata(self, metadata: dict[str, Any]) -> StubBuilder:
        """Attach `metadata` to the stub (kept, returned by the admin API)."""
        self._spec["metadata"] = metadata
        return self

    def in_scenario(
        self, name: str, *, when: str | None = None, then: str | None = None
    ) -> StubBuilder:
        """Only when scenario `name` is in state `when`; moves it to `then` when served."""
        self._spec["scenarioName"] = name
        if when is not None:
            self._spec["requiredScenarioState"] = when
        if then is not None:
            self._spec["newScenarioState"] = then
        return self

    def reply(self, status: int = 200, **options: Any) -> StubMapping:
        """Answer with `status`; options: json, body, headers, file, delay_ms, template,
        status_message, dribble=(chunks, total_ms)."""
        self._spec["response"] = response_json(status, **options)
        return self._server.add_mapping(self._spec)

    def fault(self, kind: str) -> StubMapping:
        """One of CONNECTION_RESET_BY_PEER, EMPTY_RESPONSE, MALFORMED_RESPONSE_CHUNK,
        RANDOM_DATA_THEN_CLOSE."""
        self._spec["response"] = {"fault": kind}
        return self._server.add_mapping(self._spec)

    def respond_with(self, response: dict[str, Any]) -> StubMapping:
        """Answer with a response in WireMock's JSON form."""
        self._spec["response"] = response
        return self._server.add_mapping(self._spec)


def _on_thread_of(loop: LoopThread) -> bool:
    try:
        return asyncio.get_running_loop() is loop.loop
    except RuntimeError:
        return False
