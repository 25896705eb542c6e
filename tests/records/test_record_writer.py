"""The one JSON-lines writer: every line whole, on disk at once, from any number of threads."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from seamline.records.writer import LineWriter


def test_a_line_is_on_disk_as_soon_as_write_returns(tmp_path: Path) -> None:
    writer = LineWriter(tmp_path / "tests.jsonl")
    writer.write({"event": "start", "test": "t.py::test_ä"})
    # read through another handle while the writer is still open, as a report of a live run does
    assert (tmp_path / "tests.jsonl").read_text(encoding="utf-8") == (
        '{"event": "start", "test": "t.py::test_ä"}\n'
    )
    writer.write_all([{"seq": 1}, {"seq": 2}])
    writer.write_all([])
    lines = (tmp_path / "tests.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line).get("seq") for line in lines] == [None, 1, 2]
    writer.close()


def test_lines_from_many_threads_never_interleave(tmp_path: Path) -> None:
    writer = LineWriter(tmp_path / "journal.jsonl")
    # long lines: a write of one line in pieces would show as a broken line
    padding = "x" * 20_000

    def write(thread: int) -> None:
        for number in range(100):
            writer.write({"thread": thread, "number": number, "padding": padding})

    threads = [threading.Thread(target=write, args=(thread,)) for thread in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.close()
    lines = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]
    assert sorted((line["thread"], line["number"]) for line in lines) == [
        (thread, number) for thread in range(8) for number in range(100)
    ]


def test_values_json_cannot_hold_are_written_as_text_and_late_writes_are_dropped(
    tmp_path: Path,
) -> None:
    writer = LineWriter(tmp_path / "db-changes.jsonl")
    writer.write({"path": tmp_path})
    writer.close()
    writer.write({"late": True})  # a change captured while the run stops: no error, not kept
    (line,) = (tmp_path / "db-changes.jsonl").read_text().splitlines()
    assert json.loads(line) == {"path": str(tmp_path)}
