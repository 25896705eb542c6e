"""A seam's recording made from the exchanges of a green run, through the stub engine's recorder.

    summary = record_seams(config, exchanges)                 # every seam that carried traffic
    summary = record_seams(config, exchanges, missing=True)   # only requests not recorded yet

Each exchange becomes a mapping by `seamline.mock.recorder.record` (the one recorder, which masks
secrets); its request pattern is relaxed by the noise rules; then the same request answered the
same way is kept once, and answered differently becomes a scenario that replays the answers in
order. File names are stable (ids derive from the seam and the request), so recording again
changes only what changed.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from seamline.config import SystemConfig
from seamline.masking import DEFAULT_SECRET_NAMES, MASK, Masker, SecretNames
from seamline.mock.recorder import RecordedExchange, record
from seamline.mock.recordfiles import Recorded, mapping_file_name, url_slug, write_recorded
from seamline.mock.recordspec import RecordSpec
from seamline.records.exchange import Exchange, seam_name
from seamline.records.run import now_iso
from seamline.strategies.errors import RecordingOutdated
from seamline.strategies.noise import Noise
from seamline.strategies.recordings import (
    FORMAT_VERSION,
    Index,
    IndexEntry,
    config_hash,
    mapping_files,
    read_index,
    recordings_root,
    seam_dir,
    write_index,
)
from seamline.version import __version__

_ONE_AT_A_TIME = RecordSpec(repeats_as_scenarios=False)
_IDS = uuid.UUID("5e3a11ae-0000-4000-8000-000000000000")
_NOT_SENT_AGAIN = frozenset({"host", "content-length", "connection", "transfer-encoding", "via"})


@dataclass
class SeamSummary:
    seam: str
    folder: Path
    written: list[str] = field(default_factory=list)  # mapping files
    kept: int = 0  # mappings already recorded (with missing=True)
    skipped: list[str] = field(default_factory=list)  # why an exchange was left out


@dataclass
class _Group:
    """The occurrences of one request (after noise) in the run, in order."""

    stubs: list[dict[str, Any]] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)  # of each occurrence
    positions: list[int] = field(default_factory=list)  # in the run, of each occurrence

    def entries(self, offset: int) -> list[tuple[dict[str, Any], IndexEntry]]:
        """Each stub with its index entry: a scenario's stubs each have their occurrence's
        test (so replay can start a test at its own answers), a single stub every test."""
        if len(self.stubs) == 1:
            entry = IndexEntry(
                tests=sorted(set(self.tests)),
                exchanges=len(self.tests),
                order=offset + self.positions[0],
            )
            return [(self.stubs[0], entry)]
        return [
            (stub, IndexEntry(tests=[test], exchanges=1, order=offset + position))
            for stub, test, position in zip(self.stubs, self.tests, self.positions, strict=True)
        ]


def record_seams(
    config: SystemConfig,
    exchanges: Iterable[Exchange],
    *,
    missing: bool = False,
    root: Path | None = None,
) -> list[SeamSummary]:
    """Write the recording of every seam that carried real traffic in `exchanges`."""
    root = root or recordings_root(config)
    by_seam: dict[tuple[str, str], list[Exchange]] = {}
    for exchange in exchanges:
        by_seam.setdefault((exchange.consumer, exchange.provider), []).append(exchange)
    names = secret_names(config)
    return [
        _record_seam(config, root, consumer, provider, found, missing, names)
        for (consumer, provider), found in sorted(by_seam.items())
    ]


def secret_names(config: SystemConfig) -> tuple[str, ...]:
    spec = config.spec.report
    return (*(spec.secret_names or DEFAULT_SECRET_NAMES), *spec.extra_secret_names)


def provider_noise(config: SystemConfig, provider: str) -> Noise:
    """`[recordings] ignore`, plus the volatile fields of the provider's OpenAPI if it has one."""
    openapi = getattr(config.spec.services.get(provider), "openapi", None)
    document = _openapi_document(config.resolve(openapi)) if openapi is not None else None
    return Noise.for_provider(config.spec.recordings.ignore, document, secret_names(config))


