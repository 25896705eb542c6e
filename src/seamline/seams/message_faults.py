"""Faults on a message seam: drop, delay, duplicate, reorder or cut one delivery at a time.

A fault needs whole frames, so while one is set the seam's connections read frame by frame
(seams/message_relay.py); what it does to a delivery is here.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from seamline.seams import amqp, resp
from seamline.seams.message_capture import Link

FaultAction = Literal["drop", "delay", "duplicate", "reorder", "cut"]
FAULT_ACTIONS: tuple[str, ...] = ("drop", "delay", "duplicate", "reorder", "cut")


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


class Faulted(Protocol):
    """What a fault acts through: one connection of the seam, read frame by frame."""

    link: Link
    held: list[bytes]  # a reordered push, let out after the next one
    copies: Counter[tuple[str | None, bytes]]  # the seam's duplicates in flight

    def to_consumer(self, data: bytes) -> None: ...

    def to_broker(
        self,
        data: bytes,
        *,
        swallow_reply: bool = False,
        as_consumer: tuple[str, list[Any]] | None = None,
    ) -> None: ...

    def record(self, found: resp.Found, fault: str | None = None) -> None: ...

    def forget(self, channel: int, tag: int) -> None: ...

    def cut(self) -> None: ...


async def apply(
    fault: MessageFault,
    frame: resp.Frame,
    answers: str,
    delivered: list[resp.Found],
    to: Faulted,
) -> bool:
    """Do `fault` to the deliveries in `frame`; True if it cut the connection."""
    action, found = fault.action, delivered[0]
    if action == "delay":  # what came before goes now; this one, and all after, later
        # asyncio may wake a timer up to a clock tick early: the delay is at least delay_ms
        deadline = time.monotonic() + fault.delay_ms / 1000
        while (left := deadline - time.monotonic()) > 0:
            await asyncio.sleep(left)
    for item in delivered:
        to.record(item, fault=action)
    push = answers == "push"
    if action == "cut":
        to.cut()
        return True
    if isinstance(to.link, amqp.AmqpLink):
        _apply_amqp(action, frame, found, to)
        return False
    if action == "delay":
        to.to_consumer(frame.raw)
    elif action == "drop":
        # a pop already took it off the broker: the consumer waits on, or gets "nothing yet"
        if not push and not _pop_again(found, to):
            to.to_consumer(_nothing(answers))
    elif action == "duplicate":
        to.to_consumer(frame.raw)
        if push:
            to.to_consumer(frame.raw)
            to.record(found, fault=action)
        else:  # put it back where the next pop takes it from: the broker redelivers it
            _push_back(found, answers, to, next_out=True)
    elif action == "reorder":
        if push:
            to.held.append(frame.raw)
        else:  # to the far end of the queue: what was queued behind it goes first
            _push_back(found, answers, to, next_out=False)  # before a pop sent again blocks
            if not _pop_again(found, to):
                to.to_consumer(_nothing(answers))
    return False


def _nothing(answers: str) -> bytes:
    """What a pop answers when it popped nothing: nil (a blocking pop's, once timed out)."""
    return resp.NIL_ARRAY if answers in resp.BLOCKING_POPS else b"$-1\r\n"


def _pop_again(found: resp.Found, to: Faulted) -> bool:
    """Send the blocking pop whose answer a fault took upstream again, for the consumer, who
    still waits on it: Redis never answers `BRPOP key 0` with nil, so a lost message must look
    like one that never came. False if no pop waits, or its time-out has passed."""
    wait = found.wait
    command = wait.again(time.monotonic()) if wait is not None else None
    if wait is None or command is None:
        return False
    to.to_broker(command, as_consumer=(wait.name, wait.args))
    return True


def _apply_amqp(action: str, frame: resp.Frame, found: resp.Found, to: Faulted) -> None:
    """Do a drop, duplicate or reorder (delay has waited) to one AMQP delivery.

    A dropped delivery is acked to the broker by the seam, so it is lost as a popped
    Redis message is (and forgotten by the link: a later `multiple` ack of the consumer
    does not cover it). A duplicate is a copy published through the default exchange to the
    consumer's queue: a delivery tag cannot be given twice, so the broker delivers the copy
    under its own. A `Basic.Get` waits for its answer: a dropped or reordered one answers
    Get-Empty."""
    props = found.properties or {}
    channel, tag = int(props.get("channel", 0)), int(props.get("delivery_tag", 0))
    is_get = frame.value.method == amqp.GET_OK
    route = ("", found.queue) if found.queue else (found.exchange or "", found.subject or "")
    if action == "delay":
        to.to_consumer(frame.raw)
    elif action == "duplicate":
        to.to_consumer(frame.raw)
        to.to_broker(amqp.republish(frame.raw, *route))
        to.copies[(found.queue, found.payload)] += 1
    elif action == "reorder" and not is_get:
        to.held.append(frame.raw)
    else:  # drop, or reorder a Basic.Get's answer: to the far end of its queue
        if found.ack == "unacked":
            to.forget(channel, tag)
            to.to_broker(amqp.ack_frame(channel, tag))
        if action == "reorder":
            to.to_broker(amqp.republish(frame.raw, *route))
        if is_get:
            to.to_consumer(amqp.get_empty_frame(channel))


def is_copy(copies: Counter[tuple[str | None, bytes]], found: resp.Found) -> bool:
    """Whether `found` is a copy the seam published for a duplicate (no fault again)."""
    if not copies:
        return False  # the usual case: no payload to hash
    key = (found.queue, found.payload)
    if key not in copies:
        return False
    copies[key] -= 1
    if copies[key] <= 0:
        del copies[key]
    return True


def _push_back(found: resp.Found, popped_by: str, to: Faulted, *, next_out: bool) -> None:
    key = (found.queue or "").encode()
    if popped_by == "BZPOPMIN":  # a sorted set: back with its score, so in its turn again
        score = str((found.properties or {}).get("score", "0")).encode()
        to.to_broker(resp.encode_command(b"ZADD", key, score, found.payload), swallow_reply=True)
        return
    pops_right = popped_by in ("BRPOP", "RPOP")
    command = b"RPUSH" if pops_right == next_out else b"LPUSH"
    to.to_broker(resp.encode_command(command, key, found.payload), swallow_reply=True)
