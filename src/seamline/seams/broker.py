"""A message seam: a TCP proxy on a link to a broker that forwards bytes and journals messages.

The consumer's bytes go to the broker as they came (decoding runs beside forwarding); the
broker's bytes go back frame by frame, so a fault can drop, hold, repeat or reorder one
delivery. Bytes that cannot be decoded are forwarded untouched and flagged in the journal;
decoding stops for the rest of that connection, forwarding goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import struct
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from seamline.contracts.asyncapi import EventContract
from seamline.records.exchange import Body, HeaderList, seam_name
from seamline.records.message import Message, celery_task
from seamline.records.run import now_iso
from seamline.runtime.ports import LOOPBACK
from seamline.seams import amqp, nats, resp
from seamline.seams.message_journal import MessageJournal

# What each protocol's frames are and what a connection's frames carry.
PROTOCOLS: dict[str, tuple[Callable[[bytes, int], tuple[Any, int]], type[Link]]] = {
    "resp": (resp.parse, resp.RespLink),
    "nats": (nats.parse, nats.NatsLink),
    "amqp": (amqp.parse, amqp.AmqpLink),
}
# What a link raises on a frame it cannot read (struct.error: fields that run short).
UNREADABLE = (ValueError, TypeError, IndexError, struct.error)

FaultAction = Literal["drop", "delay", "duplicate", "reorder", "cut"]
FAULT_ACTIONS: tuple[str, ...] = ("drop", "delay", "duplicate", "reorder", "cut")
READ_SIZE = 256 * 1024


class Link(Protocol):
    """One client connection's state: which frames carry messages, which reply answers what."""

    pending: deque[tuple[str, list[Any]]]
    decoding: bool

    def command(self, value: Any) -> list[resp.Found]: ...

    def reply(self, value: Any) -> tuple[str, list[resp.Found]]: ...


@dataclass
class MessageFault:
    """What to do to messages delivered on a link: to the first `first` of them (all when
    None), each with probability `rate`, only those on `subject` when it is given."""

    action: FaultAction
    first: int | None = None
    rate: float = 1.0
    delay_ms: float = 0.0
    subject: str | None = None
    applied: int = field(default=0)

    def applies(self, found: resp.Found, rng: random.Random) -> bool:
        if self.first is not None and self.applied >= self.first:
            return False
        if self.subject is not None and self.subject not in (found.subject, found.queue):
            return False
        if self.rate < 1.0 and rng.random() >= self.rate:
            return False
        self.applied += 1
        return True


