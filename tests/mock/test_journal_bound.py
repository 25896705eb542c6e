"""The stub server's request journal is bounded by default (count and bytes) and says
what it dropped: in `/__admin/requests` meta and in `verify` failures (issue 11)."""

from __future__ import annotations

import httpx
import pytest

from seamline.mock import MockServer, VerificationError, get
from seamline.mock.journal import DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES
from seamline.mock.standalone import parser


def test_the_journal_is_bounded_by_default() -> None:
    args = parser().parse_args([])
    assert args.max_request_journal_entries == DEFAULT_MAX_ENTRIES
    assert args.max_request_journal_bytes == DEFAULT_MAX_BYTES
    with MockServer() as mock:
        assert mock.engine.journal.limit == DEFAULT_MAX_ENTRIES
        assert mock.engine.journal.max_bytes == DEFAULT_MAX_BYTES


def test_requests_meta_says_which_requests_were_dropped() -> None:
    with MockServer(journal_limit=3) as mock:
        for path in ("/old", "/old", "/a", "/b", "/c"):
            httpx.get(mock.url + path)
        listed = httpx.get(mock.url + "/__admin/requests").json()
    assert [e["request"]["url"] for e in listed["requests"]] == ["/c", "/b", "/a"]
    dropped = listed["meta"]["dropped"]
    assert dropped["count"] == 2
    assert dropped["requests"] == {"GET /old": 2}
    assert dropped["firstLoggedDate"] <= dropped["lastLoggedDate"]


def test_the_byte_bound_drops_the_oldest_large_bodies() -> None:
    with MockServer(journal_limit=None, journal_bytes=30_000) as mock:
        for _ in range(10):
            httpx.post(mock.url + "/upload", content=b"x" * 5_000)
        listed = httpx.get(mock.url + "/__admin/requests").json()
    kept = len(listed["requests"])
    assert 1 <= kept < 10
    assert listed["meta"]["dropped"]["count"] == 10 - kept


def test_a_failed_verify_names_the_dropped_requests() -> None:
    with MockServer(journal_limit=2) as mock:
        for _ in range(3):
            httpx.get(mock.url + "/pay")
        with pytest.raises(VerificationError) as failure:
            mock.verify(get("/pay"), times=3)
    message = str(failure.value)
    assert "found 2" in message
    assert "1 older request(s) were dropped" in message
    assert "GET /pay x1" in message


def test_no_request_journal_keeps_nothing() -> None:
    with MockServer(journal_limit=0) as mock:
        httpx.get(mock.url + "/x")
        listed = httpx.get(mock.url + "/__admin/requests").json()
    assert listed["requests"] == []
    assert listed["requestJournalDisabled"] is True
