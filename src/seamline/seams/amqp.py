"""AMQP 0-9-1 on a message seam: `Basic.Publish` publishes, `Basic.Deliver`/`Get-Ok` deliver,
`Basic.Ack`/`Nack`/`Reject` from the client settle deliveries.

A frame is type (1 octet), channel (2), size (4), payload, 0xCE. A content-bearing method
(publish, deliver, get-ok, return) is followed on its channel by a content header frame
(class, weight, body size, property flags, properties) and body frames up to that size;
`parse` cuts the method and its content as one unit, so a fault holds, drops or repeats a
whole message and the seam only ever writes whole units (bytes it injects upstream, an ack
or a copy, land between two of them). Clients and RabbitMQ write a message's frames back to
back; content interleaved with another channel's frames is not decoded (flagged, forwarded).
Field layouts follow the AMQP 0-9-1 spec (and pika's `data.py` for field-table types).
"""

from __future__ import annotations

import itertools
import json
import struct
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from seamline.records.message import celery_task_of
from seamline.seams.resp import Found, Incomplete

PROTOCOL_HEADER = b"AMQP"
FRAME_METHOD, FRAME_HEADER, FRAME_BODY, FRAME_END = 1, 2, 3, 0xCE
BASIC = 60
PUBLISH, RETURN, DELIVER, GET_OK = (60, 40), (60, 50), (60, 60), (60, 71)
CONSUME, CONSUME_OK, GET, GET_EMPTY = (60, 20), (60, 21), (60, 70), (60, 72)
ACK, REJECT, NACK = (60, 80), (60, 90), (60, 120)
CHANNEL_OPEN = (20, 10)
WITH_CONTENT = frozenset({PUBLISH, RETURN, DELIVER, GET_OK})
# The basic class's properties in property-flag order (bit 15 first), with their types.
PROPERTIES = (
    ("content_type", "s"),
    ("content_encoding", "s"),
    ("headers", "F"),
    ("delivery_mode", "B"),
    ("priority", "B"),
    ("correlation_id", "s"),
    ("reply_to", "s"),
    ("expiration", "s"),
    ("message_id", "s"),
    ("timestamp", "T"),
    ("type", "s"),
    ("user_id", "s"),
    ("app_id", "s"),
    ("cluster_id", "s"),
)
_connections = itertools.count(1)  # delivery ids stay unique across a seam's connections


@dataclass
class Unit:
    """A frame, or a content-bearing method with its header and body frames."""

    kind: int  # frame type; 0 for the protocol header a client opens with
    channel: int = 0
    method: tuple[int, int] | None = None
    args: bytes = b""
    properties: dict[str, Any] = field(default_factory=dict)
    body: bytes = b""


def _frame(buf: bytes, pos: int) -> tuple[int, int, int, int]:
    """Type, channel, payload start and end of the frame at `pos` (Incomplete if cut)."""
    if len(buf) < pos + 7:
        raise Incomplete
    kind, channel, size = struct.unpack_from(">BHI", buf, pos)
    if kind not in (FRAME_METHOD, FRAME_HEADER, FRAME_BODY, 8):
        raise ValueError(f"expected an AMQP frame type (1, 2, 3 or 8), found {kind}")
    end = pos + 7 + size
    if len(buf) < end + 1:
        raise Incomplete
    if buf[end] != FRAME_END:
        raise ValueError(f"expected the frame-end octet 0xCE after {size} bytes, found {buf[end]}")
    return kind, channel, pos + 7, end


def parse(buf: bytes, pos: int) -> tuple[Unit, int]:
    """The unit at `pos` and where the next one starts; ValueError if it is not AMQP 0-9-1."""
    try:
        return _unit(buf, pos)
    except struct.error as err:  # a field that runs past its frame
        raise ValueError(f"a malformed AMQP frame: {err}") from None


def _unit(buf: bytes, pos: int) -> tuple[Unit, int]:
    if buf[pos : pos + 4] == PROTOCOL_HEADER[: len(buf) - pos]:
        if len(buf) < pos + 8:
            raise Incomplete
        return Unit(0), pos + 8
    kind, channel, start, end = _frame(buf, pos)
    if kind != FRAME_METHOD:
        if kind in (FRAME_HEADER, FRAME_BODY):
            raise ValueError(f"expected a method frame, found content (type {kind}) alone")
        return Unit(kind, channel), end + 1
    method: tuple[int, int] = struct.unpack_from(">HH", buf, start)
    unit = Unit(kind, channel, method, bytes(buf[start + 4 : end]))
    if method not in WITH_CONTENT:
        return unit, end + 1
    return _content(buf, end + 1, unit)


