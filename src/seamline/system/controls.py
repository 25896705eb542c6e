"""The System's test API on its services: look one up, stop, start or restart it mid-test,
and the ones that died on their own."""

from __future__ import annotations

from seamline.config import SystemConfig
from seamline.errors import SeamlineError, check_argument, did_you_mean
from seamline.seams.manager import Seams
from seamline.services.base import AnyService, Render
from seamline.system.watch import Death, ServiceWatch


class ServiceControls:
    """Mixed into `System`, which holds the state and gives `seams` and `_renderer`."""

    _config: SystemConfig
    _services: dict[str, AnyService]
    _seams: Seams | None
    _watch: ServiceWatch

    @property
    def seams(self) -> Seams:
        raise NotImplementedError  # System's

    def _renderer(self, name: str) -> Render:
        raise NotImplementedError  # System's

    def service(self, name: str) -> AnyService:
        """The running service `name` (its `attributes()`, `url`, `logs()`); an unknown name
        raises `SeamlineError` with a did-you-mean and the declared ones."""
        declared = list(self._config.spec.services)
        example = repr(declared[0]) if declared else "'api'"
        check_argument("a service name", name, str, f"a service name (a string such as {example})")
        try:
            return self._services[name]
        except KeyError:
            raise SeamlineError(
                f"no service named {name!r} in {self._config.path}"
                f"{did_you_mean(name, declared)} (declared: {', '.join(declared) or 'none'})"
            ) from None

    def stop_service(self, name: str) -> None:
        """Stop one service while the rest runs on (a provider going down, mid-test)."""
        self.service(name).stop()
        # Its seams refuse connections now, as its port does; told even when no seam exists
        # yet, so one made later (the test's first `client(name)`) refuses too, not resets.
        self.seams.provider_stopped(name)
        self._watch.forget(name)

    def start_service(self, name: str) -> None:
        """Start a service stopped with `stop_service` again: same port, same environment,
        same data; returns once it is ready."""
        service = self.service(name)
        self._watch.forget(name)
        service.start(self._renderer(name))
        service.wait_ready(self._config.spec.services[name].ready_timeout)
        if self._seams is not None:  # its seams accept connections again, at once
            self._seams.provider_stopped(name, stopped=False)

    def restart_service(self, name: str) -> None:
        """Stop `name` and start it again (same port, environment and data), whether it was
        running or had died; returns once it is ready. For chaos-style tests:
        `os.kill(pid, SIGKILL)` then `system.restart_service("inventory")`."""
        self.stop_service(name)
        self.start_service(name)

    def services_down(self) -> list[Death]:
        """Services whose process died on its own and was not started again: each with how
        it ended (`exited (signal 9)`), the test it died in and the last lines of its log."""
        return self._watch.down()
