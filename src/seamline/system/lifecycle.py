"""Start services as soon as what they need is ready; stop them in reverse."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from seamline.config import SystemConfig
from seamline.errors import SeamlineError, StartError
from seamline.runtime.readiness import Cancelled
from seamline.seams.manager import Seams
from seamline.services.base import AnyService, Render


@dataclass
class Timing:
    started: float = 0.0  # monotonic, when start() was called
    ready: float = 0.0  # monotonic, when wait_ready() returned


class Skipped(SeamlineError):
    """A service was not started because one it needs failed."""


@dataclass(frozen=True)
class StartOrder:
    """Which services each one waits for, and how."""

    topo: Sequence[str]  # dependencies first
    # started once these are ready: `depends_on`, raw addresses, links no seam carries
    ready_first: Mapping[str, Sequence[str]]
    # started at once: their seams hold its requests until they are ready; its own
    # readiness is awaited once they have settled, so a failing provider is named first
    through_seams: Mapping[str, Sequence[str]]

    @classmethod
    def of(
        cls, config: SystemConfig, seams: Seams, needs: Mapping[str, Sequence[str]]
    ) -> StartOrder:
        """A consumer whose link to a provider goes through a seam starts at once (the seam
        holds its requests until the provider is ready); any other need waits for readiness:
        `depends_on`, raw addresses (`{db.port}`), links no seam carries (brokers, https)."""
        seamed = [name for name in needs if seams.carries(name)]
        ready_first = {name: config.ready_needs(name, seamed) for name in needs}
        return cls(
            topo=[name for wave in config.waves for name in wave],
            ready_first=ready_first,
            through_seams={
                name: [dep for dep in deps if dep not in ready_first[name]]
                for name, deps in needs.items()
            },
        )


@dataclass(frozen=True)
class StartHooks:
    """Told as each service becomes ready or fails to start (from the starting thread)."""

    on_ready: Callable[[str], None] = lambda name: None
    on_failed: Callable[[str], None] = lambda name: None

    @classmethod
    def opening(cls, seams: Seams, on_ready: Callable[[str], None] | None) -> StartHooks:
        """Hooks that let the seams into each provider forward (or fail) what they hold."""

        def ready(name: str) -> None:
            seams.provider_ready(name)
            if on_ready is not None:
                on_ready(name)

        return cls(ready, lambda name: seams.provider_ready(name, False))


def start_all(
    services: Mapping[str, AnyService],
    order: StartOrder,
    render_for: Callable[[str], Render],
    timeout_of: Callable[[str], float],
    cancelled: threading.Event,
    abort: Callable[[], None],
    hooks: StartHooks | None = None,
) -> tuple[list[str], dict[str, Timing]]:
    """Start every service once what it waits for is ready, independent ones in parallel.

    Returns the names in the order they were started, and their timings. On the
    first failure the remaining starts are abandoned (`cancelled` is set, so the
    other waits end) and the first StartError is raised; the caller stops what
    did start (`started` holds them, in order). Interrupted while waiting
    (KeyboardInterrupt), it calls `abort` to stop the run's helper processes
    before it waits for the threads.
    """
    hooks = hooks or StartHooks()
    timings = {name: Timing() for name in services}
    started: list[str] = []
    lock = threading.Lock()
    failed = threading.Event()
    futures: dict[str, Future[None]] = {}

    def settled(name: str, deps: Sequence[str]) -> None:
        for dep in deps:
            futures[dep].exception()  # wait, whatever the outcome
            if failed.is_set():
                raise Skipped(f"{name} not started: a service it needs failed")

    def run(name: str) -> None:
        settled(name, order.ready_first.get(name, ()))
        service = services[name]
        timings[name].started = time.monotonic()
        with lock:
            started.append(name)  # before start(): a half-started service must be stopped too
        try:
            service.start(render_for(name))
            settled(name, order.through_seams.get(name, ()))
            service.wait_ready(timeout_of(name))
        except BaseException:
            failed.set()
            cancelled.set()  # the others stop waiting: the start has failed already
            hooks.on_failed(name)
            raise
        timings[name].ready = time.monotonic()
        hooks.on_ready(name)

    pool = ThreadPoolExecutor(
        max_workers=max(1, len(services)), thread_name_prefix="seamline-start"
    )
    try:
        for name in order.topo:  # dependencies first, so their futures exist
            futures[name] = pool.submit(run, name)
        errors = [f.exception() for f in futures.values()]
    except BaseException:  # Ctrl-C or SIGTERM in the main thread: end every wait now
        failed.set()
        cancelled.set()
        abort()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    first = _first_real_error(errors)
    if first is not None:
        raise StartFailed(first, list(started))
    return started, timings


class StartFailed(SeamlineError):
    """Carries the error and the services that had been started, to stop them."""

    def __init__(self, error: BaseException, started: list[str]) -> None:
        super().__init__(str(error))
        self.error = error
        self.started = started


def _first_real_error(errors: Sequence[BaseException | None]) -> BaseException | None:
    real = [e for e in errors if e is not None and not isinstance(e, Skipped | Cancelled)]
    starts = [e for e in real if isinstance(e, StartError)]
    return (starts or real or [None])[0]


def stop_all(
    services: Mapping[str, AnyService], started: Sequence[str], needs: Mapping[str, Sequence[str]]
) -> list[BaseException]:
    """Stop in reverse dependency order: a service stops after everything that needs it."""
    remaining = list(started)
    errors: list[BaseException] = []
    while remaining:
        # Stop, in parallel, those nothing still running depends on.
        wave = [
            n
            for n in remaining
            if not any(n in needs.get(other, ()) for other in remaining if other != n)
        ]
        wave = wave or remaining[-1:]
        with ThreadPoolExecutor(max_workers=len(wave), thread_name_prefix="seamline-stop") as pool:
            for result in [pool.submit(services[n].stop) for n in wave]:
                exc = result.exception()
                if exc is not None:
                    errors.append(exc)
        remaining = [n for n in remaining if n not in wave]
    return errors
