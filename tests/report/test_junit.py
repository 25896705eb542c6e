"""The per-test seam summary for JUnit `<system-out>`, and the journal follower that feeds it."""

from __future__ import annotations

import json

import pytest

from seamline.report import junit_text
from seamline.report.junit import SECTION, JournalTail, attach_seam_summary
from tests.report.records_builder import RunBuilder
from tests.report.shop_records import T, write_shop_run


def records_of(run: RunBuilder, name: str, test_id: str) -> list[dict]:
    lines = (run.path / name).read_text().splitlines()
    return [r for r in map(json.loads, lines) if r["test"] == test_id]


def test_the_summary_lists_each_exchange_with_its_violations_and_the_db_changes(tmp_path):
    run = write_shop_run(tmp_path)
    test_id = T + "test_checkout_stores_the_order"
    text = junit_text(
        records_of(run, "journal.jsonl", test_id), records_of(run, "db-changes.jsonl", test_id)
    )
    lines = text.splitlines()
    assert lines[0] == (
        "seamline: 2 exchange(s) on 2 seam(s), 2 contract violation(s), 3 database change(s)"
    )
    assert lines[1].split() == ["+0.0ms", "test", "->", "api", "POST", "/orders", "->", "201",
                                "Created", "5.0ms"]  # fmt: skip
    assert "api -> payments" in lines[2] and "POST /charges -> 201 Created 2.0ms" in lines[2]
    assert lines[3].strip().startswith("! api -> payments: POST /charges response 201: body.amount")
    assert "4242424242424242" not in text  # the card in the second violation is masked
    assert lines[-1] == "database: orders insert 1, carts update 1, cart_items delete 1"


def test_a_fault_says_what_happened_instead_of_a_status(tmp_path):
    run = write_shop_run(tmp_path)
    text = junit_text(records_of(run, "journal.jsonl", T + "test_payment_timeout"))
    assert "2 fault(s) or error(s)" in text.splitlines()[0]
    assert "POST /charges [fault] -> timeout 5000.0ms (no response within 5.0 s)" in text
    assert "POST /charges [fault] -> 503 Service Unavailable" in text


def test_a_test_that_crossed_no_seam_has_no_summary():
    assert junit_text([], []) == ""


def test_the_tail_hands_out_each_tests_records_once_and_waits_for_cut_lines(tmp_path):
    run = RunBuilder(tmp_path)
    tail = JournalTail(run.path)
    assert tail.take("t::a") == ([], [])  # no journal yet
    with run.test("t::a") as test:
        test.exchange("test -> api", "GET", "/a", status=200)
        test.db_change("items", "insert", new={"id": 1})
        test.passed()
    with (run.path / "journal.jsonl").open("a") as journal:
        journal.write('{"v": 1, "test": "t::b", "seq": 9')  # still being written
    exchanges, changes = tail.take("t::a")
    assert [x["request"]["target"] for x in exchanges] == ["/a"]
    assert [c["table"] for c in changes] == ["items"]
    assert tail.take("t::a") == ([], [])
    assert tail.take("t::b") == ([], [])
    with (run.path / "journal.jsonl").open("a") as journal:
        journal.write(', "seam": "test -> api"}\n')
    assert [x["seq"] for x in tail.take("t::b")[0]] == [9]


@pytest.mark.parametrize(("when", "attached"), [("teardown", True), ("call", False)])
def test_the_summary_goes_on_the_teardown_report_that_junitxml_writes(when, attached):
    report = pytest.TestReport("t::a", ("t.py", 1, "a"), {}, "passed", None, when, [])
    attach_seam_summary(report, "seamline: 1 exchange(s) on 1 seam(s)\n")
    assert report.sections == (
        [(SECTION, "seamline: 1 exchange(s) on 1 seam(s)\n")] if attached else []
    )
    assert (report.capstdout != "") is attached
