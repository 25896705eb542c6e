"""The few AMQP 0-9-1 methods seamline itself needs: log in, open a channel, purge queues.

A blocking client over one socket, written against the AMQP 0-9-1 spec, so a readiness
probe and the per-test purge need no client library: a `pika` connection would do the
same, but seamline does not depend on one. Frames: type (1 octet), channel (2), size (4),
payload, 0xCE. A method payload is class id (2), method id (2), then its arguments.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from seamline.runtime.ports import LOOPBACK

PROTOCOL_HEADER = b"AMQP\x00\x00\x09\x01"
FRAME_METHOD, FRAME_HEARTBEAT, FRAME_END = 1, 8, 0xCE
BODY_CHUNK = 4096 - 8  # within the smallest frame_max a broker may ask for (4096)
CONNECTION_START, CONNECTION_START_OK = (10, 10), (10, 11)
CONNECTION_TUNE, CONNECTION_TUNE_OK = (10, 30), (10, 31)
CONNECTION_OPEN, CONNECTION_OPEN_OK = (10, 40), (10, 41)
CONNECTION_CLOSE, CONNECTION_CLOSE_OK = (10, 50), (10, 51)
CHANNEL_OPEN, CHANNEL_OPEN_OK = (20, 10), (20, 11)
CHANNEL_CLOSE, CHANNEL_CLOSE_OK = (20, 40), (20, 41)
QUEUE_PURGE, QUEUE_PURGE_OK = (50, 30), (50, 31)
BASIC_PUBLISH, BASIC_ACK, BASIC_NACK = (60, 40), (60, 80), (60, 120)
CONFIRM_SELECT, CONFIRM_SELECT_OK = (85, 10), (85, 11)
FRAME_HEADER, FRAME_BODY = 2, 3


class AmqpError(Exception):
    """The broker refused or closed: `code` is AMQP's reply code (404 not found, 405 locked...)."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code = code


@dataclass(frozen=True)
class Method:
    channel: int
    method: tuple[int, int]
    args: bytes


def shortstr(text: str) -> bytes:
    data = text.encode()
    return struct.pack("B", len(data)) + data


def longstr(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _frame(kind: int, channel: int, payload: bytes) -> bytes:
    return struct.pack(">BHI", kind, channel, len(payload)) + payload + bytes([FRAME_END])


def _close_reason(args: bytes) -> AmqpError:
    code, length = struct.unpack_from(">HB", args)
    return AmqpError(code, args[3 : 3 + length].decode(errors="replace"))


class AmqpConnection:
    """One logged-in connection to a vhost, with channel 1 open for queue methods."""

    def __init__(
        self,
        port: int,
        *,
        vhost: str = "/",
        user: str = "guest",
        password: str = "guest",
        timeout: float = 5.0,
    ) -> None:
        self._confirming = False
        self.sock = socket.create_connection((LOOPBACK, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")
        try:
            self._handshake(vhost, user, password)
        except BaseException:
            self.close()
            raise

    def _handshake(self, vhost: str, user: str, password: str) -> None:
        self.sock.sendall(PROTOCOL_HEADER)
        self.expect(0, CONNECTION_START)
        login = b"\0" + user.encode() + b"\0" + password.encode()
        self.send(
            0,
            CONNECTION_START_OK,
            longstr(b"") + shortstr("PLAIN") + longstr(login) + shortstr("en_US"),
        )
        tune = self.expect(0, CONNECTION_TUNE)
        channel_max, frame_max, _ = struct.unpack_from(">HIH", tune.args)
        self.send(0, CONNECTION_TUNE_OK, struct.pack(">HIH", channel_max, frame_max, 0))
        self.send(0, CONNECTION_OPEN, shortstr(vhost) + shortstr("") + b"\0")
        self.expect(0, CONNECTION_OPEN_OK)
        self.open_channel()

    def open_channel(self) -> None:
        self.send(1, CHANNEL_OPEN, shortstr(""))
        self.expect(1, CHANNEL_OPEN_OK)

    def purge(self, queue: str) -> int:
        """Empty `queue` (its ready messages; unacked ones stay with their consumer);
        returns how many were removed. A refused purge (the queue is gone, or exclusive
        to another connection) raises AmqpError and leaves channel 1 open again."""
        self.send(1, QUEUE_PURGE, struct.pack(">H", 0) + shortstr(queue) + b"\0")
        try:
            done = self.expect(1, QUEUE_PURGE_OK)
        except AmqpError:
            self.open_channel()
            raise
        count: int = struct.unpack_from(">I", done.args)[0]
        return count

    def publish(self, exchange: str, routing_key: str, body: bytes) -> None:
        """Publish `body` on channel 1 and wait until the broker has it (a publisher
        confirm); AmqpError if it refuses (no such exchange: 404)."""
        if not self._confirming:
            self.send(1, CONFIRM_SELECT, b"\0")
            self.expect(1, CONFIRM_SELECT_OK)
            self._confirming = True
        self.send(1, BASIC_PUBLISH, b"\0\0" + shortstr(exchange) + shortstr(routing_key) + b"\0")
        header = struct.pack(">HHQH", 60, 0, len(body), 0)  # basic class, no properties
        frames = [_frame(FRAME_HEADER, 1, header)]
        frames += [
            _frame(FRAME_BODY, 1, body[at : at + BODY_CHUNK])
            for at in range(0, len(body), BODY_CHUNK)
        ]
        self.sock.sendall(b"".join(frames))
        confirm = self.read()
        if confirm.method == CHANNEL_CLOSE:
            self.send(1, CHANNEL_CLOSE_OK, b"")
            self.open_channel()
            self._confirming = False
            raise _close_reason(confirm.args)
        if confirm.method != BASIC_ACK:
            raise AmqpError(0, f"the broker did not confirm the publish: {confirm.method}")

    def send(self, channel: int, method: tuple[int, int], args: bytes) -> None:
        self.sock.sendall(_frame(FRAME_METHOD, channel, struct.pack(">HH", *method) + args))

    def read(self) -> Method:
        while True:
            header = self.reader.read(7)
            if len(header) < 7:
                raise ConnectionError("the broker closed the connection")
            kind, channel, size = struct.unpack(">BHI", header)
            body = self.reader.read(size + 1)
            if len(body) < size + 1 or body[-1] != FRAME_END:
                raise ConnectionError("malformed AMQP frame from the broker")
            if kind == FRAME_METHOD:
                class_id, method_id = struct.unpack_from(">HH", body)
                return Method(channel, (class_id, method_id), body[4:size])
            # heartbeats (none are negotiated) and content frames are not ours: skipped

    def expect(self, channel: int, method: tuple[int, int]) -> Method:
        """The next method, which must be `method`; the broker closing says why, as AmqpError."""
        got = self.read()
        if got.method == CHANNEL_CLOSE:
            self.send(got.channel, CHANNEL_CLOSE_OK, b"")
            raise _close_reason(got.args)
        if got.method == CONNECTION_CLOSE:
            self.send(0, CONNECTION_CLOSE_OK, b"")
            raise _close_reason(got.args)
        if got.method != method or got.channel != channel:
            raise ConnectionError(f"expected AMQP method {method}, got {got.method}")
        return got

    def close(self) -> None:
        try:
            self.send(0, CONNECTION_CLOSE, struct.pack(">H", 200) + shortstr("") + b"\0\0\0\0")
            self.expect(0, CONNECTION_CLOSE_OK)
        except (OSError, ConnectionError, AmqpError, struct.error):
            pass  # closing anyway
        finally:
            self.reader.close()
            self.sock.close()

    def __enter__(self) -> AmqpConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
