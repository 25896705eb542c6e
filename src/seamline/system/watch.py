"""Services that die while the system runs: noticed, attributed to the test they died in,
and named to that test and to every later one until the service is started again."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from seamline.runtime.procs import describe_exit
from seamline.services.base import AnyService


@dataclass
class Death:
    """A service whose process ended on its own."""

    service: str
    how: str  # "exited (signal 9)"
    test: str | None  # the test running when it died, if any
    log_tail: str
    reported: bool = False  # told to the test it died in (or the first one after)

    def during(self) -> str:
        """What the test it died in is told: when, how, and the last lines of its log."""
        when = f" during {self.test}" if self.test else " between tests"
        tail = "".join(f"\n    | {line}" for line in self.log_tail.splitlines())
        return f"{self.service} {self.how}{when}" + (
            f"\n  last lines of its log:{tail}" if tail else ""
        )

    def later(self) -> str:
        """What each later test is told, in one line."""
        when = f" during {self.test}" if self.test else ""
        return (
            f"{self.service} is down: it {self.how}{when}; "
            f"start it again with system.restart_service({self.service!r})"
        )


class ServiceWatch:
    """Deaths of the run's services, told by each process's watcher thread or found by polling."""

    def __init__(
        self, services: Mapping[str, AnyService], current_test: Callable[[], str | None]
    ) -> None:
        self._services = services
        self._current_test = current_test
        self._deaths: dict[str, Death] = {}
        self._lock = threading.Lock()

    def exited(self, service: str, code: int) -> None:
        """A process of the run ended on its own (called from its watcher thread)."""
        if service in self._services:  # not a helper such as the cache's build server
            self._record(service, code)

    def forget(self, service: str) -> None:
        """The service was stopped or started again on purpose."""
        with self._lock:
            self._deaths.pop(service, None)

    def down(self) -> list[Death]:
        """The services that died and were not started again, oldest first."""
        for name, service in self._services.items():
            code = service.ended()
            if code is not None:
                self._record(name, code)
        with self._lock:
            return list(self._deaths.values())

    def _record(self, service: str, code: int) -> None:
        with self._lock:
            if service in self._deaths:
                return
            tail = "\n".join(self._services[service].logs().splitlines()[-10:])
            self._deaths[service] = Death(service, describe_exit(code), self._current_test(), tail)
