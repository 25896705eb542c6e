"""Reading record dirs: forgiving of what a killed run leaves, strict about what it claims."""

from __future__ import annotations

import json

import pytest

from seamline.records.lines import FORMAT_VERSION
from seamline.records.reader import canonical_time, read_record_dir
from tests.report.records_builder import RunBuilder


def test_a_cut_last_line_is_skipped_and_named(tmp_path):
    run = RunBuilder(tmp_path)
    with run.test("t.py::test_a") as test:
        test.exchange("test -> api", "GET", "/a", status=200, text="ok")
        test.passed()
    with (run.path / "journal.jsonl").open("a") as journal:
        journal.write('{"v": 1, "seam": "test -> api", "seq": 2, "requ')  # killed mid-write
    record = read_record_dir(run.path)
    assert len(record.exchanges) == 1
    assert record.problems == [
        "journal.jsonl: skipped 1 unreadable line(s) (line 2); "
        "a killed run leaves its last line cut"
    ]


def test_lines_of_a_version_this_seamline_cannot_read_are_skipped_with_advice(tmp_path):
    run = RunBuilder(tmp_path)
    run.append("journal.jsonl", {"v": 4, "seam": "test -> api"})
    run.append("journal.jsonl", {"v": 4, "seam": "test -> api"})
    record = read_record_dir(run.path)
    assert record.exchanges == []
    assert record.problems == [
        "journal.jsonl: skipped 2 line(s) of format version 4 (line 1, 2): this seamline "
        "reads versions 1, 2 and 3; re-render with the seamline that wrote them"
    ]


def test_a_run_json_of_a_newer_version_is_shown_with_a_warning(tmp_path):
    run = RunBuilder(tmp_path, system="shop")
    info = json.loads((run.path / "run.json").read_text())
    (run.path / "run.json").write_text(json.dumps({**info, "v": 4}))
    record = read_record_dir(run.path)
    assert record.run["system"] == "shop"
    assert record.problems == [
        "run.json: format version 4, this seamline reads versions 1, 2 and 3; "
        "some fields may be missing"
    ]


def test_log_lines_of_all_services_are_merged_in_time_order(tmp_path):
    run = RunBuilder(tmp_path)
    run.log("api", "first")
    run.log("payments", "second")
    run.log("api", "\x1b[32mthird\x1b[0m in green")
    with (run.path / "logs" / "api.log").open("a") as log:
        log.write("a line without a timestamp\n")
    record = read_record_dir(run.path, log_line_limit=2000)
    assert [(line.service, line.text) for line in record.logs] == [
        ("api", "first"),
        ("payments", "second"),
        ("api", "third in green"),
        ("api", "a line without a timestamp"),
    ]
    assert record.logs[3].at == record.logs[2].at  # kept at the previous line's time


def test_very_long_log_lines_are_cut_with_their_length(tmp_path):
    run = RunBuilder(tmp_path)
    run.log("api", "x" * 5000)
    (line,) = read_record_dir(run.path, log_line_limit=100).logs
    assert line.text == "x" * 100 + "… (5000 characters)"


def test_a_directory_that_is_not_a_record_dir_is_refused_with_what_was_expected(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"expected run\.json, tests\.jsonl"):
        read_record_dir(tmp_path)
    with pytest.raises(FileNotFoundError, match="no record dir"):
        read_record_dir(tmp_path / "missing")


def test_a_run_json_that_is_not_json_is_a_problem_not_a_crash(tmp_path):
    run = RunBuilder(tmp_path)
    (run.path / "run.json").write_text("{not json")
    record = read_record_dir(run.path)
    assert record.run == {}
    assert "run.json could not be read" in record.problems[0]


def test_times_are_made_canonical_so_they_sort_as_strings(tmp_path):
    assert canonical_time("2026-11-25T10:00:00.123456Z") == "2026-11-25T10:00:00.123456Z"
    assert canonical_time("2026-11-25T11:00:00+01:00") == "2026-11-25T10:00:00.000000Z"
    assert canonical_time("yesterday") is None
    run = RunBuilder(tmp_path)
    run.append(
        "db-changes.jsonl", {"v": 1, "test": None, "table": "t", "at": "2026-11-25T10:00:01Z"}
    )
    assert read_record_dir(run.path).db_changes[0]["at"] == "2026-11-25T10:00:01.000000Z"
    assert json.loads((run.path / "run.json").read_text())["v"] == FORMAT_VERSION


def test_json_lines_that_are_no_record_of_their_file_are_skipped_and_named(tmp_path):
    run = RunBuilder(tmp_path)
    with run.test("t.py::test_a") as test:
        test.exchange("test -> api", "GET", "/a", status=200, text="ok")
        test.passed()
    run.append("journal.jsonl", {"v": FORMAT_VERSION})  # JSON, but no exchange
    run.append("tests.jsonl", {"v": FORMAT_VERSION, "event": "end"})  # no test named
    record = read_record_dir(run.path)
    assert len(record.exchanges) == 1
    assert [e["test"] for e in record.test_events] == ["t.py::test_a", "t.py::test_a"]
    assert record.problems == [
        "tests.jsonl: skipped 1 line(s) that are no record of it (line 3): each needs event, "
        "test; the file was changed by something other than seamline",
        "journal.jsonl: skipped 1 line(s) that are no record of it (line 2): each needs "
        "outcome, request, seam; the file was changed by something other than seamline",
    ]
