"""What every service kind provides to the System."""

from __future__ import annotations

import os
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Generic, TypeAlias, TypeVar

from seamline.config import SystemConfig
from seamline.config.model import BaseServiceSpec, Kind
from seamline.errors import StartError
from seamline.runtime.listeners import listeners
from seamline.runtime.procs import ManagedProcess, ProcessTracker
from seamline.runtime.rundir import RunDirs

if TYPE_CHECKING:
    from seamline.http.loop import LoopThread

Render = Callable[[str], str]
# The config model of a service's kind (ProcessSpec, PostgresSpec, ...). Covariant: a
# Service[PostgresSpec] is a Service[BaseServiceSpec], whose `spec` is read-only.
SpecT_co = TypeVar("SpecT_co", bound=BaseServiceSpec, covariant=True)


def service_base_env() -> dict[str, str]:
    """seamline's own environment, with its Python's bin dir first on PATH, as an
    activated virtualenv would have it: `python -m app` in a command means the
    Python seamline runs in, whether or not the venv was activated."""
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    parts = env.get("PATH", "").split(os.pathsep)
    if parts[:1] != [bindir]:
        env["PATH"] = os.pathsep.join([bindir, *(p for p in parts if p)])
    return env


def loopback_http_attributes(name: str, port: int) -> dict[str, str]:
    """The template attributes of an HTTP service on a loopback port."""
    url = f"http://127.0.0.1:{port}"
    return {"url": url, "direct_url": url, "host": "127.0.0.1", "port": str(port), "name": name}


def ensure_port_free(service: str, port: int) -> None:
    """A fixed `port` must be free before the service starts: otherwise it fails to bind
    and its readiness probe would talk to whatever holds the port."""
    holders = listeners(port)
    if holders:
        raise StartError(
            service,
            f"port {port} (services.{service}.port) is already in use by "
            f"{holders[0].describe()}. Stop that program, or remove `port` from "
            f"[services.{service}] so seamline picks a free one",
        )


@dataclass
class RunContext:
    """What a service needs from the run it belongs to."""

    config: SystemConfig
    dirs: RunDirs
    tracker: ProcessTracker
    loop: Callable[[], LoopThread]  # the run's shared asyncio loop thread, started on first use
    base_env: dict[str, str] = field(default_factory=service_base_env)
    # set when the start is abandoned (Ctrl-C, SIGTERM, another service failed):
    # every readiness wait ends at once instead of waiting out its ready_timeout
    cancelled: threading.Event = field(default_factory=threading.Event)

    def log_path(self, service: str) -> Path:
        return self.dirs.logs / f"{service}.log"


class Service(ABC, Generic[SpecT_co]):
    """One component of the system. Lifecycle: allocate -> start -> wait_ready -> stop."""

    kind: ClassVar[Kind]
    process: ManagedProcess | None = None  # the service's own process, for kinds that run one

    def __init__(self, name: str, spec: SpecT_co, ctx: RunContext) -> None:
        self.name = name
        self._spec = spec
        self.ctx = ctx

    @property
    def spec(self) -> SpecT_co:
        """The service's table in the config, as its kind's model validated it."""
        return self._spec

    @property
    def env(self) -> dict[str, str]:
        """The environment seamline handed the service (templates rendered); kinds that
        run no command of the user's have none."""
        return {}

    def allocate(self) -> None:
        """Reserve ports and paths, so `attributes()` is complete before anything starts."""

    def launch_own_process(self, argv: list[str], cwd: Path) -> None:
        """Run `argv` as the service's own process: the run's environment and markers, its
        output on the service's log."""
        self.process = ManagedProcess(
            self.name,
            argv,
            env=self.ctx.base_env,
            cwd=cwd,
            log_path=self.ctx.log_path(self.name),
            tracker=self.ctx.tracker,
        )

    def stop_own_process(self, grace: float) -> None:
        """Stop the service's own process (SIGTERM, SIGKILL after `grace` s); safe twice."""
        if self.process is not None:
            self.process.stop(grace)
            self.process = None

    def wait_for_own_process(self, timeout: float, answers: Callable[[], bool], what: str) -> None:
        """Wait until `answers()` while the service's own process runs (Ctrl-C and a failed
        sibling end the wait at once); else a StartError saying `what` did not happen, with
        the process's exit code and its log's tail."""
        from seamline.runtime.readiness import NotReady, backoff

        process = self.process
        if process is None:
            raise StartError(self.name, "wait_ready() before start()")
        try:
            ok = backoff(
                time.monotonic() + timeout,
                answers,
                lambda: process.exit_code() is None,
                self.ctx.cancelled,
            )
        except NotReady:
            ok = False
        if not ok:
            process.log.join(1.0)
            raise StartError(
                self.name,
                what,
                exit_code=process.exit_code(),
                log_path=process.log.path,
                log_tail=process.log.tail(30),
            )

    @abstractmethod
    def attributes(self) -> dict[str, str]:
        """The values `{name.attr}` templates may use (the real, direct address)."""

    @abstractmethod
    def start(self, render: Render) -> None:
        """Start the service (return once launched; readiness is separate)."""

    def wait_ready(self, timeout: float) -> None:
        """Block until the service answers its readiness probe; raise StartError if not."""

    @abstractmethod
    def stop(self) -> None:
        """Stop the service and release what it holds. Safe to call twice."""

    def reset_after_test(self) -> None:
        """Put back what a test changed in the service's state (README: "What is reset
        between tests"). Nothing, unless the kind says otherwise; databases have their own."""

    def ended(self) -> int | None:
        """The exit code of the service's process if it died on its own; None while it runs,
        after stop(), and for kinds that run no process of their own."""
        return self.process.ended() if self.process is not None else None

    def describe(self) -> str:
        """A short description for tables: what runs, which version."""
        return self.kind

    def version(self) -> str | None:
        """The version of what runs, where seamline knows it (for reports)."""
        return None

    def log_path(self) -> Path | None:
        path = self.ctx.log_path(self.name)
        return path if path.exists() else None

    def logs(self) -> str:
        path = self.log_path()
        return path.read_text(encoding="utf-8", errors="replace") if path else ""

    @property
    def url(self) -> str | None:
        return self.attributes().get("url")


# Any service, whatever its kind.
AnyService: TypeAlias = Service[BaseServiceSpec]