def _content(buf: bytes, pos: int, unit: Unit) -> tuple[Unit, int]:
    kind, channel, start, end = _frame(buf, pos)
    if kind != FRAME_HEADER or channel != unit.channel:
        raise ValueError(
            f"expected the content header of channel {unit.channel}'s {unit.method}, "
            f"found a frame of type {kind} on channel {channel}"
        )
    size, flags = struct.unpack_from(">QH", buf, start + 4)
    unit.properties = _properties(buf[start + 14 : end], flags)
    parts, pos = [], end + 1
    got = 0
    while got < size:
        kind, channel, start, end = _frame(buf, pos)
        if kind != FRAME_BODY or channel != unit.channel:
            raise ValueError(f"expected a body frame on channel {unit.channel}, found type {kind}")
        parts.append(buf[start:end])
        got += end - start
        pos = end + 1
    unit.body = b"".join(parts)
    return unit, pos


def _properties(data: bytes, flags: int) -> dict[str, Any]:
    if flags & 1:
        raise ValueError("a second property-flags word: not a basic-class content header")
    found: dict[str, Any] = {}
    at = 0
    for bit, (name, kind) in zip(range(15, 1, -1), PROPERTIES, strict=True):
        if flags & (1 << bit):
            found[name], at = _value(data, at, kind)
    return found


def _value(data: bytes, at: int, kind: str) -> tuple[Any, int]:
    """A field value of type `kind` (a field-table type letter, or "s" for a shortstr)."""
    if kind == "s":
        size = data[at]
        return data[at + 1 : at + 1 + size].decode("utf-8", "replace"), at + 1 + size
    if kind in _FIXED:
        fmt = _FIXED[kind]
        return struct.unpack_from(fmt, data, at)[0], at + struct.calcsize(fmt)
    if kind in "SxAF":
        size = struct.unpack_from(">I", data, at)[0]
        at += 4
        chunk = data[at : at + size]
        if len(chunk) < size:
            raise ValueError(f"a field of {size} bytes runs past its frame")
        if kind == "S":
            return chunk.decode("utf-8", "replace"), at + size
        if kind == "x":
            return chunk, at + size
        return (_array(chunk) if kind == "A" else _table(chunk)), at + size
    if kind == "t":
        return bool(data[at]), at + 1
    if kind == "T":
        stamp = struct.unpack_from(">Q", data, at)[0]
        return datetime.fromtimestamp(stamp, UTC).isoformat(), at + 8
    if kind == "D":
        places, raw = struct.unpack_from(">Bi", data, at)
        return str(Decimal(raw).scaleb(-places)), at + 5
    if kind == "V":
        return None, at
    raise ValueError(f"expected an AMQP field type, found {kind!r}")


_FIXED = {
    "b": ">b",
    "B": ">B",
    "s2": ">h",
    "U": ">h",
    "u": ">H",
    "I": ">i",
    "i": ">I",
    "L": ">q",
    "l": ">q",
    "f": ">f",
    "d": ">d",
}


def _table(data: bytes) -> dict[str, Any]:
    table: dict[str, Any] = {}
    at = 0
    while at < len(data):
        name, at = _value(data, at, "s")
        kind = chr(data[at])
        table[name], at = _value(data, at + 1, "s2" if kind == "s" else kind)
    return table


def _array(data: bytes) -> list[Any]:
    items, at = [], 0
    while at < len(data):
        kind = chr(data[at])
        item, at = _value(data, at + 1, "s2" if kind == "s" else kind)
        items.append(item)
    return items


def _shortstrs(args: bytes, at: int, count: int) -> tuple[list[str], int]:
    values = []
    for _ in range(count):
        value, at = _value(args, at, "s")
        values.append(value)
    return values, at


def header_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return json.dumps(value, default=str)


@dataclass
class Consumer:
    queue: str
    no_ack: bool


