"""One message that crossed a broker link, as `messages.jsonl` records it.

`to_json` and `from_json` build and read `records.lines.MessageLine`; `settle_acks` folds
the ack lines of a file into the deliveries they settle.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from seamline.records.exchange import Body, HeaderList, Violation
from seamline.records.lines import FORMAT_VERSION, AckOutcome, Direction, MessageLine


@dataclass
class Message:
    """A message published by the seam's consumer, or delivered to it (`system.messages`)."""

    consumer: str
    provider: str
    protocol: str
    direction: Direction
    payload: Body
    subject: str | None = None
    exchange: str | None = None
    queue: str | None = None
    id: str | None = None
    headers: HeaderList = field(default_factory=HeaderList)
    properties: dict[str, Any] | None = None
    ack: AckOutcome | None = None
    task: dict[str, Any] | None = None
    fault: str | None = None
    problem: str | None = None
    test: str | None = None
    at: str = ""
    mono: float = 0.0
    seq: int = 0
    violations: list[Violation] = field(default_factory=list)  # of the broker's AsyncAPI

    @property
    def seam(self) -> str:
        return f"{self.consumer} -> {self.provider}"

    @property
    def json(self) -> Any:
        """The payload parsed as JSON (`Body.json`): `message.json["order_id"]`."""
        return self.payload.json

    @property
    def error(self) -> str | None:
        """What went wrong with it, for failure listings: a fault, undecodable bytes, the
        first way it broke its broker's AsyncAPI contract."""
        if self.problem or self.fault:
            return self.problem or f"fault: {self.fault}"
        if not self.violations:
            return None
        more = len(self.violations) - 1
        broken = self.violations[0].message.removeprefix(f"{self.seam}: ")
        return f"breaks the contract: {broken}" + (f" (and {more} more)" if more else "")

    def __str__(self) -> str:
        where = " ".join(
            part for part in (self.exchange, self.subject, self.queue and f"[{self.queue}]") if part
        )
        what = task_call(self.task) if self.task else self.payload.text[:120]
        ack = f" ({self.ack})" if self.ack else ""
        return f"{self.seam} {self.direction} {where or '-'}: {what}{ack}"

    def to_json(self) -> MessageLine:
        return {
            "v": FORMAT_VERSION,
            "seam": self.seam,
            "consumer": self.consumer,
            "provider": self.provider,
            "protocol": self.protocol,
            "direction": self.direction,
            "seq": self.seq,
            "test": self.test,
            "at": self.at,
            "mono": self.mono,
            "subject": self.subject,
            "exchange": self.exchange,
            "queue": self.queue,
            "id": self.id,
            "headers": list(self.headers),
            "properties": self.properties,
            "payload": self.payload.to_json(),
            "ack": self.ack,
            "task": self.task,
            "fault": self.fault,
            "problem": self.problem,
            "violations": [v.to_json() for v in self.violations],
        }

    @classmethod
    def from_json(cls, record: MessageLine) -> Message:
        return cls(
            consumer=record["consumer"],
            provider=record["provider"],
            protocol=record["protocol"],
            direction=record["direction"],
            payload=Body.from_json(record["payload"], ""),
            subject=record["subject"],
            exchange=record["exchange"],
            queue=record["queue"],
            id=record["id"],
            headers=HeaderList((str(k), str(v)) for k, v in record["headers"]),
            properties=record["properties"],
            ack=record["ack"],
            task=record["task"],
            fault=record["fault"],
            problem=record["problem"],
            test=record["test"],
            at=record["at"],
            mono=record["mono"],
            seq=record["seq"],
            # lines written before AsyncAPI checks have none
            violations=[Violation.from_json(v) for v in record.get("violations", [])],
        )


def settle_acks(lines: list[MessageLine]) -> list[MessageLine]:
    """The messages of `lines`, each delivery carrying the outcome of the ack line that
    names its id on its seam; ack lines themselves are left out."""
    delivered: dict[tuple[str, str], MessageLine] = {}
    messages: list[MessageLine] = []
    for line in lines:
        key = (line["seam"], line["id"] or "")
        if line["direction"] == "ack":
            if key in delivered:
                delivered[key]["ack"] = line["ack"]
            continue
        if line["direction"] == "delivered" and line["id"] is not None:
            delivered[key] = line
        messages.append(line)
    return messages


def celery_task(payload: bytes) -> dict[str, Any] | None:
    """The task a Celery message in kombu's JSON envelope carries (the Redis transport:
    headers, properties and a base64 body in one JSON object), or None if it is not one."""
    if not payload.startswith(b"{") or b'"task"' not in payload:
        return None
    try:
        envelope = json.loads(payload)
        body = envelope["body"]
        if envelope.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        return celery_task_of(envelope["headers"], body)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def celery_task_of(headers: Mapping[str, Any], body: bytes | str) -> dict[str, Any] | None:
    """The task of a Celery (protocol 2) message from its headers (`task`, `id`, `retries`)
    and its JSON body `[args, kwargs, embed]` (AMQP carries both as they are); None if the
    message is not a task."""
    if "task" not in headers or "id" not in headers:
        return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    if not isinstance(parsed, list) or len(parsed) != 3:
        return None
    args, kwargs, _embed = parsed
    return {
        "name": headers["task"],
        "id": headers["id"],
        "retries": headers.get("retries", 0),
        "args": args,
        "kwargs": kwargs,
    }


def task_call(task: dict[str, Any]) -> str:
    """`shop.tasks.ship(order_id=7)`: a task as the call it stands for."""
    args = [repr(a) for a in task.get("args", [])]
    args += [f"{k}={v!r}" for k, v in task.get("kwargs", {}).items()]
    return f"{task.get('name')}({', '.join(args)})"
