"""`kind = "mock"`: a WireMock-compatible stub server that starts with the system.

    [services.payments]
    kind = "mock"
    mappings = "stubs/payments"     # a WireMock root (mappings/, __files/) or a dir of JSON
    port = 0                        # 0: a free port
    https = true                    # also HTTPS: {payments.https_url}, CA in {payments.ca}

It runs on the run's shared event loop, inside the runner's process. Mappings that
do not load are written to the service's log with file, JSON path and reason; the
rest still serve. Tests reach the server as `system.mock(name)` (a `MockServer`: the
`mock` fixture's API); after each test it is back to its file mappings, with no requests
and every scenario in its first state.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from seamline.config.model import MockSpec
from seamline.errors import SeamlineError, StartError
from seamline.mock.server import MockServer
from seamline.mock.tls import TlsFiles
from seamline.runtime.ports import LOOPBACK, free_port
from seamline.services.base import AnyService, Render, Service, loopback_http_attributes


class MockService(Service[MockSpec]):
    kind = "mock"

    port: int = 0
    https_port: int = 0
    tls: TlsFiles | None = None
    server: MockServer | None = None
    # the stubs it served, still said by run.json's final version, written after the stop
    _stub_count: int = 0

    def allocate(self) -> None:
        self.port = self.spec.port or free_port()
        if self.spec.https:
            self.https_port = self.spec.https_port or free_port()
            # made now, not at start: services started before this one may be handed {x.ca}
            self.tls = TlsFiles.generate(self.ctx.dirs.service_dir(self.name) / "tls")

    def attributes(self) -> dict[str, str]:
        values = loopback_http_attributes(self.name, self.port)
        if self.tls is not None and self.tls.ca is not None:
            values["https_url"] = f"https://127.0.0.1:{self.https_port}"
            values["https_port"] = str(self.https_port)
            values["ca"] = str(self.tls.ca)
        return values

    def start(self, render: Render) -> None:
        if not self.port:
            self.allocate()
        root = None
        if self.spec.mappings is not None:
            root = self.ctx.config.resolve(render(str(self.spec.mappings)))
            if not root.is_dir():
                raise StartError(
                    self.name,
                    f"mappings = {str(self.spec.mappings)!r} resolves to {root}, which is not a "
                    "directory; point it at a WireMock root (with mappings/) or a folder of "
                    "JSON mappings",
                )
        server = MockServer(
            host=LOOPBACK,
            port=self.port,
            root_dir=root,
            loop=self.ctx.loop(),
            https_port=self.https_port if self.tls is not None else None,
            tls=self.tls,
        )
        try:
            server.start()
        except OSError as exc:
            raise StartError(self.name, f"cannot listen on {LOOPBACK}:{self.port}: {exc}") from exc
        self.server = server
        self._log_start(server)

    def _log_start(self, server: MockServer) -> None:
        path = self.ctx.log_path(self.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        lines = [f"skipped mapping: {p.render()}" for p in server.load_problems]
        lines.append(f"{len(server.mappings())} stub mapping(s) loaded; listening on {server.url}")
        if server.https_url is not None:
            lines.append(f"HTTPS on {server.https_url}; CA: {server.ca_path}")
        with path.open("a", encoding="utf-8") as log:
            log.writelines(f"{stamp} {line}\n" for line in lines)

    def reset_after_test(self) -> None:
        """Stubs a test added removed, file mappings kept, requests and scenarios cleared."""
        if self.server is not None:
            self.server.reset()

    def wait_ready(self, timeout: float) -> None:
        """The server listens once `start()` returns; nothing more to wait for."""
        if self.server is None:
            raise StartError(self.name, "wait_ready() called before start()")

    def stop(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            self._stub_count = len(server.mappings())
            server.stop()

    def version(self) -> str | None:
        from seamline.version import __version__

        return f"seamline mock {__version__}"

    def describe(self) -> str:
        count = len(self.server.mappings()) if self.server is not None else self._stub_count
        return f"mock (WireMock-compatible, {count} stubs)"


_NO_MOCKS = 'none (declare one with kind = "mock")'


def mock_server(services: Mapping[str, AnyService], name: str) -> MockServer:
    """The running stub server of the `kind = "mock"` service `name`."""
    service = services[name]
    if not isinstance(service, MockService):
        mocks = ", ".join(n for n, s in services.items() if isinstance(s, MockService))
        raise SeamlineError(
            f"system.mock({name!r}): {name!r} is a {service.kind} service, not a mock one; "
            f"the mock services are: {mocks or _NO_MOCKS}"
        )
    if service.server is None:
        raise SeamlineError(
            f"system.mock({name!r}): the mock service is stopped; "
            f"start it with system.start_service({name!r})"
        )
    return service.server
