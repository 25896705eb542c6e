"""The test's handle on one seam: what crossed it, and switching its route."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from seamline.errors import SeamlineError
from seamline.records.exchange import Exchange
from seamline.seams.assertions import Calls, query
from seamline.seams.modes import Fault, Route

if TYPE_CHECKING:
    from seamline.seams.manager import Seams
    from seamline.seams.proxy import SeamProxy


class SeamView:
    """`system.seam("api", "payments")`: what crossed one seam, and its mode."""

    def __init__(self, seams: Seams, proxy: SeamProxy) -> None:
        self._seams = seams
        self._proxy = proxy
        self.name, self.consumer, self.provider = proxy.name, proxy.consumer, proxy.provider

    @property
    def url(self) -> str:
        """The seam proxy's address (what the consumer is handed instead of the provider's)."""
        return self._proxy.url

    # -- assertions ------------------------------------------------------------------------

    def exchanges(self, *, all_tests: bool = False) -> list[Exchange]:
        """The exchanges on this seam in the current test (every test's with `all_tests=True`), in
        order."""
        self._seams.settle()
        test = None if all_tests else self._seams._current_test()
        return self._seams.journal.select(seam=self.name, test=test)

    def calls(
        self,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        *,
        all_tests: bool = False,
    ) -> Calls[Exchange]:
        """The exchanges on this seam matching `method`, `path` (exact or a `{param}` template) and
        `status`, as `Calls` to assert on: `.one()`, `.none()`, `.count`, `.first`. Only the current
        test's unless `all_tests=True`."""
        where = self.name + ("" if all_tests else " in this test")
        return query(self.exchanges(all_tests=all_tests), where, method, path, status)

    @property
    def count(self) -> int:
        """How many exchanges crossed this seam in the current test."""
        return len(self.exchanges())

    def one(self, method: str | None = None, path: str | None = None) -> Exchange:
        """The only exchange matching `method` and `path` in the current test; fails listing what
        crossed if there were none or several."""
        return self.calls(method, path).one()

    def none(self, method: str | None = None, path: str | None = None) -> None:
        """Pass when no exchange matching `method` and `path` crossed in the current test; else fail
        listing them."""
        self.calls(method, path).none()

    # -- switching -------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        """Where requests go now: "real", "stub", "real+fault" or "stub+fault"."""
        return self._proxy.route.label

    def use_real(self) -> SeamView:
        """Send requests to the real provider again, with no fault."""
        return self._switch(Route("real", self._proxy.real_upstream))

    def use_stub(self, stub: Any = None) -> SeamView:
        """Send requests to `stub` (a MockServer, anything with a `url`, or a URL); without
        one, to a stub server loaded from the provider's `stubs` mappings."""
        url = self._seams._stub_for(self.provider) if stub is None else getattr(stub, "url", stub)
        if not isinstance(url, str) or not url.startswith("http://"):
            raise SeamlineError(
                f"use_stub: expected a MockServer or an http:// URL, found {stub!r}"
            )
        return self._switch(Route("stub", url.rstrip("/")))

    def fault(
        self,
        *,
        latency_ms: float = 0.0,
        status: int | None = None,
        body: str = "",
        reset: bool = False,
        timeout: bool = False,
        drop_after_bytes: int | None = None,
        rate: float = 1.0,
    ) -> SeamView:
        """Inject a fault on top of the current route (real or stub)."""
        fault = Fault(latency_ms, status, body, reset, timeout, drop_after_bytes, rate)
        route = self._proxy.route
        return self._switch(Route(route.kind, route.upstream, fault))

    def use_replay(self) -> SeamView:
        """Answer from the seam's recording (`recordings/<consumer>__<provider>/`, made by
        `seamline record`) through the stub engine. A request with no recorded answer gets a
        404 and fails the test, naming the closest recorded requests. A missing, outdated or
        invalid recording raises NoRecording, RecordingOutdated or InvalidRecording now."""
        url = self._seams.replay_url(self.consumer, self.provider)
        return self._switch(Route("replay", url))

    def use_record_missing(self) -> SeamView:
        """Replay, but forward what is not recorded to the real provider and add it to the
        recording when the system stops."""
        url = self._seams.replay_url(self.consumer, self.provider, missing=True)
        return self._switch(Route("replay", url))

    def set_mode(
        self, mode: Literal["real", "stub", "replay", "record-missing"] | Fault | Any
    ) -> SeamView:
        """Switch by the `seams` marker's forms: "real", "stub", "replay", "record-missing", a
        `Fault`, a dict of fault settings, or a stub (a MockServer or a URL)."""
        if mode == "real":
            return self.use_real()
        if mode == "stub":
            return self.use_stub()
        if mode == "replay":
            return self.use_replay()
        if mode == "record-missing":
            return self.use_record_missing()
        if isinstance(mode, Fault):
            route = self._proxy.route
            return self._switch(Route(route.kind, route.upstream, mode))
        if isinstance(mode, dict):
            return self.fault(**mode)
        return self.use_stub(mode)

    def _switch(self, route: Route) -> SeamView:
        self._seams._loop.run(self._proxy.switch(route))
        return self

    def __repr__(self) -> str:
        return f"<seam {self.name} ({self.mode})>"
