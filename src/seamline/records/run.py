"""What the System writes to its record dir about the run itself (the seams write the journal,
the databases their changes).

* `run.json`: the system (services, seams, versions), written at start, rewritten at stop;
* `tests.jsonl`: one line when each test starts and one when it ends, with its outcome.

Lines are written as they happen (`records.writer`), so a killed run keeps what it had.
"""

from __future__ import annotations

import contextlib
import json
import time
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from seamline.records.layout import RUN_JSON, TESTS
from seamline.records.lines import FORMAT_VERSION, EndEvent, RunInfo, StartEvent
from seamline.records.writer import LineWriter, note_write_failure


def now_iso() -> str:
    """The time as `2026-11-25T10:00:00.123456Z` (UTC)."""
    return iso_at(time.time())


@lru_cache(maxsize=8)
def _second(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def iso_at(epoch: float) -> str:
    """`epoch` in the record format; the date-time part is formatted once per second
    (the seam proxy stamps every exchange twice, on its hot path)."""
    second = int(epoch)
    micros = min(999_999, round((epoch - second) * 1_000_000))
    return f"{_second(second)}.{micros:06d}Z"


class TestLog:
    """Which test is running: exchanges, changes and log lines are attributed to it."""

    __test__ = False  # not a pytest test class

    def __init__(self, record_dir: Path) -> None:
        self._lines = LineWriter(record_dir / TESTS)
        self.current: str | None = None
        self._started: dict[str, float] = {}

    def begin(self, test_id: str) -> None:
        if self.current == test_id:
            return
        self.current = test_id
        self._started[test_id] = time.monotonic()
        line: StartEvent = {
            "v": FORMAT_VERSION,
            "event": "start",
            "test": test_id,
            "at": now_iso(),
            "mono": time.monotonic(),
        }
        self._lines.write(line)

    def end(self, test_id: str, outcome: str, message: str = "", longrepr: str = "") -> None:
        started = self._started.pop(test_id, time.monotonic())
        line: EndEvent = {
            "v": FORMAT_VERSION,
            "event": "end",
            "test": test_id,
            "outcome": outcome,
            "at": now_iso(),
            "mono": time.monotonic(),
            "duration_s": round(time.monotonic() - started, 6),
            "message": message,
            "longrepr": longrepr,
        }
        self._lines.write(line)
        if self.current == test_id:
            self.current = None

    def add_finished(
        self, test_id: str, outcome: str, message: str, started: float, ended: float
    ) -> None:
        """Record a test that ran outside seamline's sight (a JUnit test case), with the
        window its runner reported (epoch seconds)."""
        offset = time.monotonic() - time.time()  # the monotonic clock at those instants
        start: StartEvent = {
            "v": FORMAT_VERSION,
            "event": "start",
            "test": test_id,
            "at": iso_at(started),
            "mono": started + offset,
        }
        end: EndEvent = {
            "v": FORMAT_VERSION,
            "event": "end",
            "test": test_id,
            "outcome": outcome,
            "at": iso_at(ended),
            "mono": ended + offset,
            "duration_s": round(ended - started, 6),
            "message": message,
            "longrepr": message,
        }
        self._lines.write(start)
        self._lines.write(end)

    def close(self) -> None:
        self._lines.close()


def write_run_json(record_dir: Path, info: RunInfo) -> None:
    """Write run.json whole, then move it in place: a reader never sees half of it."""
    path = record_dir / RUN_JSON
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps({"v": FORMAT_VERSION, **info}, indent=2, default=str))
        tmp.replace(path)
    except OSError as err:  # full or read-only: the run goes on and says so (write_failure)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        note_write_failure(path, err, 1)
