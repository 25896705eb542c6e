"""The report reads the record lines by the names `records.lines` spells, in every version it
can read, and its schema and page use the same names."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from seamline.masking import DEFAULT_SECRET_NAMES, MASK, Masker, SecretNames
from seamline.records.exchange import Body, Exchange, HeaderList, RequestRecord
from seamline.records.layout import JOURNAL
from seamline.records.lines import (
    BodyLine,
    DbChangeLine,
    ExchangeLine,
    RequestLine,
    ResponseLine,
    ViolationLine,
)
from seamline.records.reader import read_record_dir
from seamline.report import schema_path
from seamline.report.views import exchange_view
from seamline.seams.journal import Journal

PAGE = Path(schema_path()).parent / "static" / "report.js"


def keys_of(line_type: type) -> set[str]:
    return set(line_type.__required_keys__) | set(line_type.__optional_keys__)  # type: ignore[attr-defined]


def masker() -> Masker:
    return Masker(SecretNames(DEFAULT_SECRET_NAMES))


def journal_of(tmp_path: Path, body: bytes) -> Path:
    request = RequestRecord(
        "POST",
        "/orders",
        HeaderList([("Content-Type", "application/json")]),
        Body(body, len(body), False, "application/json"),
    )
    journal = Journal(tmp_path / JOURNAL)
    journal.add(Exchange("test -> api", "test", "api", request, None))
    journal.close()
    return tmp_path


def test_a_json_body_the_journal_wrote_is_shown_as_json_as_it_was_sent(tmp_path):
    # the journal writes JSON bodies as text only (format version 2): the report must not
    # need the parsed `json` field version 1 had, nor re-encode a body with no secret in it
    sent = b'{"cart": 1,  "items": [2, 3]}'
    (record,) = read_record_dir(journal_of(tmp_path, sent)).exchanges
    body = exchange_view(record, masker(), 1000)["request"]["body"]
    assert (body["kind"], body["text"]) == ("json", sent.decode())


def test_a_version_1_line_and_its_version_2_twin_show_the_same(tmp_path):
    sent = b'{"password": "hunter22", "id": 2}'
    (current,) = read_record_dir(journal_of(tmp_path, sent)).exchanges
    old = json.loads(json.dumps(current))
    old["v"] = 1
    old["request"]["body"]["json"] = json.loads(sent)
    (tmp_path / JOURNAL).write_text(json.dumps(old) + "\n")
    (upgraded,) = read_record_dir(tmp_path).exchanges
    assert upgraded == current
    view = exchange_view(upgraded, masker(), 1000)["request"]["body"]
    assert json.loads(view["text"]) == {"password": MASK, "id": 2}


def schema_defs() -> dict[str, Any]:
    return dict(json.loads(Path(schema_path()).read_text())["$defs"])


def properties(definition: dict[str, Any]) -> set[str]:
    if "oneOf" in definition:  # null or the object
        (definition,) = [d for d in definition["oneOf"] if d.get("type") == "object"]
    return set(definition["properties"])


def test_the_schema_names_the_record_fields_the_report_shows():
    defs = schema_defs()
    exchange = defs["exchange"]["properties"]
    # `v` and `test` become the report's grouping; `query` is shown in the target
    assert set(exchange) == keys_of(ExchangeLine) - {"v", "test"}
    assert properties(exchange["request"]) == keys_of(RequestLine) - {"query"}
    assert properties(exchange["response"]) == keys_of(ResponseLine)
    assert properties(defs["violation"]) == keys_of(ViolationLine)
    assert properties(defs["db_change"]) == keys_of(DbChangeLine) - {"v", "test"}
    # a body is shaped for people: its size and truncation are the journal's
    assert keys_of(BodyLine) - {"text", "base64"} <= properties(defs["body"])


def test_the_page_reads_only_fields_the_schema_defines():
    defs = schema_defs()
    exchange = defs["exchange"]["properties"]
    known = {
        "exchange": properties(defs["exchange"]),
        "request": properties(exchange["request"]),
        "response": properties(exchange["response"]),
        "body": properties(defs["body"]),
        "change": properties(defs["db_change"]),
    }
    page = PAGE.read_text()
    for name, fields in known.items():
        used = set(re.findall(rf"\b{name}\.([a-z_]+)\b", page)) - {"append"}  # DOM methods
        assert used, name
        assert used <= fields, f"report.js reads {name}.{sorted(used - fields)}: not in the schema"
