"""The journal and the assertion helpers, on exchanges built in memory."""

from __future__ import annotations

import json
import threading

import pytest

from seamline.errors import SeamlineError
from seamline.records.exchange import Body, Exchange, HeaderList, RequestRecord, ResponseRecord
from seamline.records.reader import read_exchanges
from seamline.seams.assertions import Flow, assert_header_propagated, eventually, query
from seamline.seams.journal import Journal


def make(
    seam="api -> payments",
    method="POST",
    target="/charges",
    status=201,
    *,
    mono=0.0,
    ms=1.0,
    headers=(),
    body=b'{"amount": 3998}',
) -> Exchange:
    consumer, provider = seam.split(" -> ")
    req = RequestRecord(
        method,
        target,
        HeaderList([("Content-Type", "application/json"), *headers]),
        Body(body, len(body), False, "application/json"),
    )
    resp = ResponseRecord(status, "", HeaderList(), Body()) if status else None
    return Exchange(seam, consumer, provider, req, resp, mono=mono, duration_ms=ms)


def test_journal_numbers_exchanges_writes_them_through_and_reads_them_back(tmp_path):
    journal = Journal(tmp_path / "journal.jsonl", max_in_memory=3)
    for n in range(5):
        journal.add(make(target=f"/charges/{n}"))
    lines = (tmp_path / "journal.jsonl").read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [1, 2, 3, 4, 5]
    # the two oldest were evicted from memory but queries still see them, from the file
    assert [e.request.target for e in journal.select()] == [f"/charges/{n}" for n in range(5)]
    assert read_exchanges(tmp_path / "journal.jsonl")[0].request.json == {"amount": 3998}
    journal.close()


def test_journal_is_safe_from_many_threads(tmp_path):
    journal = Journal(tmp_path / "j.jsonl")
    threads = [
        threading.Thread(target=lambda: [journal.add(make()) for _ in range(200)]) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(e.seq for e in journal.select()) == list(range(1, 1601))
    assert len((tmp_path / "j.jsonl").read_text().splitlines()) == 1600
    journal.close()


def test_one_none_and_count_fail_with_what_was_there():
    seen = [make(), make(method="GET", target="/charges/ch_1", status=200)]
    calls = query(seen, "api -> payments", method="POST", path="/charges")
    assert calls.count == 1
    assert calls.one().request.json["amount"] == 3998
    with pytest.raises(AssertionError) as caught:
        query(seen, "api -> payments", method="DELETE").one()
    text = str(caught.value)
    assert "expected exactly one call DELETE on api -> payments, found 0" in text
    assert "#0 api -> payments: POST /charges -> 201" in text
    with pytest.raises(AssertionError, match="expected no call POST /charges"):
        query(seen, "api -> payments", "POST", "/charges").none()
    assert query(seen, "x", path="/charges/{id}").count == 1
    assert query(seen, "x", path="/charges*").count == 2
    assert query(seen, "x", status=200).one().request.method == "GET"


def test_json_of_a_body_that_is_not_json_says_so():
    with pytest.raises(SeamlineError, match="expected a JSON body, found 'oops'"):
        _ = make(body=b"oops").request.json


def test_header_propagation_passes_when_the_value_travels_and_fails_when_it_does_not():
    outer = make(
        "test -> api", "POST", "/orders", mono=10.0, ms=50, headers=[("X-Request-ID", "r1")]
    )
    good = make(mono=10.01, headers=[("X-Request-ID", "r1")])
    assert_header_propagated([outer, good], "X-Request-ID", "test -> api", "api -> payments")
    lost = make(mono=10.02)
    with pytest.raises(AssertionError) as caught:
        assert_header_propagated(
            [outer, good, lost], "X-Request-ID", "test -> api", "api -> payments"
        )
    assert "expected X-Request-ID: 'r1'" in str(caught.value)
    assert "found no such header" in str(caught.value)
    later = make(mono=11.0, headers=[("X-Request-ID", "r1")])  # after the outer call ended
    with pytest.raises(AssertionError, match="no call on api -> payments was made while"):
        assert_header_propagated([outer, later], "X-Request-ID", "test -> api", "api -> payments")


def test_flow_orders_by_start_and_finds_positions():
    flow = Flow(
        sorted(
            [make(mono=2.0), make("test -> api", target="/orders", mono=1.0)], key=lambda e: e.mono
        )
    )
    assert flow.seams == ["test -> api", "api -> payments"]
    assert flow.index_of("test -> api", "POST", "/orders") < flow.index_of("api -> payments")
    with pytest.raises(AssertionError, match="no exchange on db -> x"):
        flow.index_of("db -> x")


def test_eventually_returns_the_value_or_shows_the_last_one():
    values = iter([0, 0, 3])
    assert eventually(lambda: next(values), timeout=2, interval=0.001) == 3
    with pytest.raises(AssertionError, match=r"not true within 0\.05 s; last value: 0"):
        eventually(lambda: 0, timeout=0.05, interval=0.01)

    def check() -> bool:
        assert 1 == 2, "still one"
        return True

    with pytest.raises(AssertionError, match="last assertion: still one"):
        eventually(check, timeout=0.05, interval=0.01)
