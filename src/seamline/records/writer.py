"""The one way a record file is written: appended line by line, each on disk at once
(and a failed test's screenshot, a file of its own).

A record dir that fills up or turns read-only mid-run must not break the system under test
(a seam that cannot journal still forwards): a write that fails is dropped and counted, and
`write_failure(record_dir)` says so, for the test and the run to fail naming it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from seamline.errors import RecordsError
from seamline.records.layout import SCREENSHOTS, screenshot_name

_FAILURES: dict[Path, RecordsError] = {}  # by record dir: the first failure, lines lost since
_FAILURES_LOCK = threading.Lock()


def note_write_failure(path: Path, cause: OSError, lines: int) -> None:
    """Count `lines` lost at `path` (a file in a record dir), keeping the first cause."""
    with _FAILURES_LOCK:
        known = _FAILURES.get(path.parent)
        first = known.path if known is not None else path
        lost = (known.lost if known is not None else 0) + lines
        _FAILURES[path.parent] = RecordsError(first, known.cause if known else cause, lost)


def write_failure(record_dir: Path) -> RecordsError | None:
    """The first failed write into `record_dir` and the lines lost since; None when none."""
    with _FAILURES_LOCK:
        return _FAILURES.get(record_dir)


def encode(record: Mapping[str, Any]) -> bytes:
    """`record` as one JSON line (values JSON cannot hold are written as their `str`)."""
    return json.dumps(record, ensure_ascii=False, default=str).encode() + b"\n"


class LineWriter:
    """An append-only JSON-lines file, safe to write from several threads.

    The file is unbuffered: each call is one write(2), so a line is on disk for a
    reader (or after a SIGKILL) as soon as the call returns. Writes after `close()`
    are dropped: a late exchange or change must not fail the run that is stopping.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._file = path.open("ab", buffering=0)

    def write(self, record: Mapping[str, Any]) -> None:
        self.write_encoded(encode(record))

    def write_all(self, records: Iterable[Mapping[str, Any]]) -> None:
        """All of `records` in one write (a test may change thousands of rows)."""
        self.write_encoded(b"".join(encode(record) for record in records))

    def write_encoded(self, lines: bytes) -> None:
        """Lines already encoded, each ending in a newline (the journal encodes its own)."""
        with self._lock:
            if lines and not self._file.closed:
                try:
                    self._file.write(lines)
                except OSError as err:  # full or read-only: said by write_failure()
                    note_write_failure(self.path, err, lines.count(b"\n"))

    def close(self) -> None:
        with self._lock:
            self._file.close()


def write_screenshot(record_dir: Path, test_id: str, png: bytes) -> Path:
    """Store `png` as `test_id`'s screenshot (`RecordDir.screenshot` reads it back)."""
    path = record_dir / SCREENSHOTS / screenshot_name(test_id)
    path.parent.mkdir(exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")  # a report never reads half a PNG
    partial.write_bytes(png)
    partial.replace(path)
    return path
