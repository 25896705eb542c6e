"""A message seam: a TCP proxy on a link to a broker that forwards bytes and journals messages.

Bytes are forwarded as they come and decoded off the forwarding path, in batches
(seams/message_capture.py); while a fault is set the seam's connections go frame by frame, so
a fault can drop, hold, repeat or reorder one delivery (seams/message_relay.py,
seams/message_faults.py). Bytes that cannot be decoded are forwarded untouched and flagged in
the journal; decoding stops for the rest of that connection, forwarding goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

from seamline.contracts.asyncapi import EventContract
from seamline.records.exchange import seam_name
from seamline.runtime.ports import LOOPBACK
from seamline.seams import amqp, nats, resp
from seamline.seams.message_capture import Capture, Link, MessageMaker
from seamline.seams.message_faults import FAULT_ACTIONS, FaultAction, MessageFault
from seamline.seams.message_relay import End, Relay

__all__ = ["FAULT_ACTIONS", "PROTOCOLS", "BrokerSeam", "FaultAction", "MessageFault"]

# What each protocol's frames are and what a connection's frames carry.
PROTOCOLS: dict[str, tuple[Callable[[bytes, int], tuple[Any, int]], Callable[[], Link]]] = {
    "resp": (resp.parse, resp.RespLink),
    "nats": (nats.parse, nats.NatsLink),
    "amqp": (amqp.parse, amqp.AmqpLink),
}


class BrokerSeam:
    """`consumer -> provider` where the provider is a broker (RESP, NATS or AMQP 0-9-1)."""

    def __init__(
        self,
        consumer: str,
        provider: str,
        upstream: tuple[str, int],
        *,
        capture: Capture,
        body_cap: int,
        protocol: str = "resp",
        contract: EventContract | None = None,
    ) -> None:
        self.consumer, self.provider, self.protocol = consumer, provider, protocol
        self.name = seam_name(consumer, provider)
        self.upstream = upstream
        self.capture = capture
        # the broker's AsyncAPI document checks each message as it is decoded
        self.maker = MessageMaker(consumer, provider, protocol, body_cap, contract)
        self.fault: MessageFault | None = None
        self.rng = random.Random()
        self.copies: Counter[tuple[str | None, bytes]] = Counter()  # duplicates in flight
        self.relays: set[Relay] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    def new_link(self) -> tuple[Callable[[bytes, int], tuple[Any, int]], Link]:
        """How this protocol's frames are cut, and a new connection's state."""
        parse, make_link = PROTOCOLS[self.protocol]
        return parse, make_link()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: End(True, lambda client: Relay(self, client)), LOOPBACK, 0
        )
        self.port = self._server.sockets[0].getsockname()[1]

    @property
    def address(self) -> tuple[str, int]:
        return LOOPBACK, self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for relay in list(self.relays):
            relay.close()
        if self._server is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)
