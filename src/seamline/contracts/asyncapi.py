"""Validate messages on a broker's links against its AsyncAPI 2.x or 3.0 document.

A message belongs to the channel whose address is the first of its names that the document
declares: a Celery task's name, then the subject (NATS subject, Redis pub/sub channel, AMQP
routing key), then the queue (Redis list or stream, AMQP queue), then the AMQP exchange.
Literal addresses win over ones with `{parameters}`; a parameter stands for one
dot-separated part. Its payload (a Celery task's keyword arguments; `{"args": [...],
"kwargs": {...}}` when it has positional ones) and headers are validated against the
channel's message, or, when the channel has several messages, against each until one fits.
Messages on channels the document does not declare are not checked: brokers carry their
clients' own traffic too (Celery's results and control messages).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from seamline.contracts.asyncapi_document import (
    asyncapi_problems,
    major,
    message_places,
    payload_at,
    version_problem,
)
from seamline.contracts.document import with_lines
from seamline.contracts.openapi import ContractError
from seamline.contracts.schema_errors import explain, leaves
from seamline.errors import ConfigProblem
from seamline.records.exchange import Violation
from seamline.records.message import Message

_PARAM = re.compile(r"\\\{[^}]+\\\}")  # a {parameter} in an escaped address
Problem = tuple[str, str, str]  # (pointer, expected, found) as `explain` gives them


@dataclass(frozen=True)
class MessageSchema:
    """Where one declared message's schemas are in the document (JSON pointers)."""

    pointer: str
    payload: str | None
    headers: str | None
    is_json: bool  # its content type is JSON: the payload is parsed before it is checked


@dataclass(frozen=True)
class Channel:
    address: str
    pattern: re.Pattern[str] | None  # None for a literal address
    messages: tuple[MessageSchema, ...]


