"""NATS on a message seam: `PUB`/`HPUB` publish, `MSG`/`HMSG` deliver.

The protocol is text lines, some followed by a payload of the size the line gives. A
delivery is a push (it answers no command), so faults treat it as Redis pub/sub pushes.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from seamline.seams.resp import Found, Incomplete

_WITH_PAYLOAD = {"PUB": 2, "HPUB": 3, "MSG": 3, "HMSG": 4}  # fewest arguments each has


@dataclass
class Op:
    """One protocol operation: its verb, arguments, headers block and payload."""

    verb: str
    args: list[str]
    headers: bytes = b""
    payload: bytes = b""


def parse(buf: bytes, pos: int) -> tuple[Op, int]:
    """The operation at `pos` and where the next one starts; ValueError if it is not NATS."""
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise Incomplete
    parts = buf[pos:end].decode("utf-8", "replace").split()
    if not parts or (not parts[0].isalpha() and parts[0] not in ("+OK", "-ERR")):
        raise ValueError(f"expected a NATS operation, found {bytes(buf[pos:end][:80])!r}")
    verb = parts[0].upper()
    if verb not in _WITH_PAYLOAD:
        return Op(verb, parts[1:]), end + 2
    if len(parts) - 1 < _WITH_PAYLOAD[verb]:
        raise ValueError(f"expected {verb} with a size, found {' '.join(parts)!r}")
    total = int(parts[-1])
    header_size = int(parts[-2]) if verb in ("HPUB", "HMSG") else 0
    stop = end + 2 + total
    if len(buf) < stop + 2:
        raise Incomplete
    block = bytes(buf[end + 2 : stop])
    return Op(verb, parts[1:], block[:header_size], block[header_size:]), stop + 2


def headers_of(block: bytes) -> list[tuple[str, str]]:
    """`NATS/1.0\\r\\nName: value\\r\\n...` as (name, value) pairs."""
    if not block:
        return []  # PUB and MSG: no headers block at all
    lines = block.decode("utf-8", "replace").split("\r\n")[1:]
    pairs = [line.split(":", 1) for line in lines if ":" in line]
    return [(name.strip(), value.strip()) for name, value in pairs]


class NatsLink:
    """What one client connection's operations carry."""

    def __init__(self) -> None:
        self.pending: deque[tuple[str, list[Any]]] = deque()  # stays empty: no replies pair
        self.decoding = True

    def command(self, op: Any) -> list[Found]:
        if isinstance(op, Op) and op.verb in ("PUB", "HPUB"):
            return [Found("published", op.payload, op.args[0], headers=headers_of(op.headers))]
        return []

    def reply(self, op: Any) -> tuple[str, list[Found]]:
        if isinstance(op, Op) and op.verb in ("MSG", "HMSG"):
            found = Found("delivered", op.payload, op.args[0], headers=headers_of(op.headers))
            return "push", [found]
        return "", []
