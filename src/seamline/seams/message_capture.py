"""What crossed the message seams, kept raw on the forwarding path and decoded later in batches.

A message seam forwards each chunk at once and appends it to the capture's backlog with the
time and the test of the moment it crossed; decoding it into `Message`s (frames, the link's
state, the contract check, the journal line) happens off that path. The backlog is decoded in
the order things crossed, all seams of a run together, so the journal's order is the crossing
order:
- when the seams go idle (nothing crossed for `IDLE_S`), a slice of `IDLE_SLICE_BYTES` at a
  time on the loop, so that traffic which starts again is forwarded between two slices;
- when it holds more than `BACKLOG_BYTES` undecoded bytes or `BACKLOG_CHUNKS` chunks, all of
  it, on the spot: memory stays bounded (forwarding waits while it decodes);
- whenever anyone reads the journal (`MessageJournal.select`, `len`, `close`): a read sees
  everything that crossed before it began, from any thread.
"""

from __future__ import annotations

import asyncio
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from seamline.contracts.asyncapi import EventContract
from seamline.records.exchange import Body, HeaderList
from seamline.records.message import Message, celery_task
from seamline.records.run import iso_at
from seamline.seams import resp
from seamline.seams.message_journal import MessageJournal

# Undecoded bytes held at most, all seams of the run together: a burst of 20k messages of
# 200 B (published and delivered: ~10 MB) is decoded once it is over, not during it.
BACKLOG_BYTES = 16 * 1024 * 1024
BACKLOG_CHUNKS = 50_000  # chunks held at most (an entry costs ~200 B beside its bytes)
IDLE_S = 0.02  # quiet this long (a burst is over): the backlog is decoded
IDLE_SLICE_BYTES = 32 * 1024  # decoded at a time when idle (~150 messages of 200 B, ~1 ms)
# What a link raises on a frame it cannot read (struct.error: fields that run short).
UNREADABLE = (ValueError, TypeError, IndexError, struct.error)
SWALLOW = "\0swallow"  # a reply to a command the seam itself sent: not the consumer's


class Link(Protocol):
    """One client connection's state: which frames carry messages, which reply answers what."""

    pending: deque[tuple[str, list[Any]]]
    decoding: bool

    def command(self, value: Any) -> list[resp.Found]: ...

    def reply(self, value: Any) -> tuple[str, list[resp.Found]]: ...


class MessageMaker:
    """Turns what a seam found into journal `Message`s: its names, payload cap and contract."""

    def __init__(
        self,
        consumer: str,
        provider: str,
        protocol: str,
        body_cap: int,
        contract: EventContract | None,
    ) -> None:
        self.consumer, self.provider, self.protocol = consumer, provider, protocol
        self.body_cap, self.contract = body_cap, contract

    def make(
        self,
        found: resp.Found,
        crossed: tuple[float, float, str | None],
        fault: str | None = None,
        problem: str | None = None,
    ) -> Message:
        mono, wall, test = crossed
        capped = found.payload[: self.body_cap]
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
            test=test,
            at=iso_at(wall),
            mono=mono,
        )
        if self.contract is not None:
            message.violations = self.contract.check(message)
        return message

    def entry(self, data: Any, crossed: tuple[float, float, str | None]) -> list[Message]:
        """A backlog entry the frame-by-frame path decoded already: (found, fault, problem)."""
        found, fault, problem = data
        return [self.make(found, crossed, fault, problem)]


def not_decoded(why: str, raw: bytes, direction: str) -> tuple[resp.Found, str]:
    """The record of bytes forwarded untouched: what they were, and why."""
    return resp.Found(direction, raw), f"not decoded, forwarded as is: {why}"


class Decoder:
    """One direction of one connection: its frames, and the link state they update."""

    def __init__(
        self,
        maker: MessageMaker,
        link: Link,
        parse: Callable[[bytes, int], tuple[Any, int]],
        *,
        from_consumer: bool,
    ) -> None:
        self.maker, self.link, self.from_consumer = maker, link, from_consumer
        self.reader = resp.FrameReader(parse)
        self.direction = "published" if from_consumer else "delivered"

    @property
    def decoding(self) -> bool:
        """False once this side's bytes stopped being frames (or, on the broker side, the
        replies can no longer be paired with the commands): the rest is forwarded as is."""
        return self.reader.broken is None and (self.from_consumer or self.link.decoding)

    def read(self, frame: resp.Frame) -> tuple[str, list[resp.Found], str | None]:
        """What `frame` answers (on the broker side), what it carries, and why it could not
        be read if it could not. A command that cannot be read stops this side's decoding."""
        try:
            if self.from_consumer:
                return "", self.link.command(frame.value), None
            answers, found = self.link.reply(frame.value)
            return answers, found, None
        except UNREADABLE as err:
            why = f"{err} in {frame.raw[:200]!r}"
            if self.from_consumer:
                self.reader.broken = why
            return "", [], why

    def stopped(self) -> tuple[resp.Found, str] | None:
        """The record of the bytes left when this side stopped decoding (once), if it did."""
        if self.reader.broken is None or (self.from_consumer and not self.link.decoding):
            return None
        # the replies can no longer be paired with commands: stop reading them too
        self.link.decoding = False
        return not_decoded(self.reader.broken, self.reader.pending(), self.direction)

    def entry(self, chunk: Any, crossed: tuple[float, float, str | None]) -> list[Message]:
        """The messages a chunk that was forwarded raw carries."""
        if not self.decoding:
            return []
        messages = []
        for frame in self.reader.feed(chunk):
            answers, found, problem = self.read(frame)
            if problem is not None and not self.from_consumer:
                # a reply of a shape not foreseen: say so, go on with the next one
                flagged, why = not_decoded(problem, frame.raw, "delivered")
                messages.append(self.maker.make(flagged, crossed, problem=why))
            if self.reader.broken is not None:
                break
            if answers != SWALLOW:
                messages += [self.maker.make(item, crossed) for item in found]
        if (stop := self.stopped()) is not None:
            messages.append(self.maker.make(stop[0], crossed, problem=stop[1]))
        return messages