def _openapi_document(path: Path) -> Any:
    """The document only: `seamline check` and the run's start validate it (Contract.load
    would, at ten times the cost: 0.6 s of a 3 s recording of the shop)."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix in (".yaml", ".yml"):
            return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return json.loads(text)
    except (OSError, ValueError, yaml.YAMLError):
        return None  # no volatile names from it; a broken document is reported at start


def _record_seam(
    config: SystemConfig,
    root: Path,
    consumer: str,
    provider: str,
    exchanges: list[Exchange],
    missing: bool,
    names: Sequence[str],
) -> SeamSummary:
    seam, folder = seam_name(consumer, provider), seam_dir(root, consumer, provider)
    summary = SeamSummary(seam, folder)
    usable = []
    for exchange in exchanges:
        reason = _unusable(exchange)
        if reason:
            summary.skipped.append(
                f"#{exchange.seq} {exchange.request.method} {exchange.request.target}: {reason}"
            )
        else:
            usable.append(exchange)
    groups = _groups(
        seam, usable, provider_noise(config, provider), Masker(SecretNames(names)), names
    )
    digest = config_hash(config, consumer, provider)
    index = read_index(folder) if missing else None
    if index is not None and index["config_hash"] != digest:
        raise RecordingOutdated(
            f"seam {seam}: `--missing` adds to {folder}, which was recorded with another version "
            f"of the config (hash {index['config_hash']}, {digest} now); record the whole seam "
            "again without --missing"
        )
    known = _recorded_requests(folder) if index is not None else set()
    if index is None:
        if folder.exists():
            shutil.rmtree(folder)
        index = _new_index(seam, consumer, provider, digest)
    summary.kept = len(index["mappings"])
    mappings: list[dict[str, Any]] = []
    offset = 1 + max((entry["order"] for entry in index["mappings"].values()), default=-1)
    for key, group in groups.items():
        if key not in known:
            for stub, entry in group.entries(offset):
                index["mappings"][mapping_file_name(stub)] = entry
                mappings.append(stub)
                summary.written.append(mapping_file_name(stub))
    if mappings or not (folder / "index.json").exists():
        write_recorded(folder, Recorded(mappings, {}))
        index["recorded"] = now_iso()
        write_index(folder, index)
    return summary


def _unusable(exchange: Exchange) -> str | None:
    if exchange.mode != "real":
        return f"it was answered by {exchange.mode}, not the real provider"
    if exchange.outcome != "ok" or exchange.response is None:
        return f"it did not complete ({exchange.outcome}: {exchange.error})"
    if exchange.request.body.truncated or exchange.response.body.truncated:
        return "a body was cut at [seams] body_cap in the journal; raise body_cap to record it"
    return None


def _groups(
    seam: str, exchanges: list[Exchange], noise: Noise, masker: Masker, names: Sequence[str]
) -> dict[str, _Group]:
    groups: dict[str, _Group] = {}
    for position, exchange in enumerate(exchanges):
        stub = record([recorded_exchange(exchange)], _ONE_AT_A_TIME, names).mappings[0]
        noise.relax(stub["request"])
        _mask_by_shape(stub["response"], exchange)
        stub["metadata"] = {"seamline": {"request": _sample(exchange, masker)}}
        key = json.dumps(stub["request"], sort_keys=True)
        group = groups.setdefault(key, _Group())
        group.stubs.append(stub)
        group.tests.append(exchange.test or "(outside a test)")
        group.positions.append(position)
    for key, group in groups.items():
        group.stubs = _sequenced(seam, key, group.stubs, noise)
    return groups


def _sequenced(
    seam: str, key: str, stubs: list[dict[str, Any]], noise: Noise
) -> list[dict[str, Any]]:
    """One stub when every answer was the same (noise aside: a `Date` a second later is the
    same answer), else a scenario of the answers in order."""
    answers = {noise.answer_key(stub["response"]) for stub in stubs}
    if len(answers) == 1:
        stubs = stubs[:1]
    scenario = f"{url_slug(seam.replace(' -> ', '__'))}-{uuid.uuid5(_IDS, key).hex[:8]}"
    for position, stub in enumerate(stubs, start=1):
        stub["id"] = stub["uuid"] = str(uuid.uuid5(_IDS, f"{seam}|{key}|{position}"))
        if len(stubs) == 1:
            continue
        stub["scenarioName"] = scenario
        stub["requiredScenarioState"] = "Started" if position == 1 else f"{scenario}-{position}"
        if position < len(stubs):
            stub["newScenarioState"] = f"{scenario}-{position + 1}"
    return stubs


def recorded_exchange(exchange: Exchange) -> RecordedExchange:
    """What the recorder takes, from a journaled exchange (which must have a response)."""
    response = exchange.response
    assert response is not None
    return RecordedExchange(
        exchange.request.method,
        exchange.request.target,
        list(exchange.request.headers),
        exchange.request.body.data,
        response.status,
        list(response.headers),
        response.body.data,
    )


def _sample(exchange: Exchange, masker: Masker) -> dict[str, Any]:
    """The request as sent, secrets masked: what a driver sends again."""
    request = exchange.request
    headers = [
        [name, masker.header(name, value)]
        for name, value in request.headers
        if name.lower() not in _NOT_SENT_AGAIN
    ]
    text = request.body.text if request.body.data else None
    if text is not None:
        try:
            text = json.dumps(masker.json(json.loads(text)), ensure_ascii=False)
        except ValueError:
            text = masker.text(text)
    return {
        "method": request.method,
        "url": masker.target(request.target),
        "headers": headers,
        "body": text,
    }


def _mask_by_shape(response: dict[str, Any], exchange: Exchange) -> None:
    """A secret the recorder masked in a JSON response body becomes a value of its shape
    (`4242` -> `0000`, `sk_live_ab1` -> `xx_xxxx_xx0`): nothing in clear, and the replayed
    answer still keeps the provider's contract (a pattern, a length, a type)."""
    masked_text = response.get("body")
    if not isinstance(masked_text, str) or MASK not in masked_text:
        return
    assert exchange.response is not None
    try:
        raw, masked = json.loads(exchange.response.body.data), json.loads(masked_text)
    except ValueError:
        return
    reshaped = _reshape(raw, masked)
    if reshaped != masked:
        response["body"] = json.dumps(reshaped, ensure_ascii=False)


