"""An asyncio event loop on a background thread (uvloop when installed).

The pytest process is synchronous; stub servers and seam proxies live on this
loop and the test thread talks to them through `run()`.
"""

from __future__ import annotations

import asyncio
import threading
import warnings
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")


def new_event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


class LoopThread:
    """Owns one event loop running forever on a daemon thread until `stop()`."""

    def __init__(self, name: str = "seamline-loop") -> None:
        self.loop = new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        self.loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = 30.0) -> T:
        """Run `coro` on the loop and wait for its result from another thread."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("LoopThread.run() called from the loop's own thread; await instead")
        return self.submit(coro).result(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        if not self._thread.is_alive():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._close_loop()

    def _close_loop(self) -> None:
        """Close the stopped loop; a handle still open (a server nobody closed) is reported as
        a ResourceWarning once the loop is closed.

        uvloop warns about each open handle from inside a C callback while closing: a warning
        turned into an error there (`-W error`, pytest's `filterwarnings = error`) is swallowed,
        the handle is never closed, and close() waits for it forever holding the GIL (not even
        SIGTERM gets through). So the warnings are collected during close and issued after it.
        """
        with warnings.catch_warnings(record=True) as unclosed:
            warnings.simplefilter("always", ResourceWarning)
            self.loop.close()
        for warning in unclosed:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
