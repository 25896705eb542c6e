"""Check an AsyncAPI 2.x or 3.0 document's structure before it is used.

The official AsyncAPI JSON Schemas are hundreds of kilobytes (every binding of every protocol);
this checks by hand what the message checks rely on, so that a mistake there is an error with
its place instead of a channel that quietly checks nothing: the version, `info`, the shape of
channels, operations and messages (unknown keys get a did-you-mean), every `$ref`, and every
payload and headers schema against JSON Schema draft-07 (AsyncAPI's schema dialect).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema import Draft7Validator

from seamline.config.keys import suggest
from seamline.contracts.document import TYPES_DRAFT7, escape, ref_problems, schema_problems
from seamline.contracts.schema_errors import shown
from seamline.errors import ConfigProblem


def _keys_of(names: str) -> tuple[str, ...]:
    return tuple(names.split())


VERSIONS = (*(f"2.{minor}.0" for minor in range(7)), "3.0.0")
# The keys each object may have (besides `$ref` and `x-` extensions), in the spec's order.
_ROOT_2 = _keys_of("asyncapi id info servers defaultContentType channels components tags")
_ROOT_2 += ("externalDocs",)
_ROOT_3 = _keys_of("asyncapi id info servers defaultContentType channels operations components")
_CHANNEL_2 = _keys_of("description servers subscribe publish parameters bindings")
_OPERATION_2 = _keys_of("operationId summary description security tags externalDocs bindings")
_OPERATION_2 += ("traits", "message")
_CHANNEL_3 = _keys_of("address messages title summary description servers parameters tags")
_CHANNEL_3 += ("externalDocs", "bindings")
_OPERATION_3 = _keys_of("action channel title summary description security tags externalDocs")
_OPERATION_3 += ("bindings", "traits", "messages", "reply")
_MESSAGE = _keys_of("headers payload correlationId contentType name title summary description")
_MESSAGE += ("tags", "externalDocs", "bindings", "examples", "traits")
_MESSAGE_2 = (*_MESSAGE, "messageId", "schemaFormat")


def major(document: dict[str, Any]) -> int:
    """2 or 3: which AsyncAPI the document is (check `version_problem` first)."""
    return 3 if str(document.get("asyncapi")).startswith("3.") else 2


def version_problem(document: dict[str, Any]) -> ConfigProblem | None:
    version = document.get("asyncapi")
    if isinstance(version, str) and version in VERSIONS:
        return None
    return ConfigProblem(
        "/asyncapi",
        "an AsyncAPI version seamline reads (2.0.0 to 2.6.0, or 3.0.0)",
        shown(version) if "asyncapi" in document else "no 'asyncapi' key",
        "start the document with asyncapi: 3.0.0 (or 2.6.0) and the structure of that version",
    )


def asyncapi_problems(document: dict[str, Any]) -> list[ConfigProblem]:
    """Every problem of the document that the message checks would trip on."""
    wrong_version = version_problem(document)
    if wrong_version is not None:
        return [wrong_version]
    v3 = major(document) == 3
    problems = _keys(document, "", "an AsyncAPI document", _ROOT_3 if v3 else _ROOT_2)
    problems += _info_problems(document.get("info"))
    problems += (_v3_problems if v3 else _v2_problems)(document)
    problems += ref_problems(document)
    for pointer, message in message_places(document):
        problems += _message_problems(message, pointer, v3)
    seen: set[str] = set()
    for pointer, schema in _schema_places(document):
        for problem in schema_problems(schema, pointer, Draft7Validator, TYPES_DRAFT7):
            if problem.key not in seen:
                seen.add(problem.key)
                problems.append(problem)
    return problems


def _keys(
    value: dict[str, Any], pointer: str, what: str, allowed: tuple[str, ...]
) -> list[ConfigProblem]:
    problems = []
    for key in value:
        if key in allowed or str(key).startswith("x-") or key == "$ref":
            continue
        near = suggest(str(key), allowed)
        problems.append(
            ConfigProblem(
                f"{pointer}/{escape(str(key))}",
                f"a key of {what} ({', '.join(allowed)})",
                repr(key),
                f"did you mean '{near}'?" if near else "remove it, or name it x-... (an extension)",
            )
        )
    return problems


def _mapping(value: Any, pointer: str, what: str) -> ConfigProblem | None:
    if isinstance(value, dict):
        return None
    return ConfigProblem(pointer, what, shown(value), "")


def _info_problems(info: Any) -> list[ConfigProblem]:
    if not isinstance(info, dict):
        found = "nothing" if info is None else shown(info)
        return [ConfigProblem("/info", "an info object with title and version", found, "")]
    return [
        ConfigProblem(
            f"/info/{key}",
            f"the document's {key} (a string)",
            shown(info[key]) if key in info else "nothing",
            "",
        )
        for key in ("title", "version")
        if not isinstance(info.get(key), str)
    ]


def _table(document: dict[str, Any], key: str) -> tuple[dict[str, Any], list[ConfigProblem]]:
    """The mapping at /key (empty if absent) and the problem if it is not one."""
    value = document.get(key, {})
    problem = _mapping(value, f"/{key}", f"a mapping of {key} (name -> object)")
    return (value, []) if problem is None else ({}, [problem])


def _v2_problems(document: dict[str, Any]) -> list[ConfigProblem]:
    channels, problems = _table(document, "channels")
    for name, item in channels.items():
        where = f"/channels/{escape(str(name))}"
        if (problem := _mapping(item, where, "a channel item (a mapping)")) is not None:
            problems.append(problem)
            continue
        problems += _keys(item, where, "a channel item", _CHANNEL_2)
        for verb in ("publish", "subscribe"):
            operation = item.get(verb)
            if operation is None:
                continue
            if (problem := _mapping(operation, f"{where}/{verb}", "an operation")) is not None:
                problems.append(problem)
                continue
            problems += _keys(operation, f"{where}/{verb}", "an operation", _OPERATION_2)
    return problems


def _v3_problems(document: dict[str, Any]) -> list[ConfigProblem]:
    channels, problems = _table(document, "channels")
    for name, item in channels.items():
        where = f"/channels/{escape(str(name))}"
        if (problem := _mapping(item, where, "a channel (a mapping)")) is not None:
            problems.append(problem)
            continue
        problems += _keys(item, where, "a channel", _CHANNEL_3)
        address = item.get("address")
        if address is not None and not isinstance(address, str):
            problems.append(
                ConfigProblem(f"{where}/address", "a string or null", shown(address), "")
            )
        messages = item.get("messages", {})
        if (problem := _mapping(messages, f"{where}/messages", "messages by id")) is not None:
            problems.append(problem)
    operations, more = _table(document, "operations")
    problems += more
    for name, operation in operations.items():
        where = f"/operations/{escape(str(name))}"
        if (problem := _mapping(operation, where, "an operation (a mapping)")) is not None:
            problems.append(problem)
            continue
        problems += _keys(operation, where, "an operation", _OPERATION_3)
        if operation.get("action") not in ("send", "receive"):
            found = operation.get("action")
            problems.append(ConfigProblem(f"{where}/action", "send or receive", shown(found), ""))
        channel = operation.get("channel")
        if not isinstance(channel, dict) or "$ref" not in channel:
            problems.append(
                ConfigProblem(
                    f"{where}/channel",
                    "a reference to a channel",
                    shown(channel),
                    "write channel: {$ref: '#/channels/<id>'}",
                )
            )
    return problems


def message_places(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(pointer, value) of every message object or reference the document declares."""
    components = document.get("components")
    messages = components.get("messages") if isinstance(components, dict) else None
    if isinstance(messages, dict):
        for name, message in messages.items():
            yield f"/components/messages/{escape(str(name))}", message
    channels = document.get("channels")
    for name, item in (channels if isinstance(channels, dict) else {}).items():
        if not isinstance(item, dict):
            continue
        where = f"/channels/{escape(str(name))}"
        if major(document) == 3:
            inner = item.get("messages")
            for key, message in (inner if isinstance(inner, dict) else {}).items():
                yield f"{where}/messages/{escape(str(key))}", message
            continue
        for verb in ("publish", "subscribe"):
            operation = item.get(verb)
            message = operation.get("message") if isinstance(operation, dict) else None
            if isinstance(message, dict) and isinstance(message.get("oneOf"), list):
                for index, one in enumerate(message["oneOf"]):
                    yield f"{where}/{verb}/message/oneOf/{index}", one
            elif message is not None:
                yield f"{where}/{verb}/message", message


