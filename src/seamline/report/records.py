"""Reading a run's record dir: the files described in docs/architecture.md ("Record formats").

Reading is forgiving on purpose: a killed run leaves a half-written last line,
a run that never started tests leaves no `tests.jsonl`. What cannot be read is
skipped and named in `problems`, so the report still shows everything else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SUPPORTED_VERSION = 1

# `2026-11-25T10:00:00.123456Z`: what every writer emits. Strings in this exact
# shape sort in time order, so they are compared as strings everywhere.
_CANONICAL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def canonical_time(value: object) -> str | None:
    """An ISO-8601 time as the canonical UTC string, or None if it is not a time."""
    if not isinstance(value, str) or not value:
        return None
    if _CANONICAL_TIME.fullmatch(value):
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class LogLine:
    at: str
    service: str
    text: str


@dataclass
class RecordDir:
    """Everything one record dir holds, as the writers wrote it (dicts in the record formats)."""

    path: Path
    run: dict[str, Any]
    test_events: list[dict[str, Any]]
    exchanges: list[dict[str, Any]]
    db_changes: list[dict[str, Any]]
    logs: list[LogLine]  # every service's lines, in time order
    problems: list[str] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return str(self.run.get("run_id") or self.path.name)

    @property
    def worker(self) -> str | None:
        worker = self.run.get("worker")
        return str(worker) if worker else None


def read_record_dir(path: Path, log_line_limit: int = 2000) -> RecordDir:
    """Read one record dir. Raises FileNotFoundError if `path` is not a record dir at all."""
    if not path.is_dir():
        raise FileNotFoundError(f"no record dir at {path}")
    markers = ("run.json", "tests.jsonl", "journal.jsonl", "logs")
    if not any((path / name).exists() for name in markers):
        raise FileNotFoundError(
            f"{path} is not a seamline record dir: expected run.json, tests.jsonl, "
            "journal.jsonl or logs/ in it (record dirs are under .seamline/runs/)"
        )
    problems: list[str] = []
    record = RecordDir(
        path=path,
        run=_read_run_json(path / "run.json", problems),
        test_events=list(_read_json_lines(path / "tests.jsonl", problems)),
        exchanges=list(_read_json_lines(path / "journal.jsonl", problems)),
        db_changes=list(_read_json_lines(path / "db-changes.jsonl", problems)),
        logs=_read_logs(path / "logs", log_line_limit),
        problems=problems,
    )
    for event in record.test_events:
        event["at"] = canonical_time(event.get("at")) or ""
    for exchange in record.exchanges:
        exchange["started"] = canonical_time(exchange.get("started")) or ""
        exchange["ended"] = canonical_time(exchange.get("ended")) or exchange["started"]
    for change in record.db_changes:
        change["at"] = canonical_time(change.get("at")) or ""
    return record


def _read_run_json(path: Path, problems: list[str]) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{path.name} is missing: the system was not described")
        return {}
    except (OSError, ValueError) as err:
        problems.append(f"{path.name} could not be read ({err}); the system is not described")
        return {}
    if not isinstance(loaded, dict):
        problems.append(f"{path.name}: expected a JSON object, found {type(loaded).__name__}")
        return {}
    _check_version(path.name, loaded, problems)
    return loaded


def _read_json_lines(path: Path, problems: list[str]) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        return
    unreadable: list[int] = []
    newer: list[int] = []
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                unreadable.append(number)
                continue
            if not isinstance(record, dict):
                unreadable.append(number)
            elif record.get("v", SUPPORTED_VERSION) != SUPPORTED_VERSION:
                newer.append(number)
            else:
                yield record
    if unreadable:
        problems.append(
            f"{path.name}: skipped {len(unreadable)} unreadable line(s) (line "
            f"{', '.join(map(str, unreadable[:5]))}); a killed run leaves its last line cut"
        )
    if newer:
        problems.append(
            f"{path.name}: skipped {len(newer)} line(s) of a format version other than "
            f"{SUPPORTED_VERSION}; re-render with the seamline that wrote them"
        )


def _check_version(name: str, record: dict[str, Any], problems: list[str]) -> None:
    version = record.get("v", SUPPORTED_VERSION)
    if version != SUPPORTED_VERSION:
        problems.append(
            f"{name}: format version {version!r}, this seamline reads version "
            f"{SUPPORTED_VERSION}; some fields may be missing"
        )


def _read_logs(logs_dir: Path, line_limit: int) -> list[LogLine]:
    """All services' log lines, merged in time order (a stable sort keeps each file's order)."""
    merged: list[LogLine] = []
    if not logs_dir.is_dir():
        return merged
    for log_file in sorted(logs_dir.glob("*.log")):
        merged.extend(_read_log_file(log_file, line_limit))
    merged.sort(key=lambda line: line.at)
    return merged


def _read_log_file(path: Path, line_limit: int) -> Iterator[LogLine]:
    service = path.stem
    last_time = ""
    with path.open(encoding="utf-8", errors="replace") as lines:
        for raw in lines:
            stamp, _, text = raw.rstrip("\n").partition(" ")
            at = canonical_time(stamp)
            if at is None:  # not written by the log pump: keep it, at the previous line's time
                at, text = last_time, raw.rstrip("\n")
            last_time = at
            text = _ANSI_ESCAPE.sub("", text)
            if len(text) > line_limit:
                text = f"{text[:line_limit]}… ({len(text)} characters)"
            yield LogLine(at, service, text)
