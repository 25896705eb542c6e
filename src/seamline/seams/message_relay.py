"""One client connection through a message seam: bytes forwarded at once, decoded later.

With no fault, each chunk a side receives is handed to the capture (seams/message_capture.py)
and written to the other side in the same callback: no frame is parsed on the way. While a
fault is set (or the seam still has a reordered delivery held, or awaits the reply to a
command it sent itself), both sides go frame by frame: the capture catches up first, so the
link's state is current, and the fault acts on whole frames (seams/message_faults.py). A
frame whose first bytes crossed before that is let through whole, so a fault set mid-stream
applies from the next message on. Asyncio protocols, not streams: one callback per chunk;
a side whose peer cannot take more stops reading (backpressure).
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from seamline.seams import resp
from seamline.seams.message_capture import SWALLOW, Decoder, not_decoded
from seamline.seams.message_faults import apply, is_copy

if TYPE_CHECKING:
    from seamline.seams.broker import BrokerSeam

HIGH_WATER = 1024 * 1024  # bytes queued for the frame-by-frame path before the sender pauses


class End(asyncio.Protocol):
    """One socket of a relayed connection: what it receives goes out of the other socket."""

    def __init__(self, from_consumer: bool, made: Callable[[End], Relay]) -> None:
        self.from_consumer = from_consumer
        self._made = made
        self.transport = cast(asyncio.Transport, None)
        self.peer: End | None = None
        self.relay: Relay | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.relay = self._made(self)

    def data_received(self, data: bytes) -> None:
        assert self.relay is not None
        self.relay.received(self, data)

    def eof_received(self) -> bool:
        assert self.relay is not None
        self.relay.ended()
        return True  # the relay closes both sides once what it holds has gone out

    def connection_lost(self, exc: Exception | None) -> None:
        if self.relay is not None:
            self.relay.close()

    def pause_writing(self) -> None:  # this socket's buffer is full: stop reading the other
        if self.peer is not None:
            self.peer.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.peer is not None:
            self.peer.transport.resume_reading()


class Relay:
    """Both directions of one connection; `True` indexes the consumer's side, `False` the
    broker's."""

    def __init__(self, seam: BrokerSeam, client: End) -> None:
        self.seam, self.client, self.capture, self.maker = seam, client, seam.capture, seam.maker
        parse, self.link = seam.new_link()
        self.decoders = {
            side: Decoder(self.maker, self.link, parse, from_consumer=side)
            for side in (True, False)
        }
        self.copies: Counter[tuple[str | None, bytes]] = seam.copies
        self.broker: End | None = None
        self.early: list[bytes] = []  # what the client sent before the broker's side was up
        self.framed = {True: False, False: False}  # on the frame-by-frame path
        self.queues: dict[bool, deque[bytes]] = {True: deque(), False: deque()}
        self.queued = {True: 0, False: 0}
        self.workers: dict[bool, asyncio.Future[None] | None] = {True: None, False: None}
        self.sent_ahead = {True: 0, False: 0}  # bytes of an unfinished frame already forwarded
        self.held: list[bytes] = []  # a reordered push, let out after the next one
        self.swallowing = 0  # replies to the seam's own commands still to come
        # the seam's own commands, once the consumer's frame is whole: (bytes, reply to whom)
        self.injections: list[tuple[bytes, tuple[str, list[Any]] | None]] = []
        self.closed = self.ending = False
        seam.relays.add(self)
        self._connecting = asyncio.ensure_future(self._connect())

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            _, end = await loop.create_connection(
                lambda: End(False, self._broker_up), *self.seam.upstream
            )
        except OSError:
            self.close()  # the broker is down: the consumer sees its connection go
            return
        if self.closed:
            end.transport.close()

    def _broker_up(self, end: End) -> Relay:
        """The broker's side is connected (it may speak first: NATS does)."""
        self.broker, end.peer, self.client.peer = end, self.client, end
        for data in self.early:
            self.received(self.client, data)
        self.early.clear()
        if self.ending:
            self.ended()
        return self

    def received(self, end: End, data: bytes) -> None:
        if self.broker is None:
            self.early.append(data)
            return
        side = end.from_consumer
        if not (self.framed[side] or self._needs_frames()):
            self.capture.crossed(self.decoders[side], data)
            assert end.peer is not None
            end.peer.transport.write(data)
            return
        if not self.framed[side]:  # the capture catches up: this side's state is current
            with self.capture.lock:
                self.capture.catch_up()
                self.sent_ahead[side] = len(self.decoders[side].reader.buffered())
            self.framed[side] = True
        self.queues[side].append(data)
        self.queued[side] += len(data)
        if self.queued[side] > HIGH_WATER:
            end.transport.pause_reading()
        if self.workers[side] is None:
            self.workers[side] = asyncio.ensure_future(self._work(end))

    def _needs_frames(self) -> bool:
        """A fault is set, or the seam still owes the connection something: a held delivery,
        bytes of its own to send upstream, the swallowing of a reply to one of them."""
        return (
            self.seam.fault is not None or bool(self.held or self.injections) or self.swallowing > 0
        )

    async def _work(self, end: End) -> None:
        side, queue = end.from_consumer, self.queues[end.from_consumer]
        try:
            while queue and not self.closed:
                data = queue.popleft()
                self.queued[side] -= len(data)
                if self.queued[side] <= HIGH_WATER // 2:
                    end.transport.resume_reading()
                if side:
                    self._commands(data)
                elif await self._replies(data):
                    return
            if not self._needs_frames() and not self.closed:
                self._leave_frames(side)
        finally:
            self.workers[side] = None
            if self.ending and not any(self.workers.values()):
                self.close()

    def _leave_frames(self, side: bool) -> None:
        """Back to forwarding raw: what the frame path kept of an unfinished frame goes now
        (the reader keeps it, to decode it with the raw chunks that finish it)."""
        with self.capture.lock:
            rest = self.decoders[side].reader.buffered()[self.sent_ahead[side] :]
        self.sent_ahead[side] = 0
        self.framed[side] = False
        self._forward(side, rest)

    def _forward(self, side: bool, raw: bytes) -> None:
        """Write `raw` to the other side of `side`, less what went ahead of the frame path."""
        if ahead := self.sent_ahead[side]:
            cut = min(ahead, len(raw))
            raw, self.sent_ahead[side] = raw[cut:], ahead - cut
        if raw:
            self.to_broker_raw(raw) if side else self.to_consumer(raw)
        if side and not self.sent_ahead[True] and self.injections:
            injections, self.injections = self.injections, []
            for data, answers in injections:
                self._inject(data, answers)

    def _commands(self, data: bytes) -> None:
        """The consumer's chunk, frame by frame: whole frames only go up, so what the seam
        itself sends upstream (an ack, a copy) never lands inside one of the consumer's."""
        decoder = self.decoders[True]
        with self.capture.lock:
            self.capture.catch_up()
            if not decoder.decoding:
                self._forward(True, decoder.reader.pending() + data)
                return
            frames = decoder.reader.feed(data)
            for frame in frames:
                _, found, _ = decoder.read(frame)
                if decoder.reader.broken is not None:
                    break
                for item in found:
                    self.capture.found(self.maker, item)
            raw = b"".join(frame.raw for frame in frames)
            if (stop := decoder.stopped()) is not None:
                self.capture.found(self.maker, stop[0], problem=stop[1])
                raw += stop[0].payload
        self._forward(True, raw)

    async def _replies(self, data: bytes) -> bool:
        """The broker's chunk, frame by frame, faults applied; True if a fault cut it."""
        decoder = self.decoders[False]
        with self.capture.lock:
            self.capture.catch_up()
            if not decoder.decoding:
                self._forward(False, decoder.reader.pending() + data)
                return False
            read = [(frame, *decoder.read(frame)) for frame in decoder.reader.feed(data)]
            stop = decoder.stopped()
        for frame, answers, found, problem in read:
            if problem is not None:
                self.capture.found(self.maker, *not_decoded(problem, frame.raw, "delivered"))
            if answers == SWALLOW:
                self.swallowing -= 1
                continue  # the reply to a command the seam itself sent
            delivered = [f for f in found if f.direction == "delivered"]
            fault = self.seam.fault if not self.sent_ahead[False] else None
            if delivered and is_copy(self.copies, delivered[0]):
                fault = None
            if fault is None or not delivered or not fault.applies(delivered[0], self.seam.rng):
                for item in found:
                    self.record(item)
                self._forward(False, frame.raw)
                if self.held and answers == "push" and delivered:
                    self.to_consumer(b"".join(self.held))
                    self.held.clear()
            elif await apply(fault, frame, answers, delivered, self):
                return True
        if stop is not None:
            self.capture.found(self.maker, stop[0], problem=stop[1])
            self._forward(False, stop[0].payload)
        return False

    # -- what a fault acts through (message_faults.Faulted) ------------------------------

    def record(self, found: resp.Found, fault: str | None = None) -> None:
        self.capture.found(self.maker, found, fault)

    def to_consumer(self, data: bytes) -> None:
        if data and not self.client.transport.is_closing():
            self.client.transport.write(data)

    def to_broker_raw(self, data: bytes) -> None:
        if self.broker is not None and not self.broker.transport.is_closing():
            self.broker.transport.write(data)

    def to_broker(
        self,
        data: bytes,
        *,
        swallow_reply: bool = False,
        as_consumer: tuple[str, list[Any]] | None = None,
    ) -> None:
        """The seam's own bytes upstream, between two of the consumer's frames; the reply
        swallowed, or paired as the answer to the consumer's command `as_consumer`."""
        answers = (SWALLOW, []) if swallow_reply else as_consumer
        with self.capture.lock:
            self.capture.catch_up()  # the consumer's commands so far come first in the pairing
            consumer = self.decoders[True]
            ahead = self.sent_ahead[True] if self.framed[True] else consumer.reader.held()
        if ahead and consumer.decoding:
            self.injections.append((data, answers))
        else:
            self._inject(data, answers)

    def _inject(self, data: bytes, answers: tuple[str, list[Any]] | None) -> None:
        if answers is not None:
            with self.capture.lock:
                self.link.pending.append(answers)
            if answers[0] == SWALLOW:
                self.swallowing += 1
        self.to_broker_raw(data)

    def forget(self, channel: int, tag: int) -> None:
        link = self.link
        with self.capture.lock:
            link.forget(channel, tag)  # type: ignore[attr-defined]  # AMQP links only

    def cut(self) -> None:
        self.close()

    # -- the end -----------------------------------------------------------------------

    def ended(self) -> None:
        """One side sent EOF: close both once the frame path has let out what it holds."""
        self.ending = True
        if self.broker is not None and not any(self.workers.values()):
            self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._connecting.cancel()
        for end in (self.client, self.broker):
            if end is not None and end.transport is not None:
                end.transport.close()
        self.seam.relays.discard(self)
