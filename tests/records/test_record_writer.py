"""The one JSON-lines writer: every line whole, on disk at once, from any number of threads."""

from __future__ import annotations

import errno
import json
import threading
from pathlib import Path

from seamline.records.run import write_run_json
from seamline.records.writer import LineWriter, write_failure


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


def test_a_full_disk_drops_lines_counts_them_and_keeps_the_first_cause() -> None:
    # /dev/full fails every write with ENOSPC, as a record dir on a full disk does; the seam
    # that writes must go on forwarding, and the loss must be said (write_failure)
    writer = LineWriter(Path("/dev/full"))
    before = write_failure(Path("/dev"))
    writer.write({"seq": 1})
    writer.write_all([{"seq": 2}, {"seq": 3}])
    failure = write_failure(Path("/dev"))
    assert failure is not None and failure.cause.errno == errno.ENOSPC
    assert failure.lost - (before.lost if before else 0) == 3
    assert failure.path == Path("/dev/full")
    assert "SEAMLINE_RECORD_ROOT" in str(failure) and "No space left" in str(failure)
    writer.close()


def test_run_json_that_cannot_be_written_is_counted_not_raised(tmp_path: Path) -> None:
    gone = tmp_path / "not-a-dir"
    gone.write_text("")  # run.json would go below a file: every write fails
    write_run_json(gone, {"name": "x"})  # type: ignore[typeddict-item]  # only the write matters
    failure = write_failure(gone)
    assert failure is not None and failure.lost == 1 and failure.path == gone / "run.json"