class AmqpLink:
    """What one client connection's units carry: its consumers and outstanding deliveries."""

    def __init__(self) -> None:
        self.pending: deque[tuple[str, list[Any]]] = deque()  # stays empty: acks are by tag
        self.decoding = True
        self.number = next(_connections)
        self._opened: dict[int, int] = {}  # channel -> how many times it was opened
        self._consumers: dict[str, Consumer] = {}
        self._consuming: dict[int, deque[Consumer]] = {}  # Basic.Consume awaiting its tag
        self._gets: dict[int, deque[Consumer]] = {}  # Basic.Get awaiting Get-Ok / Get-Empty
        self._unacked: dict[int, set[int]] = {}  # channel -> delivery tags not yet settled

    def delivery_id(self, channel: int, tag: int) -> str:
        """Unique on the seam: connection, channel (and its reopenings), delivery tag."""
        return f"{self.number}.{channel}.{self._opened.get(channel, 1)}:{tag}"

    def forget(self, channel: int, tag: int) -> None:
        """The seam settled this delivery itself: the consumer's acks no longer cover it."""
        self._unacked.get(channel, set()).discard(tag)

    def command(self, unit: Any) -> list[Found]:
        """What a client's unit publishes or settles (and the consumers it declares)."""
        if not isinstance(unit, Unit) or unit.method is None:
            return []
        method, args, channel = unit.method, unit.args, unit.channel
        if method == PUBLISH:
            (exchange, key), _ = _shortstrs(args, 2, 2)
            # The default exchange routes a message to the queue its routing key names.
            queue = key if exchange == "" else None
            return [self._message("published", unit, exchange, key, queue=queue)]
        if method == CHANNEL_OPEN:
            self._opened[channel] = self._opened.get(channel, 0) + 1
            self._unacked.pop(channel, None)
        elif method == CONSUME:
            (queue, tag), at = _shortstrs(args, 2, 2)
            consumer = Consumer(queue, bool(args[at] & 0b10))
            if args[at] & 0b1000:  # no-wait: no Consume-Ok will name the tag
                self._consumers[tag] = consumer
            else:
                self._consuming.setdefault(channel, deque()).append(consumer)
        elif method == GET:
            (queue,), at = _shortstrs(args, 2, 1)
            self._gets.setdefault(channel, deque()).append(Consumer(queue, bool(args[at] & 1)))
        elif method in (ACK, REJECT, NACK):
            return self._settle(channel, method, args)
        return []

    def _settle(self, channel: int, method: tuple[int, int], args: bytes) -> list[Found]:
        tag, bits = struct.unpack_from(">QB", args)
        multiple = method != REJECT and bool(bits & 1)
        outcome = {ACK: "acked", REJECT: "rejected", NACK: "nacked"}[method]
        outstanding = self._unacked.setdefault(channel, set())
        settled = sorted(t for t in outstanding if t <= tag or tag == 0) if multiple else [tag]
        outstanding.difference_update(settled)
        return [Found("ack", b"", id=self.delivery_id(channel, t), ack=outcome) for t in settled]

    def reply(self, unit: Any) -> tuple[str, list[Found]]:
        """("push", the delivery) for a message the broker gives the client."""
        if not isinstance(unit, Unit) or unit.method is None:
            return "", []
        method, args, channel = unit.method, unit.args, unit.channel
        if method == CONSUME_OK:
            (tag,), _ = _shortstrs(args, 0, 1)
            waiting = self._consuming.get(channel)
            if waiting:
                self._consumers[tag] = waiting.popleft()
        elif method == GET_EMPTY and self._gets.get(channel):
            self._gets[channel].popleft()
        elif method == DELIVER:
            (consumer_tag,), at = _shortstrs(args, 0, 1)
            consumer = self._consumers.get(consumer_tag, Consumer("", False))
            return "push", [self._delivery(unit, at, consumer, consumer_tag)]
        elif method == GET_OK:
            waiting = self._gets.get(channel)
            consumer = waiting.popleft() if waiting else Consumer("", False)
            return "push", [self._delivery(unit, 0, consumer, None)]
        return "", []

    def _delivery(self, unit: Unit, at: int, consumer: Consumer, consumer_tag: str | None) -> Found:
        tag, redelivered = struct.unpack_from(">QB", unit.args, at)
        (exchange, key), _ = _shortstrs(unit.args, at + 9, 2)
        found = self._message("delivered", unit, exchange, key, queue=consumer.queue or None)
        found.id = self.delivery_id(unit.channel, tag)
        assert found.properties is not None
        found.properties.update(
            consumer_tag=consumer_tag, delivery_tag=tag, redelivered=bool(redelivered & 1)
        )
        if not consumer.no_ack:
            found.ack = "unacked"
            self._unacked.setdefault(unit.channel, set()).add(tag)
        return found

    def _message(
        self, direction: str, unit: Unit, exchange: str, key: str, queue: str | None
    ) -> Found:
        properties = dict(unit.properties)
        headers = properties.pop("headers", None) or {}
        properties["channel"] = unit.channel
        return Found(
            direction,
            unit.body,
            subject=key,
            queue=queue,
            headers=[(str(name), header_text(value)) for name, value in headers.items()],
            exchange=exchange,
            properties=properties,
            task=celery_task_of(headers, unit.body),
        )


def frame(kind: int, channel: int, payload: bytes) -> bytes:
    return struct.pack(">BHI", kind, channel, len(payload)) + payload + bytes([FRAME_END])


def ack_frame(channel: int, tag: int) -> bytes:
    """`Basic.Ack` of one delivery: the seam settles a delivery it dropped."""
    return frame(FRAME_METHOD, channel, struct.pack(">HHQB", *ACK, tag, 0))


def get_empty_frame(channel: int) -> bytes:
    """`Basic.Get-Empty`: what a `Basic.Get` is answered when the seam keeps its message."""
    return frame(FRAME_METHOD, channel, struct.pack(">HH", *GET_EMPTY) + b"\0")


def republish(raw: bytes, exchange: str, routing_key: str) -> bytes:
    """A copy of the delivery in `raw` (its content header and body frames as they came),
    published on its channel to `exchange` with `routing_key` (the default exchange and a
    queue's name: straight to that queue), so the broker delivers it again."""
    channel = struct.unpack_from(">H", raw, 1)[0]
    first = 7 + struct.unpack_from(">I", raw, 3)[0] + 1  # past the method frame
    method = struct.pack(">HHH", *PUBLISH, 0) + _shortstr(exchange) + _shortstr(routing_key)
    return frame(FRAME_METHOD, channel, method + b"\0") + raw[first:]


def _shortstr(text: str) -> bytes:
    data = text.encode()
    return bytes([len(data)]) + data