class Handler(Protocol):
    def entry(self, data: Any, crossed: tuple[float, float, str | None]) -> list[Message]: ...


class Capture:
    """The backlog of every message seam of a run, and its decoding into the journal."""

    def __init__(self, journal: MessageJournal, current_test: Callable[[], str | None]) -> None:
        self.journal = journal
        self.current_test = current_test
        self.lock = threading.RLock()  # one decoder at a time; the frame-by-frame path too
        self._backlog: deque[tuple[Handler, Any, float, float, str | None]] = deque()
        self._added = 0  # bytes appended (written by the loop's thread only)
        self._decoded = 0  # bytes decoded (written under the lock only)
        self._last = 0.0  # when the last chunk crossed
        self._idle_timer: asyncio.Handle | None = None
        # what deferring costs, for the benches: decoding CPU, messages, when it last caught up
        self.decode_seconds = 0.0
        self.decoded_messages = 0
        self.caught_up_at = 0.0  # time.time()
        journal.catch_up = self.catch_up

    def crossed(self, decoder: Decoder, chunk: bytes) -> None:
        """`chunk` crossed the seam now (called on the loop's thread, before it is written,
        so a read that begins once the other side has it sees it)."""
        self._last = now = time.monotonic()
        self._backlog.append((decoder, chunk, now, time.time(), self.current_test()))
        self._added += len(chunk)
        if self._added - self._decoded > BACKLOG_BYTES or len(self._backlog) > BACKLOG_CHUNKS:
            self.catch_up()
        elif self._idle_timer is None:
            self._idle_timer = asyncio.get_running_loop().call_later(IDLE_S, self._on_idle)

    def found(
        self,
        maker: MessageMaker,
        found: resp.Found,
        fault: str | None = None,
        problem: str | None = None,
    ) -> None:
        """A message the frame-by-frame path (a fault is set) read as it crossed, now."""
        entry = (maker, (found, fault, problem), time.monotonic(), time.time(), self.current_test())
        self._backlog.append(entry)
        if self._idle_timer is None:
            self._idle_timer = asyncio.get_running_loop().call_later(IDLE_S, self._on_idle)

    def _on_idle(self) -> None:
        quiet = time.monotonic() - self._last
        loop = asyncio.get_running_loop()
        if quiet < IDLE_S:  # still busy: look again once it could have gone quiet
            self._idle_timer = loop.call_later(IDLE_S - quiet, self._on_idle)
            return
        self.catch_up(IDLE_SLICE_BYTES)
        # more to do: the next slice after what the loop has ready (traffic goes first)
        self._idle_timer = loop.call_soon(self._on_idle) if self._backlog else None

    def catch_up(self, slice_bytes: int | None = None) -> None:
        """Decode everything that crossed before this call into the journal (any thread);
        with `slice_bytes`, only the oldest chunks up to about that many bytes."""
        with self.lock:
            count = len(self._backlog)  # what crossed before now; later chunks wait
            if not count:
                return
            began = time.thread_time()
            messages: list[Message] = []
            decoded = 0
            for _ in range(count):
                handler, data, mono, wall, test = self._backlog.popleft()
                if isinstance(data, bytes):
                    decoded += len(data)
                messages += handler.entry(data, (mono, wall, test))
                if slice_bytes is not None and decoded >= slice_bytes:
                    break
            self._decoded += decoded
            self.journal.add_all(messages)
            self.decode_seconds += time.thread_time() - began
            self.decoded_messages += len(messages)
            if not self._backlog:
                self.caught_up_at = time.time()

    @property
    def backlog(self) -> tuple[int, int]:
        """Chunks and undecoded bytes waiting now."""
        return len(self._backlog), self._added - self._decoded
