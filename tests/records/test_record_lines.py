"""Every kind of record line goes through its writer and comes back the same from the reader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from seamline.db.changes import Change
from seamline.records.exchange import (
    Body,
    Exchange,
    HeaderList,
    RequestRecord,
    ResponseRecord,
    Violation,
)
from seamline.records.layout import (
    DB_CHANGES,
    JOURNAL,
    MESSAGES,
    TESTS,
    is_record_dir,
    session_of,
)
from seamline.records.lines import (
    FORMAT_VERSION,
    DbChangeLine,
    EndEvent,
    ExchangeLine,
    MessageLine,
    RecordVersionError,
    RunInfo,
    StartEvent,
    as_exchange,
    upgrade,
)
from seamline.records.message import Message
from seamline.records.reader import LineFollower, exchange_of, read_exchanges, read_record_dir
from seamline.records.run import TestLog, now_iso, write_run_json
from seamline.records.writer import LineWriter
from seamline.seams.journal import Journal
from seamline.seams.message_journal import MessageJournal


def keys_of(line_type: type) -> set[str]:
    return set(line_type.__required_keys__) | set(line_type.__optional_keys__)  # type: ignore[attr-defined]


def as_read(record: Any) -> Any:
    """`record` as it looks after a trip through JSON (tuples become lists)."""
    return json.loads(json.dumps(record))


def an_exchange() -> Exchange:
    request = RequestRecord(
        "POST",
        "/charges?currency=eur&currency=usd",
        HeaderList([("Content-Type", "application/json"), ("X-Request-ID", "r-1")]),
        Body(b'{"amount": 3998}', 16, False, "application/json"),
    )
    response = ResponseRecord(
        502,
        "Bad Gateway",
        HeaderList([("content-type", "application/octet-stream")]),
        Body(b"\xff\xfe" * 10, 4096, True, "application/octet-stream"),
    )
    violation = Violation(
        "api -> payments", "POST /charges", "response", "/amount", "integer", "'39.98'", 502
    )
    return Exchange(
        "api -> payments",
        "api",
        "payments",
        request,
        response,
        outcome="fault",
        mode="fault",
        error="upstream reset",
        seq=1,
        test="tests/test_shop.py::test_pay",
        started=now_iso(),
        ended=now_iso(),
        mono=1234.5678,
        duration_ms=3.25,
        fault={"status": 502, "rate": 1.0},
        violations=[violation],
    )


def a_run_info() -> RunInfo:
    return {
        "system": "shop",
        "config": "/work/shop/seamline.toml",
        "profile": None,
        "run_id": "20261125-100000-42",
        "worker": "gw0",
        "session": "20261125-100000-41",
        "started": now_iso(),
        "seamline": "0.1.0",
        "services": {
            "api": {
                "kind": "process",
                "url": "http://127.0.0.1:9001",
                "runs": "python -m api",
                "version": None,
                "ready_s": 0.25,
            }
        },
        "seams": [{"consumer": "api", "provider": "payments", "variable": "PAYMENTS_URL"}],
        "message_seams": [{"consumer": "api", "provider": "bus", "variable": "BUS_URL"}],
        "seams_used": ["api -> payments"],
    }


def test_every_line_kind_round_trips_through_its_writer_and_the_reader(tmp_path: Path) -> None:
    exchange = an_exchange()
    journal = Journal(tmp_path / JOURNAL)
    journal.add(exchange)
    journal.close()
    tests = TestLog(tmp_path)
    tests.begin("t.py::test_a")
    tests.end("t.py::test_a", "failed", "assert 1 == 2", "Traceback ...")
    tests.close()
    changes = [
        Change(1, "orders", "insert", None, {"id": 7, "total": 39.98}, now_iso()),
        Change(2, "orders", "update", {"id": 7, "paid": False}, {"id": 7, "paid": True}, now_iso()),
        Change(3, "orders", "delete", {"id": 7}, None, now_iso()),
    ]
    writer = LineWriter(tmp_path / DB_CHANGES)
    writer.write_all(change.to_json("db", "t.py::test_a") for change in changes)
    writer.close()
    info = a_run_info()
    write_run_json(tmp_path, {**info, "ended": now_iso()})

    record = read_record_dir(tmp_path)

    assert record.problems == []
    assert record.exchanges == [as_read(exchange.to_json())]
    assert Exchange.from_json(record.exchanges[0]) == exchange
    assert read_exchanges(tmp_path / JOURNAL) == [exchange]
    assert record.db_changes == [as_read(c.to_json("db", "t.py::test_a")) for c in changes]
    start, end = record.test_events
    assert (start["event"], start["test"], end["event"], end["outcome"], end["message"]) == (
        "start",
        "t.py::test_a",
        "end",
        "failed",
        "assert 1 == 2",
    )
    assert record.run == {"v": FORMAT_VERSION, **info, "ended": record.run.get("ended")}
    # each line holds exactly the fields its TypedDict names, with the current version
    for line, line_type in [
        (record.exchanges[0], ExchangeLine),
        (record.db_changes[0], DbChangeLine),
        (start, StartEvent),
        (end, EndEvent),
    ]:
        assert set(line) == keys_of(line_type)
        assert line["v"] == FORMAT_VERSION
    assert set(record.run) == keys_of(RunInfo)


def test_a_version_1_exchange_is_read_as_the_current_version(tmp_path: Path) -> None:
    line = exchange_line_v1()
    (tmp_path / JOURNAL).write_text(json.dumps(line) + "\n")
    (read,) = read_record_dir(tmp_path).exchanges
    assert read["v"] == FORMAT_VERSION
    assert read["request"]["body"] == {
        "size": 16,
        "truncated": False,
        "text": '{"amount": 3998}',
        "base64": None,
    }
    assert exchange_of(orjson.dumps(line)).request.json == {"amount": 3998}


def exchange_line_v1() -> dict[str, Any]:
    """A journal line as seamline wrote it before version 2: bodies had a parsed `json`."""
    line = as_read(an_exchange().to_json())
    line["v"] = 1
    line["request"]["body"]["json"] = {"amount": 3998}
    line["response"]["body"]["json"] = None
    return dict(line)


def test_a_version_this_seamline_cannot_read_is_a_clear_error(tmp_path: Path) -> None:
    line = {**as_read(an_exchange().to_json()), "v": 4}
    expected = (
        "a journal.jsonl line of format version 4: this seamline reads versions 1, 2 and 3; "
        "read it with the seamline that wrote it"
    )
    with pytest.raises(RecordVersionError, match=expected):
        as_exchange(dict(line))
    (tmp_path / JOURNAL).write_text(json.dumps(line) + "\n")
    with pytest.raises(RecordVersionError, match="format version 4"):
        read_exchanges(tmp_path / JOURNAL)
    assert LineFollower(tmp_path / JOURNAL, as_exchange).read_new() == []
    with pytest.raises(RecordVersionError, match="format version 'two'"):
        upgrade("test", {"v": "two", "event": "start"})


def test_a_follower_hands_out_complete_lines_once_each(tmp_path: Path) -> None:
    follower = LineFollower(tmp_path / JOURNAL, as_exchange)
    assert follower.read_new() == []  # no file yet
    first = orjson.dumps(an_exchange().to_json())
    with (tmp_path / JOURNAL).open("ab") as journal:
        journal.write(first + b"\n" + first[:20])  # the second line is still being written
        journal.flush()
        assert [x["seq"] for x in follower.read_new()] == [1]
        journal.write(first[20:] + b"\n")
    assert [x["seq"] for x in follower.read_new()] == [1]
    assert follower.read_new() == []


def test_a_record_dir_and_its_session_are_told_from_its_files(tmp_path: Path) -> None:
    assert not is_record_dir(tmp_path)
    (tmp_path / "logs").mkdir()
    assert not is_record_dir(tmp_path)  # many project directories have a logs/
    (tmp_path / TESTS).touch()
    assert is_record_dir(tmp_path)
    assert session_of(tmp_path) is None
    write_run_json(tmp_path, a_run_info())
    assert session_of(tmp_path) == "20261125-100000-41"


def test_a_message_and_its_ack_round_trip_through_the_journal_and_the_reader(
    tmp_path: Path,
) -> None:
    (tmp_path / TESTS).touch()  # what makes it a record dir
    journal = MessageJournal(tmp_path / MESSAGES)
    delivered = Message(
        consumer="fulfilment",
        provider="bus",
        protocol="resp",
        direction="delivered",
        payload=Body(b'{"order_id": 7}', 15),
        queue="orders",
        id="1-0",
        headers=HeaderList([("kind", "paid")]),
        ack="unacked",
        test="t.py::test_a",
        at=now_iso(),
        mono=12.5,
    )
    journal.add(delivered)
    ack = Message("fulfilment", "bus", "resp", "ack", Body(), queue="orders", id="1-0", ack="acked")
    journal.add(ack)
    journal.close()

    (line,) = read_record_dir(tmp_path).messages
    assert set(line) == keys_of(MessageLine) and line["v"] == FORMAT_VERSION
    assert line["ack"] == "acked"  # the ack line settled it
    back = Message.from_json(line)
    assert back == Message(**{**delivered.__dict__, "ack": "acked"})
    assert journal.select() == [back]


def test_a_version_2_message_line_reads_with_no_properties() -> None:
    line = dict(Message("worker", "bus", "resp", "published", Body(b"x", 1)).to_json())
    line["v"] = 2
    del line["properties"]  # version 3 added it, for AMQP
    read = upgrade("message", line)
    assert read["v"] == FORMAT_VERSION and read["properties"] is None
    assert set(read) == keys_of(MessageLine)
