"""Holding a seam's requests while its provider starts: the System's start gate.

A consumer that reaches a provider only through a seam is started without waiting for the
provider's readiness (docker-compose's plain `depends_on`). Each request it sends on the real
route meanwhile is held by the seam until the provider is ready, then forwarded; if the
provider's start fails, the request is answered as for a provider that is down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Literal

from seamline.seams.modes import Route

GateState = Literal["starting", "ready", "failed"]


class StartGate:
    """Whether one provider is ready yet: settled from the thread that started it, awaited
    on the seams' loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.state: GateState = "starting"
        self._changed: asyncio.Future[None] | None = None  # done at the next change

    def settle(self, ready: bool) -> None:
        """The provider is ready (or its start failed); from any thread, once."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._set, "ready" if ready else "failed")

    def _set(self, state: GateState) -> None:
        if self.state == "starting":
            self.state = state
            self.poke()

    def poke(self) -> None:
        """Wake the requests waiting here to look again (a seam switched route); on the loop."""
        changed, self._changed = self._changed, None
        if changed is not None and not changed.done():
            changed.set_result(None)

    async def hold(self, route: Callable[[], Route], real: str) -> Route | None:
        """The route to forward on once the provider is ready; None if its start failed.
        Only the real provider (`real`) is waited for: a seam switched to a stub or a replay
        meanwhile sends the request there at once."""
        current = route()
        while current.upstream == real and self.state == "starting":
            if self._changed is None:
                self._changed = self._loop.create_future()
            await asyncio.shield(self._changed)  # one waiter hanging up wakes no other
            current = route()
        if current.upstream == real and self.state != "ready":
            return None
        return current
