"""`StubEngine`: the state of one stub server and how it answers a request.

It plugs into `HttpServer` as both handlers: `fast` answers on the spot when the
body is complete and no delay is due (match, record, reply with a response built
once per stub); `handle` covers the rest (bodies still arriving, delays). The
decision made in `fast` is kept on the request so `handle` never matches twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any, cast

from seamline.http.message import Reply, Request, Response
from seamline.mock import cors
from seamline.mock.admin import AdminApi
from seamline.mock.errors import InvalidMapping, LoadProblem
from seamline.mock.incoming import ReceivedRequest
from seamline.mock.journal import DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, RequestLog, ServeEvent
from seamline.mock.loader import files_dir, load_directory
from seamline.mock.mapping import StubMapping
from seamline.mock.nearmiss import not_found_body
from seamline.mock.proxying import Forwarder
from seamline.mock.recordings import Recordings
from seamline.mock.response_def import sample_delay
from seamline.mock.stubs import StubStore
from seamline.mock.webhooks import WebhookSender

log = logging.getLogger("seamline.mock")

_DECISION = "seamline.mock.decision"
_TEXT = [("Content-Type", "text/plain; charset=utf-8")]
_NOT_FOUND_TYPE = [("Content-Type", "text/plain;charset=UTF-8")]  # as WireMock's Jetty writes it


class StubEngine:
    def __init__(
        self,
        *,
        root_dir: Path | None = None,
        journal_limit: int | None = DEFAULT_MAX_ENTRIES,
        journal_bytes: int | None = DEFAULT_MAX_BYTES,
        global_templating: bool = False,
        verbose: bool = False,
        stub_cors: bool = False,
    ) -> None:
        self.root_dir = root_dir
        self.files = files_dir(root_dir) if root_dir is not None else None
        self.stubs = StubStore()
        self.journal = RequestLog(journal_limit, journal_bytes)
        self.global_templating = global_templating
        self.verbose = verbose
        self.stub_cors = stub_cors
        self.settings: dict[str, Any] = {}
        self.base_url = ""
        self.started_at = time.time()
        self.load_problems: list[LoadProblem] = []
        self._static: dict[str, Response] = {}
        self.admin = AdminApi(self)
        self.forwarder = Forwarder()
        self.webhooks = WebhookSender(self.files)
        self.recordings = Recordings(self)
        self.recordings.install(self.admin)
        self.forwarder.observers.append(self.recordings.observe)
        if root_dir is not None:
            self.reload()

    # -- state ------------------------------------------------------------------------

    def reload(self) -> list[LoadProblem]:
        """Drop every stub and load the ones in `root_dir` again."""
        self.stubs.clear()
        self._static.clear()
        if self.root_dir is None:
            self.load_problems = []
            return []
        loaded, problems = load_directory(self.root_dir)
        for stub in loaded:
            self.add(stub)
        self.load_problems = problems
        return problems

    def add(self, stub: StubMapping) -> StubMapping:
        self._static.pop(stub.id, None)
        return self.stubs.add(stub)

    def remove(self, stub_id: str) -> StubMapping | None:
        self._static.pop(stub_id, None)
        return self.stubs.remove(stub_id)

    def clear(self) -> None:
        self.stubs.clear()
        self._static.clear()

    def reset(self) -> None:
        """What `/__admin/reset` does: file mappings back, journal and scenarios cleared."""
        self.reload()
        self.journal.clear()
        self.stubs.scenarios.reset()

    # -- serving ------------------------------------------------------------------------

    def receive(self, request: Request, body: bytes) -> ReceivedRequest:
        return ReceivedRequest(
            request.method,
            request.target,
            request.headers,
            body,
            client_ip=request.client[0],
            base_url=self.base_url,
        )

    def fast(self, request: Request) -> Reply | None:
        received = self.receive(request, request.body_now())
        if received.path.startswith("/__admin"):
            return self.admin.handle(received)
        cors_on = self.stub_cors and "origin" in received.headers
        if cors_on and cors.is_preflight(received):
            return cors.preflight(received)
        stub, event = self._match(received)
        reply: Reply
        if stub is None:
            reply = self._not_found(received)
            if cors_on:
                reply = cors.add_headers(reply, received, matched=False)
        else:
            cached = None if cors_on or self.settings else self._static.get(stub.id)
            if cached is not None:
                reply = cached
            else:
                delay = self._delay_ms(stub)
                if delay > 0 or stub.response.proxy is not None:
                    request.extras[_DECISION] = (received, stub, delay, event)
                    return None
                reply = self._reply(received, stub, cors_on)
        if event is not None:
            self.journal.answered(event, reply)
        return reply

    async def handle(self, request: Request) -> Reply:
        decision = request.extras.get(_DECISION)
        if decision is None:
            reply = self.fast(self.receive_later(request, await request.body()))
            if reply is not None:
                return reply
            decision = request.extras[_DECISION]
        received, stub, delay, event = cast(
            tuple[ReceivedRequest, StubMapping, float, ServeEvent | None], decision
        )
        if delay > 0:
            await asyncio.sleep(delay / 1000)
        cors_on = self.stub_cors and "origin" in received.headers
        proxy = stub.response.proxy
        if proxy is None:
            reply = self._reply(received, stub, cors_on)
        else:
            extra = stub.response.headers + stub.extra_headers
            reply = await self.forwarder.forward(received, proxy, extra)
            if stub.webhooks:
                self.webhooks.fire(received, stub.webhooks)
            if cors_on:
                reply = cors.add_headers(reply, received, matched=True)
        if event is not None:
            self.journal.answered(event, reply)
        return reply

    @staticmethod
    def receive_later(request: Request, body: bytes) -> Request:
        """The same request once its streamed body has fully arrived."""
        copy = Request(
            request.method,
            request.target,
            request.headers,
            http_version=request.http_version,
            keep_alive=request.keep_alive,
            client=request.client,
            body=body,
        )
        copy.extras = request.extras
        return copy

    def _match(self, received: ReceivedRequest) -> tuple[StubMapping | None, ServeEvent | None]:
        stub = self.stubs.find(received)
        event = self.journal.record(received, stub)
        if self.verbose:
            outcome = f"matched {stub.label()}" if stub else "unmatched"
            log.warning("%s %s -> %s", received.method, received.url, outcome)
        return stub, event

    def _reply(self, received: ReceivedRequest, stub: StubMapping, cors_on: bool) -> Reply:
        """The stub's reply; with `--enable-stub-cors` and an Origin, its CORS headers."""
        reply = self._respond(received, stub)
        return cors.add_headers(reply, received, matched=True) if cors_on else reply

    def _delay_ms(self, stub: StubMapping) -> float:
        """A stub's own delay wins over the global one (`/__admin/settings`), each part
        (fixed, distribution) on its own, as WireMock decides."""
        response = stub.response
        if not self.settings:
            return response.delay_ms()
        fixed = response.fixed_delay or float(self.settings.get("fixedDelay") or 0)
        distribution = response.distribution or self.settings.get("delayDistribution")
        return fixed + sample_delay(distribution)

    def _build(self, received: ReceivedRequest, stub: StubMapping) -> Reply:
        try:
            return stub.response.build(received, stub.extra_headers, self.global_templating)
        except InvalidMapping as exc:  # a template helper refused its arguments
            text = f"stub {stub.label()!r} ({stub.id}) could not render its response: {exc}\n"
            return Response(500, _TEXT, text.encode("utf-8"))

    def _respond(self, received: ReceivedRequest, stub: StubMapping) -> Reply:
        reply = self._build(received, stub)
        if stub.webhooks:
            self.webhooks.fire(received, stub.webhooks)
        elif stub.response.static and not self.global_templating and isinstance(reply, Response):
            reply.reusable = True
            self._static[stub.id] = reply
        return reply

    async def close(self) -> None:
        """Close the upstream connections of proxy stubs and cancel pending webhooks."""
        await self.forwarder.close()
        await self.webhooks.close()

    def _not_found(self, received: ReceivedRequest) -> Response:
        body = not_found_body(received, self.stubs.ordered())
        return Response(404, _NOT_FOUND_TYPE, body.encode("utf-8"))
