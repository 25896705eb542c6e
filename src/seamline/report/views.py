"""One recorded exchange, broker message or database change as the report shows it: masked
and bounded.

The same views go into `report.json` and into the HTML page, so the two always
agree. JSON bodies are kept as compact masked JSON (the page indents them), all
bodies are cut to `body_limit` characters with their full size kept, and
binary bodies are never shown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from seamline.masking import MASK, Masker, SecretNames
from seamline.records.lines import BodyLine, DbChangeLine, ExchangeLine, MessageLine, ViolationLine

JSON_TYPES = ("application/json", "+json")
FORM_TYPE = "application/x-www-form-urlencoded"


def exchange_view(record: ExchangeLine, masker: Masker, body_limit: int) -> dict[str, Any]:
    request = record.get("request") or {}
    response = record.get("response")
    return {
        **_link(record),
        "mode": record.get("mode") or "real",
        "outcome": record.get("outcome") or "ok",
        "error": masker.text(str(record["error"])) if record.get("error") else None,
        "started": record.get("started", ""),
        "ended": record.get("ended", ""),
        "mono": _number(record.get("mono"), 6),
        "duration_ms": _number(record.get("duration_ms"), 3),
        "request": {
            "method": str(request.get("method") or "?"),
            "target": masker.target(str(request.get("target") or request.get("path") or "")),
            "path": masker.text(str(request.get("path") or "")),
            "http_version": request.get("http_version"),
            "headers": masker.headers(request.get("headers") or []),
            "body": body_view(request.get("body"), request.get("headers"), masker, body_limit),
        },
        "response": None
        if not isinstance(response, dict)
        else {
            "status": response.get("status"),
            "reason": response.get("reason") or "",
            "headers": masker.headers(response.get("headers") or []),
            "body": body_view(response.get("body"), response.get("headers"), masker, body_limit),
        },
        "fault": masker.json(record.get("fault")),
        "violations": [violation_view(v, masker) for v in record.get("violations") or []],
    }


def message_view(record: MessageLine, masker: Masker, body_limit: int) -> dict[str, Any]:
    """A message on a broker link; its payload shown as JSON when it is JSON."""
    payload = record.get("payload")
    text = payload.get("text") if isinstance(payload, dict) else None
    headers = record.get("headers") or []
    # a message has no content type of its own on most brokers: JSON is recognised by its look
    looks_json = isinstance(text, str) and text.lstrip()[:1] in ("{", "[")
    payload_headers = [("content-type", "application/json")] if looks_json else headers
    problem = record.get("problem")
    return {
        **_link(record),
        "protocol": record.get("protocol"),
        "direction": record.get("direction"),
        "at": record.get("at", ""),
        "mono": _number(record.get("mono"), 6),
        "subject": record.get("subject"),
        "exchange": record.get("exchange"),
        "queue": record.get("queue"),
        "id": record.get("id"),
        "headers": masker.headers(headers),
        "payload": body_view(payload, payload_headers, masker, body_limit),
        "ack": record.get("ack"),
        "task": masker.json(record.get("task")),
        "fault": record.get("fault"),
        "problem": masker.text(str(problem)) if problem else None,
        "violations": [violation_view(v, masker) for v in record.get("violations") or []],
    }


def _link(record: ExchangeLine | MessageLine) -> dict[str, Any]:
    """Which seam a record crossed, and its place in its file."""
    return {
        "seq": record.get("seq"),
        "seam": record.get("seam") or f"{record.get('consumer')} -> {record.get('provider')}",
        "consumer": str(record.get("consumer") or "?"),
        "provider": str(record.get("provider") or "?"),
    }


def body_view(body: BodyLine | None, headers: Any, masker: Masker, limit: int) -> dict[str, Any]:
    """{"kind": empty|json|text|form|binary, "size", "truncated", "clipped", "shown", "text"}."""
    if not isinstance(body, dict) or not body.get("size"):
        return {
            "kind": "empty",
            "size": 0,
            "truncated": False,
            "clipped": False,
            "shown": 0,
            "text": "",
            "content_type": "",
        }
    size = int(body.get("size") or 0)
    truncated = bool(body.get("truncated"))
    content_type = _header(headers, "content-type").lower()
    kind, text = "text", body.get("text")
    if text is None:
        kind, text = "binary", ""
    elif FORM_TYPE in content_type:
        kind, text = "form", masker.query(text)
    elif any(t in content_type for t in JSON_TYPES) and not truncated:
        kind, text = _json_text(text, masker)
    else:
        text = masker.text(text)
    return {
        "kind": kind,
        "size": size,
        "truncated": truncated,  # the journal kept only the first bytes
        "clipped": len(text) > limit,  # the report shows only the first `limit` characters
        "shown": min(len(text), limit),
        "text": text[:limit],
        "content_type": content_type,
    }


def _json_text(text: str, masker: Masker) -> tuple[str, str]:
    """("json", the masked JSON) for a body that parses, else ("text", the masked text)."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return "text", masker.text(text)
    # Most bodies name no secret at all: then no key can be secret, and the text as
    # sent only needs the value scrub. Walking every value is 10x slower on big bodies.
    # (\\u escapes could spell a secret key the quick look would miss.)
    if "\\u" not in text and not masker.names.mentions(text):
        return "json", masker.text(text)
    return "json", compact_json(masker.json(parsed))