class EventContract:
    """A broker's AsyncAPI document, ready to check messages (`check`)."""

    def __init__(self, document: dict[str, Any], source: Path | str = "<asyncapi>") -> None:
        problem = version_problem(document)
        if problem is not None:
            raise ContractError(f"{source}: not an AsyncAPI document seamline reads:", [problem])
        self.source = str(source)
        self.document = document
        self._uri = f"urn:seamline:asyncapi:{abs(hash(self.source))}"
        self._registry: Registry[Any] = Registry().with_resource(
            self._uri, Resource.from_contents(document, default_specification=DRAFT7)
        )
        self._validators: dict[str, Validator] = {}
        self._seen: dict[tuple[str, bytes, tuple[tuple[str, str], ...]], list[Problem]] = {}
        self.channels = self._collect_channels()

    @classmethod
    def load(cls, path: Path) -> EventContract:
        """The document at `path`; ContractError naming each problem's line if it is invalid."""
        try:
            text = path.read_text(encoding="utf-8")
            document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (OSError, ValueError, yaml.YAMLError) as err:
            raise ContractError(f"{path}: cannot read the AsyncAPI document: {err}") from None
        if not isinstance(document, dict):
            raise ContractError(
                f"{path}: expected an AsyncAPI document (a mapping), "
                f"found {type(document).__name__}"
            )
        raw = [
            ConfigProblem(p.key, p.expected, p.found, p.fix, path)
            for p in asyncapi_problems(document)
        ]
        problems = with_lines(raw, text)
        if problems:
            count = len(problems)
            raise ContractError(
                f"{path}: the AsyncAPI document is invalid ({count} problem{'s' * (count > 1)}):",
                problems,
            )
        return cls(document, path)

    # -- the document's channels ----------------------------------------------------------------

    def _collect_channels(self) -> list[Channel]:
        declared: dict[str, list[MessageSchema]] = {}
        v3 = major(self.document) == 3
        for pointer, _ in message_places(self.document):
            if pointer.startswith("/components/"):
                continue
            parts = pointer.split("/")
            name = parts[2].replace("~1", "/").replace("~0", "~")
            address = self._address(name) if v3 else name
            if address is not None:
                declared.setdefault(address, []).append(self._message_schema(pointer))
        channels = [
            Channel(address, _pattern(address), tuple(messages))
            for address, messages in declared.items()
        ]
        # literal addresses first: order.paid wins over order.{event}
        return sorted(channels, key=lambda c: c.pattern is not None)

    def _address(self, channel_id: str) -> str | None:
        """A 3.0 channel's address: its `address`, its id when it has none (null: dynamic)."""
        channel = self._deref(self.document["channels"][channel_id])[0]
        if "address" not in channel:
            return channel_id
        address = channel["address"]
        return address if isinstance(address, str) else None

    def _message_schema(self, pointer: str) -> MessageSchema:
        message, pointer = self._deref(self._at(pointer), pointer)
        content_type = message.get("contentType") or self.document.get("defaultContentType")
        is_json = content_type is None or str(content_type).split(";")[0].strip().endswith("json")
        headers = f"{pointer}/headers" if isinstance(message.get("headers"), dict) else None
        return MessageSchema(pointer, payload_at(message, pointer), headers, is_json)

    def _at(self, pointer: str) -> Any:
        value: Any = self.document
        for raw in pointer.split("/")[1:]:
            part = raw.replace("~1", "/").replace("~0", "~")
            value = value[int(part)] if isinstance(value, list) else value[part]
        return value

    def _deref(self, value: Any, pointer: str = "") -> tuple[Any, str]:
        while isinstance(value, dict) and isinstance(value.get("$ref"), str):
            pointer = value["$ref"][1:]
            value = self._at(pointer)
        return value, pointer

    def channel(self, name: str) -> Channel | None:
        """The channel whose address `name` is, or matches; None if none does."""
        for channel in self.channels:
            if channel.address == name or (channel.pattern and channel.pattern.match(name)):
                return channel
        return None

    # -- checking messages ----------------------------------------------------------------------

    def check(self, message: Message) -> list[Violation]:
        """How `message` breaks its channel's message schema; [] if it keeps it, or if it is
        on no declared channel, or if its payload was cut at `[seams] body_cap`."""
        if message.direction == "ack" or message.problem or message.payload.truncated:
            return []
        names = [message.task["name"]] if message.task else []
        names += [n for n in (message.subject, message.queue, message.exchange) if n]
        found = next(((n, c) for n in names if (c := self.channel(n)) is not None), None)
        if found is None:
            return []
        name, channel = found
        # Tests send the same events again and again: check each payload once per channel.
        key = (channel.address, message.payload.data, tuple(message.headers))
        problems = self._seen.get(key)
        if problems is None:
            problems = self._problems(message, channel)
            if len(self._seen) >= 4096:
                self._seen.clear()
            self._seen[key] = problems
        return [
            Violation(message.seam, f"channel {name}", message.direction, *problem)
            for problem in problems
        ]

    def _problems(self, message: Message, channel: Channel) -> list[Problem]:
        """The problems against the message schema it fits best (none if it fits one)."""
        best: list[Problem] | None = None
        for schema in channel.messages:
            problems = self._payload_problems(message, schema)
            if schema.headers is not None:
                headers = dict(message.headers)
                problems += [
                    (_header_label(pointer), expected, found)
                    for pointer, expected, found in self._schema_problems(schema.headers, headers)
                ]
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        return best or []

    def _payload_problems(self, message: Message, schema: MessageSchema) -> list[Problem]:
        if schema.payload is None:
            return []
        if message.task is not None:
            # an event's fields are the task's keyword arguments; positional ones have no name
            args, kwargs = message.task["args"], message.task["kwargs"]
            instance: Any = {"args": args, "kwargs": kwargs} if args else kwargs
        elif not schema.is_json:
            instance = message.payload.text
        else:
            try:
                instance = json.loads(message.payload.data)
            except ValueError:
                text = message.payload.text[:40] + ("..." if len(message.payload.text) > 40 else "")
                return [("payload", "a JSON payload", repr(text))]
        return self._schema_problems(schema.payload, instance)

    def _schema_problems(self, pointer: str, instance: Any) -> list[Problem]:
        validator = self._validators.get(pointer)
        if validator is None:
            validator = Draft7Validator(
                {"$ref": f"{self._uri}#{pointer}"},
                registry=self._registry,
                format_checker=Draft7Validator.FORMAT_CHECKER,
            )
            self._validators[pointer] = validator
        errors = validator.iter_errors(instance)
        return list(dict.fromkeys(explain(error) for error in leaves(errors)))


def _pattern(address: str) -> re.Pattern[str] | None:
    escaped = re.escape(address)
    if not _PARAM.search(escaped):
        return None
    return re.compile("^" + _PARAM.sub(r"[^.]+", escaped) + "$")


def _header_label(pointer: str) -> str:
    """'/trace_id' -> 'header trace_id'; a problem with the headers as a whole: 'headers'."""
    name = pointer.removeprefix("/").replace("~1", "/").replace("~0", "~")
    return f"header {name}" if name else "headers"