def _reshape(raw: Any, masked: Any) -> Any:
    if masked == MASK and raw != MASK:
        if isinstance(raw, bool) or raw is None:
            return raw
        if isinstance(raw, (int, float)):
            return type(raw)(0)
        if isinstance(raw, str):
            return "".join("0" if c.isdigit() else "x" if c.isalpha() else c for c in raw)
        return masked
    if isinstance(raw, dict) and isinstance(masked, dict):
        return {key: _reshape(raw.get(key), value) for key, value in masked.items()}
    if isinstance(raw, list) and isinstance(masked, list) and len(raw) == len(masked):
        return [_reshape(r, m) for r, m in zip(raw, masked, strict=True)]
    return masked


def _recorded_requests(folder: Path) -> set[str]:
    keys = set()
    for path in mapping_files(folder):
        try:
            keys.add(
                json.dumps(json.loads(path.read_text(encoding="utf-8"))["request"], sort_keys=True)
            )
        except (ValueError, KeyError, TypeError):
            continue  # load_recording names an invalid file; here it only means "not recorded"
    return keys


def _new_index(seam: str, consumer: str, provider: str, digest: str) -> Index:
    return Index(
        v=FORMAT_VERSION,
        seam=seam,
        consumer=consumer,
        provider=provider,
        config_hash=digest,
        seamline=__version__,
        recorded=now_iso(),
        mappings={},
    )
