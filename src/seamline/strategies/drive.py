"""Drivers and drift: a seam's recorded requests sent to the real provider, answers compared.

    result = drive(recording, "http://127.0.0.1:9002", noise)   # no consumer needed
    result.drifted        # the requests answered otherwise than recorded
    result.to_json()      # DriftJson: per request, the status change and field differences

Requests go out in the order they were first recorded (a scenario's answers in its order), as
recorded (`metadata.seamline.request`; secrets were masked and go out masked). Answers are
compared under the seam's noise rules: volatile JSON fields and headers are not differences,
nor is a value the recording masked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

import httpx

from seamline.masking import MASK
from seamline.mock.mapping import StubMapping
from seamline.strategies.noise import Noise
from seamline.strategies.recordings import SeamRecording

_ABSENT = object()


class FieldJson(TypedDict):
    where: str  # "body $.amount", "header content-type"
    change: str  # changed | added | removed
    recorded: Any
    now: Any


class RequestDriftJson(TypedDict):
    mapping: str
    request: str
    status: list[int | None] | None  # [recorded, now] when it changed
    fields: list[FieldJson]
    error: str | None


class DriftJson(TypedDict):
    seam: str
    provider_url: str
    sent: int
    drifted: int
    skipped: list[str]
    requests: list[RequestDriftJson]


@dataclass
class RequestDrift:
    mapping: str
    request: str
    status: tuple[int, int | None] | None = None
    fields: list[FieldJson] = field(default_factory=list)
    error: str | None = None

    @property
    def drifted(self) -> bool:
        return bool(self.status or self.fields or self.error)

    def to_json(self) -> RequestDriftJson:
        status = list(self.status) if self.status else None
        return RequestDriftJson(
            mapping=self.mapping,
            request=self.request,
            status=status,
            fields=self.fields,
            error=self.error,
        )


@dataclass
class SeamDrift:
    seam: str
    provider_url: str
    results: list[RequestDrift] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def drifted(self) -> list[RequestDrift]:
        return [result for result in self.results if result.drifted]

    def to_json(self) -> DriftJson:
        return DriftJson(
            seam=self.seam,
            provider_url=self.provider_url,
            sent=len(self.results),
            drifted=len(self.drifted),
            skipped=self.skipped,
            requests=[result.to_json() for result in self.results],
        )

    def lines(self) -> list[str]:
        """The drift as a person reads it: one line per difference."""
        head = f"{self.seam}: {len(self.results)} recorded request(s) sent to {self.provider_url}"
        out = [f"{head}, {len(self.drifted)} answered otherwise"]
        out += [f"  skipped {reason}" for reason in self.skipped]
        for result in self.drifted:
            out.append(f"  {result.request} ({result.mapping})")
            if result.error:
                out.append(f"    error: {result.error}")
            if result.status:
                hint = ""
                if result.status[1] in (401, 403, 422):
                    hint = (
                        " (a credential or field the recording masked? give it: "
                        "--header 'NAME: VALUE', --secret NAME=VALUE)"
                    )
                out.append(f"    status: {result.status[0]} recorded, {result.status[1]} now{hint}")
            for diff in result.fields:
                was, now = _shown(diff["recorded"]), _shown(diff["now"])
                values = {"added": f"now {now}", "removed": f"recorded {was}"}
                shown = values.get(diff["change"], f"recorded {was}, now {now}")
                out.append(f"    {diff['where']}: {diff['change']} ({shown})")
        return out


def drive(
    recording: SeamRecording,
    provider_url: str,
    noise: Noise,
    *,
    headers: Sequence[tuple[str, str]] = (),
    secrets: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> SeamDrift:
    """Send every recorded request of `recording` to `provider_url`; compare each answer.
    `headers` replace the recorded ones of the same name (a credential the recording masked);
    `secrets` give the values of JSON body fields the recording masked, by field name."""
    given = {name.lower() for name, _ in headers}
    result = SeamDrift(recording.seam, provider_url)
    with httpx.Client(base_url=provider_url, timeout=timeout) as client:
        for stub in recording.in_order():
            name = recording.files.get(stub.id, stub.id)
            sample = request_of(stub)
            if sample is None:
                result.skipped.append(
                    f"{name}: it keeps no request to send (metadata.seamline.request) and its "
                    "pattern names no exact url"
                )
                continue
            label = f"{sample['method']} {sample['url']}"
            drift = RequestDrift(name, label)
            try:
                answer = client.request(
                    sample["method"],
                    sample["url"],
                    headers=[
                        *((k, v) for k, v in sample["headers"] if k.lower() not in given),
                        *headers,
                    ],
                    content=_unmasked(sample["body"], secrets or {}).encode(),
                )
            except httpx.HTTPError as err:
                drift.error = f"no answer from {provider_url}: {err}"
            else:
                compare(stub, recording, answer, noise, drift)
            result.results.append(drift)
    return result


def request_of(stub: StubMapping) -> dict[str, Any] | None:
    """The request a driver sends for `stub`: the recorded one, else one built from an exact
    pattern (hand-written mappings); None when there is nothing exact to send."""
    kept = stub.metadata.get("seamline", {}).get("request")
    if isinstance(kept, dict) and {"method", "url", "headers", "body"} <= set(kept):
        return kept
    pattern = stub.spec["request"]
    url = pattern.get("url")
    if not isinstance(url, str) or pattern.get("method", "ANY") == "ANY":
        return None
    body = next(
        (p.get("equalToJson", p.get("equalTo")) for p in pattern.get("bodyPatterns", [])), None
    )
    if body is not None and not isinstance(body, str):
        body = json.dumps(body)
    return {"method": pattern["method"], "url": url, "headers": [], "body": body}


def compare(
    stub: StubMapping,
    recording: SeamRecording,
    answer: httpx.Response,
    noise: Noise,
    drift: RequestDrift,
) -> None:
    """Fill `drift` with how `answer` differs from what `stub` recorded."""
    recorded = stub.response
    if recorded.status != answer.status_code:
        drift.status = (recorded.status, answer.status_code)
    for name, value in recorded.headers:
        if noise.ignores_header(name) or value == MASK:
            continue
        now = answer.headers.get(name)
        if now is None:
            drift.fields.append(
                FieldJson(where=f"header {name}", change="removed", recorded=value, now=None)
            )
        elif now != value:
            drift.fields.append(
                FieldJson(where=f"header {name}", change="changed", recorded=value, now=now)
            )
    expected = _recorded_body(stub, recording)
    was, now = _parsed(expected), _parsed(answer.content)
    drift.fields += [
        FieldJson(where=f"body {path}", change=change, recorded=old, now=new)
        for path, change, old, new in field_differences(was, now, noise)
    ]


def field_differences(
    recorded: Any, now: Any, noise: Noise, path: str = "$"
) -> list[tuple[str, str, Any, Any]]:
    """(JSON path, changed | added | removed, recorded, now) for every field that differs."""
    if recorded == MASK or (noise.volatile_value(recorded) and noise.volatile_value(now)):
        return []
    if isinstance(recorded, dict) and isinstance(now, dict):
        found = []
        for key in sorted(set(recorded) | set(now)):
            if noise.ignores_field(key):
                continue
            was, is_ = recorded.get(key, _ABSENT), now.get(key, _ABSENT)
            where = f"{path}.{key}"
            if was is _ABSENT:
                found.append((where, "added", None, is_))
            elif is_ is _ABSENT:
                found.append((where, "removed", was, None))
            else:
                found += field_differences(was, is_, noise, where)
        return found
    if isinstance(recorded, list) and isinstance(now, list) and len(recorded) == len(now):
        return [
            diff
            for position, (was, is_) in enumerate(zip(recorded, now, strict=True))
            for diff in field_differences(was, is_, noise, f"{path}[{position}]")
        ]
    if recorded != now or type(recorded) is not type(now):
        return [(path, "changed", recorded, now)]
    return []


def _recorded_body(stub: StubMapping, recording: SeamRecording) -> bytes:
    if stub.response.body_file:
        try:
            return (recording.root / "__files" / str(stub.response.body_file)).read_bytes()
        except OSError:
            return b""
    return stub.response.body or b""


def _parsed(body: bytes) -> Any:
    try:
        return json.loads(body) if body.strip() else None
    except ValueError:
        return body.decode("utf-8", "replace")


def _unmasked(body: str | None, secrets: Mapping[str, str]) -> str:
    """The recorded body with each masked JSON field named in `secrets` given its value."""
    if not body or not secrets or MASK not in body:
        return body or ""
    try:
        document = json.loads(body)
    except ValueError:
        return body

    def fill(value: Any, name: str = "") -> Any:
        if isinstance(value, dict):
            return {key: fill(item, key) for key, item in value.items()}
        if isinstance(value, list):
            return [fill(item, name) for item in value]
        return secrets[name] if value == MASK and name in secrets else value

    return json.dumps(fill(document), ensure_ascii=False)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
