"""RESP (Redis) on a message seam: which commands and replies carry messages.

A Redis connection is request/reply, except in pub/sub mode where the server pushes. The
link keeps the commands sent in order, so each reply is read as the answer to its command:
`PUBLISH`, `LPUSH`/`RPUSH` and `XADD` publish; pub/sub pushes, `BRPOP`/`BLPOP`/`LPOP`/`RPOP`
replies and `XREADGROUP`/`XREAD` replies deliver; `XACK` settles stream entries.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Clients that never switch protocols speak RESP2; `>`, `~`, `%` and friends are RESP3's.
_LINE_TYPES = frozenset(b"+-:,(#_")
_BULK_TYPES = frozenset(b"$=!")
_AGGREGATE_TYPES = frozenset(b"*>~%|")
PUSH_KINDS = frozenset({b"message", b"pmessage", b"smessage"})
_SUBSCRIPTION_REPLIES = frozenset(
    {b"subscribe", b"psubscribe", b"ssubscribe", b"unsubscribe", b"punsubscribe"}
    | {b"sunsubscribe", b"pong"}
)
_SUBSCRIBE_COMMANDS = frozenset(
    {"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"}
)
NIL_ARRAY = b"*-1\r\n"  # what BRPOP answers when its time-out passes with nothing popped
BLOCKING_POPS = frozenset({"BRPOP", "BLPOP", "BZPOPMIN"})  # their last argument: the time-out


class Incomplete(Exception):
    """More bytes are needed for the next frame."""


class RespError(bytes):
    """A `-ERR ...` reply."""


class RespMap(list[Any]):
    """A RESP3 map, its keys and values in turn (`redis-py` 8 speaks RESP3 after `HELLO 3`)."""

    def pairs(self) -> list[tuple[Any, Any]]:
        return list(zip(self[::2], self[1::2], strict=True))


def parse(buf: bytes, pos: int) -> tuple[Any, int]:
    """The RESP value at `pos` and where the next one starts; ValueError if it is not RESP."""
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise Incomplete
    kind, line = buf[pos], buf[pos + 1 : end]
    if kind in _LINE_TYPES:
        return (RespError(line) if kind == 0x2D else bytes(line)), end + 2
    if kind in _BULK_TYPES:
        size = int(line)
        if size < 0:
            return None, end + 2
        stop = end + 2 + size
        if len(buf) < stop + 2:
            raise Incomplete
        return bytes(buf[end + 2 : stop]), stop + 2
    if kind in _AGGREGATE_TYPES:
        count = int(line)
        if count < 0:
            return None, end + 2
        is_map = kind in b"%|"
        items: list[Any] = RespMap() if is_map else []
        at = end + 2
        for _ in range(count * 2 if is_map else count):
            item, at = parse(buf, at)
            items.append(item)
        return items, at
    raise ValueError(f"expected a RESP type byte (one of +-:$*), found {bytes([kind])!r}")


@dataclass
class Frame:
    """One decoded RESP value and the exact bytes it came in."""

    raw: bytes
    value: Any


class FrameReader:
    """Cuts a byte stream into frames (RESP unless another protocol's `parse` is given);
    keeps a frame's partial bytes until it is whole."""

    def __init__(self, parse_frame: Callable[[bytes, int], tuple[Any, int]] = parse) -> None:
        self._parse = parse_frame
        self._buffer = b""
        self.broken: str | None = None  # why the stream stopped being RESP, once it has

    def feed(self, data: bytes) -> list[Frame]:
        """The whole frames so far; on bytes that are not RESP, those before them, and
        `broken` says why (the rest is in `pending()`)."""
        buf = self._buffer + data if self._buffer else data
        frames, pos = [], 0
        while pos < len(buf):
            try:
                value, end = self._parse(buf, pos)
            except Incomplete:
                break
            except (ValueError, IndexError) as err:
                self.broken = str(err)
                break
            frames.append(Frame(buf[pos:end], value))
            pos = end
        self._buffer = buf[pos:]
        return frames

    def buffered(self) -> bytes:
        """Bytes kept for a frame not yet whole, left in place."""
        return self._buffer

    def held(self) -> int:
        return len(self._buffer)

    def pending(self) -> bytes:
        """Bytes not yet part of a whole frame (forwarded as they are when decoding stops)."""
        rest, self._buffer = self._buffer, b""
        return rest


@dataclass
class Found:
    """A message (or an ack) read off the link, before the seam adds time, test and seq."""

    direction: str  # published | delivered | ack
    payload: bytes
    subject: str | None = None
    queue: str | None = None
    id: str | None = None
    headers: list[tuple[str, str]] | None = None
    ack: str | None = None
    exchange: str | None = None  # AMQP's
    properties: dict[str, Any] | None = None  # AMQP's properties and delivery; a ZSET's score
    task: dict[str, Any] | None = None  # a Celery task, where the protocol says so
    wait: Wait | None = None  # the blocking pop it answers, which the consumer still waits on


@dataclass
class Wait:
    """A consumer's blocking pop: sent again by the seam when a fault loses its answer, since
    Redis never answers `BRPOP key 0` with nil (a lost message must look like none came)."""

    name: str
    args: list[Any]  # the keys, then the time-out in seconds
    deadline: float | None  # time.monotonic() when the consumer's time-out passes; None: never

    @classmethod
    def of(cls, name: str, args: list[Any]) -> Wait | None:
        """The wait a blocking pop starts now; None if its time-out cannot be read."""
        try:
            timeout = float(args[-1])
        except (IndexError, ValueError):
            return None
        if not math.isfinite(timeout) or timeout < 0:
            return None
        return cls(name, args, None if timeout == 0 else time.monotonic() + timeout)

    def again(self, now: float) -> bytes | None:
        """The pop to send again, with what is left of the time-out (rounded up to whole
        seconds, which every Redis reads); None once the time-out has passed."""
        if self.deadline is None:
            timeout = b"0"
        elif (left := self.deadline - now) > 0:
            timeout = b"%d" % math.ceil(left)
        else:
            return None
        return encode_command(self.name.encode(), *self.args[:-1], timeout)


def encode_command(*parts: bytes) -> bytes:
    """A command as a client sends it: an array of bulk strings."""
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        out.append(b"$%d\r\n%s\r\n" % (len(part), part))
    return b"".join(out)


def text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def fields_of(values: list[Any]) -> bytes:
    """Stream entry fields as one JSON object: what a test asserts on."""
    import json

    pairs = {text(values[i]): text(values[i + 1]) for i in range(0, len(values) - 1, 2)}
    return json.dumps(pairs).encode()


class RespLink:
    """What one client connection's commands and replies carry."""

    def __init__(self) -> None:
        self.pending: deque[tuple[str, list[Any]]] = deque()
        self.subscribed = False
        self.decoding = True  # False once the commands could not be read
        self.waiting: Wait | None = None  # the latest blocking pop

    def command(self, value: Any) -> list[Found]:
        """The messages a command publishes (and which reply it now waits for)."""
        if not isinstance(value, list) or not value or not isinstance(value[0], bytes):
            raise ValueError(f"expected a command (an array of bulk strings), found {value!r}")
        name, args = value[0].decode("ascii", "replace").upper(), value[1:]
        if name in _SUBSCRIBE_COMMANDS:
            self.subscribed = True
            return []  # answered by pushes, one per channel, not by one reply
        if not (name == "PING" and self.subscribed):
            self.pending.append((name, args))
        if name in BLOCKING_POPS:
            self.waiting = Wait.of(name, args)
        return published_by(name, args)

    def reply(self, value: Any) -> tuple[str, list[Found]]:
        """The command `value` answers ("push" for a pub/sub push) and what it delivers."""
        if (
            self.subscribed
            and isinstance(value, list)
            and value
            and isinstance(value[0], bytes)
            and value[0].lower() in PUSH_KINDS | _SUBSCRIPTION_REPLIES
        ):
            kind = value[0].lower()
            if kind in PUSH_KINDS:  # pmessage carries the pattern first
                return "push", [Found("delivered", value[-1], subject=text(value[-2]))]
            return "push", []
        if not self.pending:
            return "", []
        name, args = self.pending.popleft()
        found = delivered_by(name, args, value)
        if found and name in BLOCKING_POPS and not self.pending:
            # the consumer sent nothing after it: sending it again keeps the replies in order
            found[0].wait = self.waiting
        return name, found


def published_by(name: str, args: list[Any]) -> list[Found]:
    if name in ("PUBLISH", "SPUBLISH") and len(args) == 2:
        return [Found("published", args[1], subject=text(args[0]))]
    if name in ("LPUSH", "RPUSH", "LPUSHX", "RPUSHX") and len(args) >= 2:
        return [Found("published", value, queue=text(args[0])) for value in args[1:]]
    if name == "XADD" and len(args) >= 4:
        return [Found("published", fields_of(args[_xadd_fields_at(args) :]), queue=text(args[0]))]
    if name == "XACK" and len(args) >= 3:
        return [Found("ack", b"", queue=text(args[0]), id=text(i), ack="acked") for i in args[2:]]
    return []


def _xadd_fields_at(args: list[Any]) -> int:
    """Where XADD's field/value pairs start: after the key, options and the entry id."""
    at = 1
    while at < len(args):
        option = text(args[at]).upper()
        if option == "NOMKSTREAM":
            at += 1
        elif option in ("MAXLEN", "MINID"):
            at += 3 if text(args[at + 1]) in ("=", "~") else 2
            if at < len(args) and text(args[at]).upper() == "LIMIT":
                at += 2
        else:
            return at + 1  # the id
    return at


def delivered_by(name: str, args: list[Any], value: Any) -> list[Found]:
    if value is None or isinstance(value, RespError):
        return []
    if name in BLOCKING_POPS and isinstance(value, list) and len(value) >= 2:
        # BZPOPMIN answers [key, member, score]: the score is what puts a member back in place
        score = {"score": text(value[2])} if len(value) >= 3 else None
        return [Found("delivered", value[1], queue=text(value[0]), properties=score)]
    if name in ("LPOP", "RPOP") and args:
        values = value if isinstance(value, list) else [value]
        return [Found("delivered", v, queue=text(args[0])) for v in values if v is not None]
    if name in ("XREADGROUP", "XREAD") and isinstance(value, list):
        acked = name == "XREAD" or any(text(a).upper() == "NOACK" for a in args)
        streams = value.pairs() if isinstance(value, RespMap) else value
        return [
            Found(
                "delivered",
                fields_of(fields or []),
                queue=text(stream),
                id=text(entry_id),
                ack=None if acked else "unacked",
            )
            for stream, entries in streams
            for entry_id, fields in entries or []
        ]
    return []