def compact_json(value: Any) -> str:
    # Compact, not indented: smaller, and json's C encoder only runs without indent.
    # The page indents it for display without parsing it, so numbers stay as recorded.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def violation_view(violation: ViolationLine, masker: Masker) -> dict[str, Any]:
    pointer = str(violation.get("pointer") or "")
    secret = any(masker.names.matches(part) for part in pointer.split("/") if part)
    found = violation.get("found")
    return {
        "seam": violation.get("seam"),
        "operation": violation.get("operation"),
        "where": violation.get("where"),
        "status": violation.get("status"),
        "pointer": pointer,
        "expected": masker.text(str(violation.get("expected") or "")),
        "found": MASK if secret and found is not None else masker.text(str(found or "")),
        "message": masker.text(str(violation.get("message") or "")),
    }


def db_change_view(change: DbChangeLine, masker: Masker) -> dict[str, Any]:
    return {
        "db": change.get("db"),
        "seq": change.get("seq"),
        "table": change.get("table"),
        "op": change.get("op"),
        "old": masker.row(change.get("old")),
        "new": masker.row(change.get("new")),
        "at": change.get("at", ""),
    }


def masker_for(
    exchanges: list[ExchangeLine],
    changes: list[DbChangeLine],
    messages: list[MessageLine],
    secret_names: Sequence[str],
) -> Masker:
    """The masker every output uses (report, JUnit summary): it has seen every structured
    record, so it scrubs their secret values from free text too."""
    names = SecretNames(secret_names)
    learner = Masker(names)
    learn_secrets(exchanges, changes, learner, messages)
    return Masker(names, learner.masked_values)


def learn_secrets(
    exchanges: list[ExchangeLine],
    changes: list[DbChangeLine],
    masker: Masker,
    messages: list[MessageLine] | None = None,
) -> None:
    """The first pass: show every structured record to `masker` so it learns the secret values.

    Form bodies are learned too: `body_view` masks their fields like query parameters.
    """
    for record in exchanges:
        exchange_view(record, masker, 0)
    for change in changes:
        db_change_view(change, masker)
    for message in messages or []:
        message_view(message, masker, 0)


def _header(headers: Any, name: str) -> str:
    for pair in headers or []:
        if len(pair) == 2 and str(pair[0]).lower() == name:
            return str(pair[1])
    return ""


def _number(value: Any, digits: int) -> float | None:
    return round(float(value), digits) if isinstance(value, int | float) else None