def _message_problems(message: Any, pointer: str, v3: bool) -> list[ConfigProblem]:
    if (problem := _mapping(message, pointer, "a message object (a mapping)")) is not None:
        return [problem]
    if "$ref" in message:
        return []  # ref_problems checks where it leads; the target is a message place itself
    problems = _keys(message, pointer, "a message", _MESSAGE if v3 else _MESSAGE_2)
    headers = message.get("headers")
    if isinstance(headers, dict) and headers.get("type", "object") != "object":
        problems.append(
            ConfigProblem(
                f"{pointer}/headers/type",
                "a schema of type object (AsyncAPI headers are a mapping)",
                shown(headers.get("type")),
                "declare headers as type: object with properties",
            )
        )
    schema_format = schema_format_of(message)
    if not is_json_schema_format(schema_format):
        inner = (payload_at(message, pointer) or "").endswith("/schema")
        problems.append(
            ConfigProblem(
                f"{pointer}/payload/schemaFormat" if inner else f"{pointer}/schemaFormat",
                "a JSON Schema format (application/vnd.aai.asyncapi...; "
                "application/schema+json;version=draft-07)",
                shown(schema_format),
                "seamline checks JSON Schema payloads only: write the payload as a JSON Schema",
            )
        )
    return problems


def is_json_schema_format(schema_format: Any) -> bool:
    return isinstance(schema_format, str) and schema_format.startswith(
        ("application/vnd.aai.asyncapi", "application/schema+json", "application/schema+yaml")
    )


def schema_format_of(message: dict[str, Any]) -> Any:
    """The format of a message's payload schema; AsyncAPI's own (JSON Schema) when unsaid."""
    payload = message.get("payload")
    if isinstance(payload, dict) and "schemaFormat" in payload and "schema" in payload:
        return payload["schemaFormat"]
    return message.get("schemaFormat", "application/vnd.aai.asyncapi")


def payload_at(message: dict[str, Any], pointer: str) -> str | None:
    """The pointer of a message's payload schema (a 3.0 multi-format one's `schema`)."""
    payload = message.get("payload")
    if not isinstance(payload, dict):
        return None
    if "schemaFormat" in payload and "schema" in payload:
        return f"{pointer}/payload/schema"
    return f"{pointer}/payload"


def _schema_places(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    components = document.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if isinstance(schemas, dict):
        for name, schema in schemas.items():
            yield f"/components/schemas/{escape(str(name))}", schema
    for pointer, message in message_places(document):
        if not isinstance(message, dict) or "$ref" in message:
            continue
        payload = payload_at(message, pointer)
        if payload is not None and is_json_schema_format(schema_format_of(message)):
            value = message["payload"]
            yield payload, value["schema"] if payload.endswith("/schema") else value
        if "headers" in message:
            yield f"{pointer}/headers", message["headers"]
