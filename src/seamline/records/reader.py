"""Reading a run's record dir: the files described in docs/architecture.md ("Record formats").

Reading is forgiving on purpose: a killed run leaves a half-written last line,
a run that never started tests leaves no `tests.jsonl`. What cannot be read is
skipped and named in `problems`, so the report still shows everything else.
Lines of an older format version are upgraded to the current one as they are read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import orjson

from seamline.records.exchange import Exchange
from seamline.records.layout import (
    DB_CHANGES,
    JOURNAL,
    LOGS,
    MARKERS,
    MESSAGES,
    RUN_JSON,
    SCREENSHOTS,
    TESTS,
    is_record_dir,
    screenshot_name,
)
from seamline.records.lines import (
    READABLE,
    READABLE_VERSIONS,
    DbChangeLine,
    ExchangeLine,
    MessageLine,
    RecordVersionError,
    RunInfo,
    TestEvent,
    as_db_change,
    as_exchange,
    as_message,
    as_test_event,
    version_of,
)
from seamline.records.message import settle_acks

Line = TypeVar("Line")

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
    """Everything one record dir holds, in the current format (`records.lines`)."""

    path: Path
    run: RunInfo  # empty when run.json is missing or unreadable: read it with `.get`
    test_events: list[TestEvent]
    exchanges: list[ExchangeLine]
    db_changes: list[DbChangeLine]
    logs: list[LogLine]  # every service's lines, in time order
    problems: list[str] = field(default_factory=list)
    # what crossed broker links, acks folded into the messages they settle
    messages: list[MessageLine] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return str(self.run.get("run_id") or self.path.name)

    @property
    def worker(self) -> str | None:
        worker = self.run.get("worker")
        return str(worker) if worker else None

    def screenshot(self, test_id: str) -> bytes | None:
        """The PNG the `page` fixture took when `test_id` failed, or None."""
        try:
            return (self.path / SCREENSHOTS / screenshot_name(test_id)).read_bytes()
        except OSError:
            return None


def read_record_dir(path: Path, log_line_limit: int = 2000) -> RecordDir:
    """Read one record dir. Raises FileNotFoundError if `path` is not a record dir at all."""
    if not path.is_dir():
        raise FileNotFoundError(f"no record dir at {path}")
    if not is_record_dir(path):
        raise FileNotFoundError(
            f"{path} is not a seamline record dir: expected {', '.join(MARKERS)} in it "
            "(record dirs are under .seamline/runs/)"
        )
    problems: list[str] = []
    record = RecordDir(
        path=path,
        run=_read_run_json(path / RUN_JSON, problems),
        test_events=list(_read_lines(path / TESTS, as_test_event, problems)),
        exchanges=list(_read_lines(path / JOURNAL, as_exchange, problems)),
        db_changes=list(_read_lines(path / DB_CHANGES, as_db_change, problems)),
        logs=_read_logs(path / LOGS, log_line_limit),
        problems=problems,
        messages=settle_acks(list(_read_lines(path / MESSAGES, as_message, problems))),
    )
    for event in record.test_events:
        event["at"] = canonical_time(event.get("at")) or ""
    for exchange in record.exchanges:
        exchange["started"] = canonical_time(exchange.get("started")) or ""
        exchange["ended"] = canonical_time(exchange.get("ended")) or exchange["started"]
    for change in record.db_changes:
        change["at"] = canonical_time(change.get("at")) or ""
    for message in record.messages:
        message["at"] = canonical_time(message.get("at")) or ""
    return record


def read_exchanges(path: Path) -> list[Exchange]:
    """Every exchange of a journal file, strictly: a line that cannot be read is an error."""
    if not path.is_file():
        return []
    with path.open("rb") as lines:
        return [exchange_of(line) for line in lines if line.strip()]


def exchange_of(line: bytes) -> Exchange:
    """One journal line as an `Exchange` (a line of an older format is upgraded)."""
    return Exchange.from_json(as_exchange(orjson.loads(line)))


class LineFollower(Generic[Line]):
    """Follows a JSON-lines file as it grows: each call returns the lines completed since
    the last one (a line still being written waits), in the current format."""

    def __init__(self, path: Path, upgrade: Callable[[dict[str, Any]], Line]) -> None:
        self.path = path
        self._upgrade = upgrade
        self._offset = 0

    def read_new(self) -> list[Line]:
        try:
            with self.path.open("rb") as source:
                source.seek(self._offset)
                chunk = source.read()
        except FileNotFoundError:
            return []
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self._offset += len(complete)
        records = []
        for line in complete.splitlines():
            try:
                record = json.loads(line)
                if isinstance(record, dict):
                    records.append(self._upgrade(record))
            except (ValueError, RecordVersionError):
                continue  # the report names what it skips; a test's summary just leaves it out
        return records


def _read_run_json(path: Path, problems: list[str]) -> RunInfo:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{path.name} is missing: the system was not described")
        return cast(RunInfo, {})
    except (OSError, ValueError) as err:
        problems.append(f"{path.name} could not be read ({err}); the system is not described")
        return cast(RunInfo, {})
    if not isinstance(loaded, dict):
        problems.append(f"{path.name}: expected a JSON object, found {type(loaded).__name__}")
        return cast(RunInfo, {})
    version = version_of(loaded)
    if version not in READABLE_VERSIONS:
        # run.json only describes the system: show what a newer seamline wrote as it is
        problems.append(
            f"{path.name}: format version {version!r}, this seamline reads versions "
            f"{READABLE}; some fields may be missing"
        )
    return cast(RunInfo, loaded)


def _read_lines(
    path: Path, upgrade: Callable[[dict[str, Any]], Line], problems: list[str]
) -> Iterator[Line]:
    if not path.is_file():
        return
    unreadable: list[int] = []
    foreign: list[int] = []
    other_versions: dict[object, list[int]] = {}
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
                continue
            try:
                upgraded = upgrade(record)
            except RecordVersionError as err:
                other_versions.setdefault(err.version, []).append(number)
                continue
            if _IDENTIFIED_BY[path.name] <= record.keys():  # upgraded in place
                yield upgraded
            else:  # JSON, but no record of this file: it would show as an empty exchange or test
                foreign.append(number)
    if unreadable:
        problems.append(
            f"{path.name}: skipped {len(unreadable)} unreadable line(s) (line "
            f"{_numbers(unreadable)}); a killed run leaves its last line cut"
        )
    if foreign:
        problems.append(
            f"{path.name}: skipped {len(foreign)} line(s) that are no record of it (line "
            f"{_numbers(foreign)}): each needs {', '.join(sorted(_IDENTIFIED_BY[path.name]))}; "
            "the file was changed by something other than seamline"
        )
    for version, numbers in other_versions.items():
        problems.append(
            f"{path.name}: skipped {len(numbers)} line(s) of format version {version!r} (line "
            f"{_numbers(numbers)}): this seamline reads versions {READABLE}; "
            "re-render with the seamline that wrote them"
        )


# The fields that make a line a record of its file (what every reader of it indexes).
_IDENTIFIED_BY = {
    TESTS: {"event", "test"},
    JOURNAL: {"seam", "request", "outcome"},
    DB_CHANGES: {"table"},
    MESSAGES: {"seam", "direction"},
}


def _numbers(lines: list[int]) -> str:
    return ", ".join(map(str, lines[:5])) + (", ..." if len(lines) > 5 else "")


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
