"""`System`: the declared services, started for real and stopped with nothing left behind."""

from __future__ import annotations

import atexit
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from seamline.config import SystemConfig, load_config
from seamline.config.templates import render as render_template
from seamline.errors import SeamlineError, StartError
from seamline.records.layout import JOURNAL
from seamline.records.lines import RunInfo
from seamline.records.run import TestLog, now_iso, write_run_json
from seamline.runtime import rundir, signals, watchdog
from seamline.runtime.procs import ProcessTracker, kill_run
from seamline.seams.journal import Journal
from seamline.seams.manager import Seams
from seamline.seams.view import SeamView
from seamline.services.base import AnyService, Render, RunContext
from seamline.services.registry import create_service
from seamline.system import lifecycle
from seamline.system.controls import ServiceControls
from seamline.system.documents import check_documents
from seamline.system.messaging import MessageLinks
from seamline.system.watch import ServiceWatch
from seamline.system.wiring import ServiceValues, StubServers, http_upstreams, make_seams
from seamline.version import __version__

if TYPE_CHECKING:
    import httpx

    from seamline.db import Database
    from seamline.db.registry import Databases
    from seamline.http.loop import LoopThread
    from seamline.mock.server import MockServer


class System(ServiceControls, MessageLinks):
    """A declared system: `with System.from_config("seamline.toml") as system: ...`."""

    def __init__(
        self,
        config: SystemConfig,
        *,
        worker: str | None = None,
        run_root: Path | None = None,
        record_root: Path | None = None,
        session: str | None = None,
    ) -> None:
        self._config = config
        self._worker = worker
        # runs of one test session (xdist workers) share it; defaults to the run id
        self._session = session
        self._run_root = run_root or config.spec.run_root or rundir.default_run_root()
        self._record_root = record_root or rundir.default_record_root(config)
        self._services: dict[str, AnyService] = {}
        self._timings: dict[str, lifecycle.Timing] = {}
        self._dirs: rundir.RunDirs | None = None
        self._record_dir: Path | None = None
        self._started: list[str] = []
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._holds_sigterm = False
        self._loop: LoopThread | None = None
        self._loop_lock = threading.RLock()
        self._clients: dict[str, httpx.Client] = {}
        self._extra_clients: list[httpx.Client] = []
        self._tests: TestLog | None = None
        self._journal: Journal | None = None
        self._seams: Seams | None = None
        self._stubs = StubServers(config, self._shared_loop, lambda: self.current_test)
        self._started_at = ""
        self._needs = {name: config.needs(name) for name in config.spec.services}
        self._watch = ServiceWatch({}, lambda: None)
        self._databases: Databases | None = None

    @classmethod
    def from_config(
        cls, path: Path | str = ".", *, profile: str | None = None, **options: Any
    ) -> System:
        """The System declared by the config at `path` (a directory or a file), not started
        yet; a `ConfigError` names every problem in the file."""
        return cls(load_config(path, profile), **options)

    @property
    def config(self) -> SystemConfig:
        """The loaded config: services, links, start waves."""
        return self._config

    # -- lifecycle ---------------------------------------------------------

    def start(self, on_ready: Callable[[str], None] | None = None) -> System:
        """Start every service in dependency order, independent ones in parallel, each
        behind its seams; returns once all are ready (`on_ready(name)` as each one is).

        A service that fails to start raises `StartError` naming it, with its log's last
        lines; whatever had started is stopped first.
        """
        if self._dirs is not None:
            raise SeamlineError("this System is already started; stop() it first")
        check_documents(self._config)  # an invalid document stops the run before anything starts
        rundir.reap_stale_runs(self._run_root)
        self._dirs = rundir.create_run(self._run_root, self._record_root, self._worker)
        self._record_dir = self._dirs.record_dir
        self._watchdog = watchdog.spawn(self._dirs)
        self._tests = TestLog(self._dirs.record_dir)
        self._journal = Journal(
            self._dirs.record_dir / JOURNAL, self._config.spec.seams.journal_in_memory
        )
        self._started_at = now_iso()
        atexit.register(self.stop)
        # SIGTERM now cleans up as Ctrl-C does (stop() gives the default back)
        self._holds_sigterm = signals.hold_sigterm()
        tracker = ProcessTracker(self._dirs.run_dir, self._dirs.run_id)
        ctx = RunContext(self._config, self._dirs, tracker, self._shared_loop)
        try:
            self._services = {
                name: create_service(name, spec, ctx)
                for name, spec in self._config.spec.services.items()
            }
            self._watch = ServiceWatch(self._services, lambda: self.current_test)
            tracker.on_exit = self._watch.exited
            for service in self._services.values():
                service.allocate()
            self._seams = self._make_seams(self._journal)
            self._seams.hold_until_ready(self._services)  # before any seam is opened
            self._open_link_seams(self._seams)
            self._started, self._timings = lifecycle.start_all(
                self._services,
                lifecycle.StartOrder.of(self._config, self._seams, self._needs),
                self._renderer,
                lambda name: self._config.spec.services[name].ready_timeout,
                ctx.cancelled,
                # helpers (initdb, copies) and half-started services go at once
                lambda: kill_run(tracker.run_id, tracker.entries(), grace=1.0),
                lifecycle.StartHooks.opening(self._seams, on_ready),
            )
        except lifecycle.StartFailed as failed:
            self._started = failed.started
            self.stop(failed=True)
            raise failed.error from None
        except BaseException:
            self._started = list(self._services)
            self.stop(failed=True)
            raise
        write_run_json(self._dirs.record_dir, self._describe())
        return self

    def _make_seams(self, journal: Journal) -> Seams:
        """The seams, with their providers' contracts; no proxy open yet."""
        return make_seams(
            self._config,
            self._services,
            self._shared_loop(),
            journal,
            lambda: self.current_test,
            self._stubs,
        )

    def _open_link_seams(self, seams: Seams) -> None:
        """A proxy on every declared link, opened before any service starts, so that filling
        in templates only reads addresses. The System owns `seams` already: when one link
        fails (a replayed seam without a recording), stop() closes those opened before it."""
        for link in self._config.links:
            if seams.carries(link.provider):
                seams.proxy(link.consumer, link.provider)

    def stop(self, failed: bool = False) -> None:
        """Stop everything this System started. Safe to call more than once."""
        if self._dirs is None:
            return
        atexit.unregister(self.stop)
        if self._databases is not None:  # its connections go before the servers do
            self._databases.close()
            self._databases = None
        for client in [*self._clients.values(), *self._extra_clients]:
            client.close()
        self._clients.clear()
        self._extra_clients.clear()
        errors = lifecycle.stop_all(self._services, self._started, self._needs)
        self._started = []
        info = self._describe()
        if self._seams is not None:
            self._seams.close()
            self._seams = None
        elif self._journal is not None:
            self._journal.close()
        self._stubs.close()
        if self._loop is not None:
            self._loop.stop()
            self._loop = None
        rundir.remove_run_dir(self._dirs.run_dir)
        if self._watchdog is not None:
            watchdog.release(self._watchdog)
            self._watchdog = None
        write_run_json(self._dirs.record_dir, {**info, "ended": now_iso()})
        if self._tests is not None:
            self._tests.close()
        rundir.prune_records(self._record_root, self._config.spec.keep_runs)
        self._dirs = None
        if self._holds_sigterm:
            signals.release_sigterm()
            self._holds_sigterm = False
        if errors and not failed:
            raise SeamlineError("errors while stopping: " + "; ".join(map(str, errors)))

    def __enter__(self) -> System:
        return self.start() if self._dirs is None else self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop(failed=exc is not None)

    def _shared_loop(self) -> LoopThread:
        """The run's asyncio loop thread (stub servers, seam proxies), started on first use."""
        from seamline.http.loop import LoopThread

        with self._loop_lock:
            if self._loop is None:
                self._loop = LoopThread(f"seamline-loop-{self._config.name}")
            return self._loop

    def _describe(self) -> RunInfo:
        """The system as `run.json` records it: services, seams, how each runs."""
        return {
            "system": self._config.name,
            "config": str(self._config.path),
            "profile": self._config.profile,
            "run_id": self._dirs.run_id if self._dirs else None,
            "worker": self._worker,
            "session": self._session or (self._dirs.run_id if self._dirs else None),
            "started": self._started_at,
            "seamline": __version__,
            "services": {
                name: {
                    "kind": service.kind,
                    "url": service.url,
                    "runs": service.describe(),
                    "version": service.version(),
                    "ready_s": self._ready_s(name),
                }
                for name, service in self._services.items()
            },
            "seams": [
                {"consumer": link.consumer, "provider": link.provider, "variable": link.variable}
                for link in self._config.links
            ],
            "message_seams": [
                {"consumer": link.consumer, "provider": link.provider, "variable": link.variable}
                for link in self._config.message_links
            ],
            "seams_used": self._seams.names() if self._seams is not None else [],
        }

    def _ready_s(self, name: str) -> float | None:
        """Seconds from `name`'s start to its readiness, once it was ready."""
        timing = self._timings.get(name)
        return timing.ready - timing.started if timing and timing.ready else None

    # -- tests -------------------------------------------------------------

    @property
    def current_test(self) -> str | None:
        """The id of the pytest test running now (set by the plugin), if any."""
        return self._tests.current if self._tests else None

    # -- templates ---------------------------------------------------------

    def _values_for(self, consumer: str) -> dict[str, ServiceValues]:
        """What `{name.attr}` means for `consumer`: `url` is the seam into `name`."""
        return {
            name: ServiceValues(consumer, service, self.seams)
            for name, service in self._services.items()
        }

    # -- seams -------------------------------------------------------------------------

    @property
    def seams(self) -> Seams:
        """Every seam of the running system: `system.seams.sequence()` is the current test's
        exchanges across all of them, in order."""
        if self._seams is None:
            raise SeamlineError("the System is not started")
        return self._seams

    def seam(self, consumer: str, provider: str | None = None) -> SeamView:
        """`system.seam("api", "payments")` (or `"api -> payments"`): what crossed it."""
        return self.seams.view(consumer, provider)

    def _renderer(self, name: str) -> Render:
        assert self._dirs is not None
        values = self._values_for(name)
        run = {"run_dir": str(self._dirs.run_dir)}
        return lambda template: render_template(template, name, values, run)

    # -- the test's view ---------------------------------------------------

    def url(self, name: str) -> str:
        """The address the test uses for `name`: the `test -> name` seam for HTTP services
        and brokers."""
        service = self.service(name)
        if name in http_upstreams({name: service}):
            return self.seams.url("test", name)
        if name in self._broker_seams():  # the test's own client crosses a seam too
            return self._values_for("test")[name]["url"]
        if service.url is None:
            raise SeamlineError(f"service {name!r} has no url")
        return service.url

    def direct_url(self, name: str) -> str:
        """The service's own address, bypassing every seam."""
        url = self.service(name).url
        if url is None:
            raise SeamlineError(f"service {name!r} has no url")
        return url

    def browser_url(self, name: str) -> str:
        """The address a browser should use for `name`: the `browser -> name` seam."""
        self.service(name)
        return self.seams.url("browser", name)

    def env(self, name: str) -> dict[str, str]:
        """The environment variables seamline handed `name` (templates rendered)."""
        return self.service(name).env

    def logs(self, name: str) -> str:
        """Everything `name` wrote to stdout and stderr so far, one timestamped line each (a
        line a service writes after answering may come after its answer: `eventually`)."""
        return self.service(name).logs()

    def client(self, name: str, **options: Any) -> httpx.Client:
        """An `httpx.Client` on the `test -> name` seam, closed when the System stops.

        Without options the same client is returned each time; with options (timeout=,
        headers=, ...) a new one is made.
        """
        import httpx  # only tests use it: `seamline run` does not pay for its import

        url = self.url(name)
        if not url.startswith(("http://", "https://")):  # a broker or a database: no HTTP
            kind = self.service(name).kind
            raise SeamlineError(
                f"system.client({name!r}): expected an HTTP service, found a {kind} service "
                f"at {url}; connect a {kind} client to system.url({name!r}) instead"
            )
        if not options:
            if name not in self._clients:
                self._clients[name] = httpx.Client(base_url=url, timeout=30.0)
            return self._clients[name]
        client = httpx.Client(base_url=url, **options)
        self._extra_clients.append(client)
        return client

    def db(self, name: str | None = None) -> Database:
        """The database service `name` (default: the only one), for data assertions."""
        return self.databases.get(name)

    def mock(self, name: str) -> MockServer:
        """The stub server of the `kind = "mock"` service `name`, with the `mock` fixture's
        API (`stub`, `verify`, `requests`, scenarios); reset after each test."""
        self.service(name)  # an unknown name fails with the declared ones
        from seamline.services.mock import mock_server  # the stub engine, only if used

        return mock_server(self._services, name)

    @property
    def databases(self) -> Databases:
        """Every database service, attached (capture installed) on first use."""
        from seamline.db.registry import Databases

        if self._dirs is None:
            raise SeamlineError("the System is not started")
        if self._databases is None:
            self._databases = Databases(
                self._services, self._config.spec, self._dirs.run_dir, self._dirs.record_dir
            )
        return self._databases

    @property
    def run_dir(self) -> Path:
        """This run's scratch dir (services' data); removed when the System stops."""
        if self._dirs is None:
            raise SeamlineError("the System is not started")
        return self._dirs.run_dir

    @property
    def record_dir(self) -> Path:
        """This run's records (logs, journal, tests); they outlive the run."""
        if self._record_dir is None:
            raise SeamlineError("the System was never started")
        return self._record_dir


__all__ = ["StartError", "System"]
