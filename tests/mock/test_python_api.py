"""The fluent Python API and the pytest fixtures."""

from __future__ import annotations

import httpx
import pytest

from seamline.mock import (
    MockServer,
    VerificationError,
    absent,
    and_,
    any_request,
    containing,
    equal_to,
    get,
    matching,
    matching_json_path,
    not_containing,
    or_,
    post,
    present,
    put,
)


def test_stub_with_json_body_and_header_then_verify(mock: MockServer) -> None:
    mock.stub(
        post("/charges")
        .with_json_body({"amount": 100, "currency": "EUR"}, ignore_extra_elements=True)
        .with_header("Idempotency-Key", present())
    ).reply(201, json={"id": "ch_1", "status": "succeeded"})
    reply = httpx.post(
        mock.url + "/charges",
        json={"amount": 100, "currency": "EUR", "note": "x"},
        headers={"Idempotency-Key": "k-1"},
    )
    assert reply.status_code == 201
    assert reply.json() == {"id": "ch_1", "status": "succeeded"}
    assert reply.headers["Content-Type"] == "application/json"
    found = mock.verify(post("/charges").with_header("Idempotency-Key", equal_to("k-1")), times=1)
    assert found[0].json["amount"] == 100


def test_verify_failure_lists_requests_and_the_closest_difference(mock: MockServer) -> None:
    httpx.post(mock.url + "/charges", json={"amount": 5})
    with pytest.raises(VerificationError) as caught:
        mock.verify(post("/charges").with_json_path("$.amount", "100"), times=1)
    text = str(caught.value)
    assert "expected exactly 1 request(s)" in text
    assert "found 0" in text
    assert "POST /charges" in text
    assert "Body does not match" in text


def test_verify_counts_bounds(mock: MockServer) -> None:
    for _ in range(3):
        httpx.get(mock.url + "/ping")
    mock.verify(get("/ping"), at_least=2, at_most=3)
    mock.verify(get("/ping"))
    with pytest.raises(VerificationError, match="at most 2"):
        mock.verify(get("/ping"), at_most=2)
    with pytest.raises(VerificationError, match="at least 1"):
        mock.verify(get("/pong"))


def test_matcher_helpers_build_wiremock_json(mock: MockServer) -> None:
    stub = mock.stub(
        put(matching("/items/[0-9]+"))
        .with_query_param("mode", or_(equal_to("a"), absent()))
        .with_header("User-Agent", and_(containing("client"), not_containing("bot")))
        .with_cookie("sid", matching("s-.*"))
        .with_basic_auth("u", "p")
        .with_json_path("$.tags")
        .with_body(matching_json_path("$.tags[0]", equal_to("x")))
    ).reply(200, body="ok")
    assert stub.request.spec["urlPathPattern"] == "/items/[0-9]+"
    assert stub.request.spec["queryParameters"]["mode"] == {
        "or": [{"equalTo": "a"}, {"absent": True}]
    }
    reply = httpx.put(
        mock.url + "/items/7",
        auth=("u", "p"),
        headers={"User-Agent": "client/1", "Cookie": "sid=s-1"},
        json={"tags": ["x"]},
    )
    assert reply.text == "ok"


def test_scenarios_faults_and_options_through_the_builder(mock: MockServer) -> None:
    mock.stub(get("/pay")).in_scenario("retry", when="Started", then="failed-once").fault(
        "EMPTY_RESPONSE"
    )
    mock.stub(get("/pay")).in_scenario("retry", when="failed-once").named("second try").reply(
        200, body="paid", headers={"X-Try": "2"}, status_message="Fine"
    )
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(mock.url + "/pay")
    assert mock.scenario_state("retry") == "failed-once"
    reply = httpx.get(mock.url + "/pay")
    assert (reply.text, reply.headers["X-Try"], reply.headers["Matched-Stub-Name"]) == (
        "paid",
        "2",
        "second try",
    )
    mock.reset_scenarios()
    assert mock.scenario_state("retry") == "Started"


def test_priority_template_and_any_method(mock: MockServer) -> None:
    mock.stub(any_request("/x")).with_priority(9).reply(200, body="fallback")
    mock.stub(post("/x")).with_priority(1).reply(200, body="{{request.method}}", template=True)
    assert httpx.post(mock.url + "/x").text == "POST"
    assert httpx.delete(mock.url + "/x").text == "fallback"


def test_requests_unmatched_remove_and_reset(mock: MockServer) -> None:
    stub = mock.stub(get("/a")).reply(200)
    httpx.get(mock.url + "/a")
    httpx.get(mock.url + "/b?q=1")
    assert [r.url for r in mock.requests()] == ["/a", "/b?q=1"]
    assert [r.query for r in mock.unmatched()] == [{"q": ["1"]}]
    mock.remove(stub)
    assert httpx.get(mock.url + "/a").status_code == 404
    mock.reset()
    assert mock.requests() == []
    assert mock.mappings() == []


def test_binary_body_reply_and_dribble(mock: MockServer) -> None:
    mock.stub(get("/bin")).reply(200, body=b"\x00\x01")
    mock.stub(get("/drip")).reply(200, body="abc", dribble=(3, 30))
    assert httpx.get(mock.url + "/bin").content == b"\x00\x01"
    assert httpx.get(mock.url + "/drip").text == "abc"


def test_shared_server_starts_each_test_empty_first(mock_shared: MockServer) -> None:
    assert mock_shared.mappings() == []
    assert mock_shared.requests() == []
    mock_shared.stub(get("/left-over")).reply(200)
    httpx.get(mock_shared.url + "/left-over")


def test_shared_server_starts_each_test_empty_second(mock_shared: MockServer) -> None:
    assert mock_shared.mappings() == []
    assert mock_shared.requests() == []
    mock_shared.stub(get("/left-over")).reply(200)
    httpx.get(mock_shared.url + "/left-over")


def test_context_manager_owns_its_loop_and_releases_the_port() -> None:
    with MockServer() as server:
        port = server.port
        server.stub(get("/")).reply(204)
        assert httpx.get(server.url + "/").status_code == 204
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/")
