"""`assert_header_propagated`: a wrong value, a missing header, and calls made outside any
incoming call, on real processes (a -> b -> c, each forwarding X-Request-ID unless ?drop=1),
and a wrong value on exchanges built in memory (no app here sends one)."""

from __future__ import annotations

import pytest

from seamline.records.exchange import Body, Exchange, HeaderList, RequestRecord, ResponseRecord
from seamline.seams.assertions import assert_header_propagated

ID = "X-Request-ID"


def exchange(seam: str, mono: float, ms: float, request_id: str | None) -> Exchange:
    consumer, provider = seam.split(" -> ")
    headers = HeaderList([(ID, request_id)] if request_id is not None else [])
    request = RequestRecord("GET", "/x", headers, Body())
    response = ResponseRecord(200, "OK", HeaderList(), Body())
    return Exchange(seam, consumer, provider, request, response, mono=mono, duration_ms=ms)


def test_a_different_value_fails_naming_both_values_and_the_hop():
    incoming = exchange("test -> api", mono=10.0, ms=50, request_id="r-1")
    passed_on = exchange("api -> payments", mono=10.01, ms=5, request_id="r-2")
    with pytest.raises(AssertionError) as caught:
        assert_header_propagated([incoming, passed_on], ID, "test -> api", "api -> payments")
    message = str(caught.value)
    assert f"{ID} was not propagated from test -> api to api -> payments" in message
    assert f"expected {ID}: 'r-1'" in message and "found 'r-2'" in message


def test_only_the_call_with_the_wrong_value_is_blamed():
    incoming = exchange("test -> api", mono=10.0, ms=50, request_id="r-1")
    right = exchange("api -> payments", mono=10.01, ms=5, request_id="r-1")
    wrong = exchange("api -> payments", mono=10.02, ms=5, request_id="R-1")  # case counts
    with pytest.raises(AssertionError) as caught:
        assert_header_propagated([incoming, right, wrong], ID, "test -> api", "api -> payments")
    problems = str(caught.value).splitlines()[1:]
    assert len(problems) == 1 and "found 'R-1'" in problems[0]


def test_a_missing_header_fails_saying_it_was_not_found(chain):
    chain.client("a").get("/chain/B_URL/C_URL?drop=1", headers={ID: "r-3"})
    with pytest.raises(AssertionError) as caught:
        chain.seams.assert_header_propagated(ID, from_="test -> a", to="a -> b")
    assert f"expected {ID}: 'r-3'" in str(caught.value)
    assert "found no such header" in str(caught.value)


def test_a_call_made_outside_any_incoming_call_is_not_checked(chain):
    chain.client("b").get("/chain/C_URL")  # b calls c on its own: no a -> b call in flight
    chain.client("a").get("/chain/B_URL/C_URL", headers={ID: "r-4"})
    chain.seams.assert_header_propagated(ID, from_="a -> b", to="b -> c")  # only the paired hop


def test_only_calls_outside_any_incoming_call_cannot_be_checked(chain):
    chain.client("a").get("/health", headers={ID: "r-5"})  # goes no further
    chain.client("b").get("/chain/C_URL")  # b -> c, but outside any a -> b call
    with pytest.raises(AssertionError) as caught:
        chain.seams.assert_header_propagated(ID, from_="test -> a", to="b -> c")
    assert "no call on b -> c was made while a call on test -> a was in flight" in str(caught.value)
