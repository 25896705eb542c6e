"""`kind = "process"`: any command, in any language, on a port seamline picks."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable
from pathlib import Path

from seamline.config.model import ProcessSpec
from seamline.config.probes import Probe
from seamline.config.templates import refs
from seamline.errors import StartError
from seamline.runtime.listeners import Listener, listeners
from seamline.runtime.ports import LOOPBACK, free_port
from seamline.runtime.procs import ManagedProcess, belongs_to
from seamline.runtime.readiness import LastSeen, NotReady, ProbeTarget, backoff, make_check
from seamline.services.base import (
    Render,
    RunContext,
    Service,
    ensure_port_free,
    loopback_http_attributes,
)


class ProcessService(Service[ProcessSpec]):
    kind = "process"

    def __init__(self, name: str, spec: ProcessSpec, ctx: RunContext) -> None:
        super().__init__(name, spec, ctx)
        self.port = 0
        self.process: ManagedProcess | None = None
        self._env: dict[str, str] = {}
        self._argv: list[str] = []
        self._render: Render = lambda template: template
        self._foreign: Listener | None = None  # what answered the tcp probe, if not ours

    def allocate(self) -> None:
        self.port = self.spec.port or free_port()

    def attributes(self) -> dict[str, str]:
        return loopback_http_attributes(self.name, self.port)

    @property
    def env(self) -> dict[str, str]:
        """The environment seamline handed this service (rendered templates only)."""
        return dict(self._env)

    def probe(self) -> Probe:
        ready = self.spec.ready
        if ready is not None and ready.kind == "command" and ready.command:
            return ready.model_copy(update={"command": [self._render(c) for c in ready.command]})
        if ready is not None:
            return ready
        # A process that is handed a port is expected to listen on it.
        templates = [*self.spec.env.values()]
        templates += (
            [self.spec.command] if isinstance(self.spec.command, str) else self.spec.command
        )
        uses_port = any(
            r.service == "self" and r.attr in ("port", "url") for t in templates for r in refs(t)
        )
        return Probe(kind="tcp" if uses_port or self.spec.port else "none")

    def start(self, render: Render) -> None:
        if self.spec.port:
            ensure_port_free(self.name, self.port)
        command = self.spec.command
        argv = (
            shlex.split(render(command))
            if isinstance(command, str)
            else [render(c) for c in command]
        )
        self._argv = argv
        self._render = render
        self._env = {key: render(value) for key, value in self.spec.env.items()}
        cwd = self.ctx.config.resolve(self.spec.workdir or ".")
        env = {**self.ctx.base_env, **self._env}
        try:
            self.process = ManagedProcess(
                self.name,
                argv,
                env=env,
                cwd=cwd,
                log_path=self.ctx.log_path(self.name),
                tracker=self.ctx.tracker,
            )
        except OSError as err:
            raise StartError(
                self.name,
                f"could not run {shlex.join(argv)!r} in {cwd}: "
                f"{err.strerror or err}. Check the command and workdir",
            ) from None

    def wait_ready(self, timeout: float) -> None:
        process = self.process
        if process is None:
            raise StartError(self.name, "wait_ready() before start()")
        probe = self.probe()
        target = ProbeTarget(
            LOOPBACK, self.port, str(self.ctx.config.base_dir), {**self.ctx.base_env, **self._env}
        )
        seen = LastSeen()
        check = make_check(probe, target, process.log.wait_for, seen)
        if probe.kind == "tcp":
            check = self._own_listener_check(check, process)
        deadline = time.monotonic() + timeout
        try:
            ok = backoff(deadline, check, lambda: process.exit_code() is None, self.ctx.cancelled)
        except NotReady:
            process.log.join(1.0)
            raise StartError(
                self.name,
                f"it exited before it was ready ({probe.describe()})",
                exit_code=process.exit_code(),
                log_path=process.log.path,
                log_tail=process.log.tail(30),
            ) from None
        if not ok:
            foreign = (
                f"; port {self.port} answers, but the listener is {self._foreign.describe()}, "
                f"not {self.name} or its children"
                if self._foreign is not None
                else ""
            )
            raise StartError(
                self.name,
                f"not ready after {timeout:g} s ({probe.describe()}; last seen: {seen.text})"
                f"{foreign}; "
                "raise ready_timeout or check the probe",
                log_path=process.log.path,
                log_tail=process.log.tail(30),
            )

    def _own_listener_check(
        self, connects: Callable[[], bool], process: ManagedProcess
    ) -> Callable[[], bool]:
        """A tcp probe passes only when the listener is this service's process (or one of its
        descendants): a port that answers for another program is not this service ready."""

        def check() -> bool:
            if not connects():
                return False
            found = listeners(self.port)
            ours = [
                one
                for one in found
                if one.pid is not None
                and belongs_to(one.pid, process.pid, process.run_id, self.name)
            ]
            self._foreign = None if ours or not found else found[0]
            return bool(ours)

        return check

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(self.spec.stop_timeout)
            self.process = None

    def describe(self) -> str:
        return shlex.join(self._argv) if self._argv else str(self.spec.command)

    def pids(self) -> list[int]:
        return [self.process.pid] if self.process else []

    @property
    def workdir(self) -> Path:
        return self.ctx.config.resolve(self.spec.workdir or ".")