class BrokerSeam:
    """`consumer -> provider` where the provider is a broker (RESP today)."""

    def __init__(
        self,
        consumer: str,
        provider: str,
        upstream: tuple[str, int],
        *,
        journal: MessageJournal,
        current_test: Callable[[], str | None],
        body_cap: int,
        protocol: str = "resp",
        contract: EventContract | None = None,
    ) -> None:
        self.consumer, self.provider, self.protocol = consumer, provider, protocol
        self.contract = contract  # the broker's AsyncAPI document: each message is checked
        self.name = seam_name(consumer, provider)
        self.upstream = upstream
        self.journal = journal
        self.fault: MessageFault | None = None
        self._current_test = current_test
        self._body_cap = body_cap
        self._rng = random.Random()
        self._copies: Counter[tuple[str | None, bytes]] = Counter()  # duplicates in flight
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, LOOPBACK, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    @property
    def address(self) -> tuple[str, int]:
        return LOOPBACK, self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._connections):
            writer.close()
        if self._server is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()  # the broker is down: the consumer sees its connection go
            return
        self._connections.update((writer, up_writer))
        parse, make_link = PROTOCOLS[self.protocol]
        link = make_link()
        pumps = [
            asyncio.ensure_future(self._from_consumer(reader, up_writer, link, parse)),
            asyncio.ensure_future(self._from_broker(up_reader, writer, up_writer, link, parse)),
        ]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            for end in (writer, up_writer):
                end.close()
                self._connections.discard(end)

    async def _from_consumer(
        self,
        reader: asyncio.StreamReader,
        up: asyncio.StreamWriter,
        link: Link,
        parse: Callable[[bytes, int], tuple[Any, int]],
    ) -> None:
        frames = resp.FrameReader(parse)
        while data := await reader.read(READ_SIZE):
            if frames.broken is not None:
                up.write(data)
                await up.drain()
                continue
            whole = frames.feed(data)
            for frame in whole:
                try:
                    found = link.command(frame.value)
                except UNREADABLE as err:
                    frames.broken = f"{err} in {frame.raw[:200]!r}"
                    break
                for item in found:
                    self._record(item)
            # Whole frames only, so what the seam itself sends upstream (an ack, a copy)
            # never lands inside one of the consumer's.
            up.write(b"".join(frame.raw for frame in whole))
            if frames.broken is not None:
                # the replies can no longer be paired with commands: stop reading them too
                link.decoding = False
                rest = frames.pending()
                self._record_problem(frames.broken, rest, "published")
                up.write(rest)
            await up.drain()

    async def _from_broker(
        self,
        reader: asyncio.StreamReader,
        out: asyncio.StreamWriter,
        up: asyncio.StreamWriter,
        link: Link,
        parse: Callable[[bytes, int], tuple[Any, int]],
    ) -> None:
        frames = resp.FrameReader(parse)
        held: list[bytes] = []  # a reordered push, let out after the next one
        while data := await reader.read(READ_SIZE):
            if frames.broken is not None or not link.decoding:
                out.write(frames.pending() + data)
                await out.drain()
                continue
            for frame in frames.feed(data):
                try:
                    answers, found = link.reply(frame.value)
                except UNREADABLE as err:
                    # a reply of a shape not foreseen: say so once, forward everything as is
                    self._record_problem(f"{err} in {frame.raw[:200]!r}", frame.raw, "delivered")
                    answers, found = "", []
                if answers == SWALLOW:
                    continue  # the reply to a command the seam itself sent
                delivered = [f for f in found if f.direction == "delivered"]
                fault = None if delivered and self._is_copy(delivered[0]) else self.fault
                if fault is None or not delivered or not fault.applies(delivered[0], self._rng):
                    for item in found:
                        self._record(item)
                    out.write(frame.raw)
                    if held and answers == "push" and delivered:
                        out.write(b"".join(held))
                        held.clear()
                    continue
                if await self._apply(fault, frame, answers, delivered, out, up, link, held):
                    return  # cut: both connections are closed
            if frames.broken is not None:
                rest = frames.pending()
                self._record_problem(frames.broken, rest, "delivered")
                out.write(rest)
            await out.drain()

    async def _apply(
        self,
        fault: MessageFault,
        frame: resp.Frame,
        answers: str,
        delivered: list[resp.Found],
        out: asyncio.StreamWriter,
        up: asyncio.StreamWriter,
        link: Link,
        held: list[bytes],
    ) -> bool:
        """Do `fault` to the delivery in `frame`; True if it cut the connection."""
        action = fault.action
        if action == "delay":  # what came before goes now; this one, and all after, later
            await out.drain()
            # asyncio may wake a timer up to a clock tick early: the delay is at least delay_ms
            deadline = time.monotonic() + fault.delay_ms / 1000
            while (left := deadline - time.monotonic()) > 0:
                await asyncio.sleep(left)
        for item in delivered:
            self._record(item, fault=action)
        push = answers == "push"
        if action == "cut":
            out.close()
            up.close()
            return True
        if isinstance(link, amqp.AmqpLink):
            self._apply_amqp(action, frame, delivered[0], out, up, link, held)
            return False
        if action == "delay":
            out.write(frame.raw)
        elif action == "drop":
            # a pop already took it off the broker: the consumer gets "nothing yet" instead
            out.write(b"" if push else resp.NIL_ARRAY if answers.startswith("B") else b"$-1\r\n")
        elif action == "duplicate":
            out.write(frame.raw)
            if push:
                out.write(frame.raw)
                self._record(delivered[0], fault=action)
            else:  # put it back where the next pop takes it from: the broker redelivers it
                self._push_back(delivered[0], answers, up, link, next_out=True)
        elif action == "reorder":
            if push:
                held.append(frame.raw)
            else:  # to the far end of the queue: what was queued behind it goes first
                out.write(resp.NIL_ARRAY if answers.startswith("B") else b"$-1\r\n")
                self._push_back(delivered[0], answers, up, link, next_out=False)
        return False

    def _apply_amqp(
        self,
        action: str,
        frame: resp.Frame,
        found: resp.Found,
        out: asyncio.StreamWriter,
        up: asyncio.StreamWriter,
        link: amqp.AmqpLink,
        held: list[bytes],
    ) -> None:
        """Do a drop, duplicate or reorder (delay has waited) to one AMQP delivery.

        A dropped delivery is acked to the broker by the seam, so it is lost as a popped
        Redis message is (and forgotten by the link: a later `multiple` ack of the consumer
        does not cover it). A
        duplicate is a copy published through the default exchange to the consumer's queue:
        a delivery tag cannot be given twice, so the broker delivers the copy under its own.
        A `Basic.Get` waits for its answer: a dropped or reordered one answers Get-Empty."""
        props = found.properties or {}
        channel, tag = int(props.get("channel", 0)), int(props.get("delivery_tag", 0))
        is_get = frame.value.method == amqp.GET_OK
        route = ("", found.queue) if found.queue else (found.exchange or "", found.subject or "")
        if action == "delay":
            out.write(frame.raw)
        elif action == "duplicate":
            out.write(frame.raw)
            up.write(amqp.republish(frame.raw, *route))
            self._copies[(found.queue, found.payload)] += 1
        elif action == "reorder" and not is_get:
            held.append(frame.raw)
        else:  # drop, or reorder a Basic.Get's answer: to the far end of its queue
            if found.ack == "unacked":
                link.forget(channel, tag)
                up.write(amqp.ack_frame(channel, tag))
            if action == "reorder":
                up.write(amqp.republish(frame.raw, *route))
            if is_get:
                out.write(amqp.get_empty_frame(channel))

    def _is_copy(self, found: resp.Found) -> bool:
        """Whether `found` is a copy the seam published for a duplicate (no fault again)."""
        if not self._copies:
            return False  # the usual case: no payload to hash
        key = (found.queue, found.payload)
        if key not in self._copies:
            return False
        self._copies[key] -= 1
        if self._copies[key] <= 0:
            del self._copies[key]
        return True

    def _push_back(
        self,
        found: resp.Found,
        popped_by: str,
        up: asyncio.StreamWriter,
        link: Link,
        *,
        next_out: bool,
    ) -> None:
        pops_right = popped_by in ("BRPOP", "RPOP")
        command = b"RPUSH" if pops_right == next_out else b"LPUSH"
        up.write(resp.encode_command(command, (found.queue or "").encode(), found.payload))
        link.pending.append((SWALLOW, []))

    def _record(
        self, found: resp.Found, fault: str | None = None, problem: str | None = None
    ) -> None:
        capped = found.payload[: self._body_cap]
        message = Message(
            consumer=self.consumer,
            provider=self.provider,
            protocol=self.protocol,
            direction=found.direction,  # type: ignore[arg-type]  # resp.Found's are valid
            payload=Body(capped, len(found.payload), len(capped) < len(found.payload)),
            subject=found.subject,
            queue=found.queue,
            id=found.id,
            headers=HeaderList(found.headers or []),
            exchange=found.exchange,
            properties=found.properties,
            ack=found.ack,  # type: ignore[arg-type]  # resp.Found's are valid
            task=found.task or (celery_task(found.payload) if found.direction != "ack" else None),
            fault=fault,
            problem=problem,
            test=self._current_test(),
            at=now_iso(),
            mono=time.monotonic(),
        )
        if self.contract is not None:
            message.violations = self.contract.check(message)
        self.journal.add(message)

    def _record_problem(self, why: str, raw: bytes, direction: str) -> None:
        self._record(resp.Found(direction, raw), problem=f"not decoded, forwarded as is: {why}")


SWALLOW = "\0swallow"
