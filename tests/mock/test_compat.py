"""WireMock compatibility: mappings in WireMock's JSON, created through the admin API,
exercised with real HTTP requests over loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from compat_cases import MATCH_CASES, RESPONSE_CASES, Case, Send
from compat_cases_edges import EDGE_CASES
from compat_cases_matching import MATCHING_CASES
from compat_cases_probed import PROBED_CASES

from seamline.mock import MockServer


def create(mock: MockServer, mapping: dict[str, Any]) -> dict[str, Any]:
    reply = httpx.post(mock.url + "/__admin/mappings", json=mapping)
    assert reply.status_code == 201, reply.text
    created: dict[str, Any] = reply.json()
    return created


def send(mock: MockServer, what: Send) -> httpx.Response:
    return httpx.request(
        what.method,
        mock.url + what.url,
        headers=what.headers,
        content=what.body,
        json=what.json,
    )


ALL_MATCH_CASES = MATCH_CASES + MATCHING_CASES + EDGE_CASES + PROBED_CASES


@pytest.mark.parametrize("case", ALL_MATCH_CASES, ids=[c.id for c in ALL_MATCH_CASES])
def test_request_matcher_matches_hits_and_refuses_misses(mock: MockServer, case: Case) -> None:
    create(mock, {"request": case.request, "response": {"status": 200, "body": "matched"}})
    for hit in case.hits:
        reply = send(mock, hit)
        assert (reply.status_code, reply.text) == (200, "matched"), f"expected a match for {hit}"
    for miss in case.misses:
        reply = send(mock, miss)
        assert reply.status_code == 404, f"expected no match for {miss}, got {reply.text}"
        assert "Request was not matched" in reply.text


@pytest.mark.parametrize(
    ("response", "status", "headers", "body"),
    [c[1:] for c in RESPONSE_CASES],
    ids=[c[0] for c in RESPONSE_CASES],
)
def test_response_fields_are_sent_as_written(
    mock: MockServer, response: dict[str, Any], status: int, headers: dict[str, str], body: bytes
) -> None:
    stub = create(mock, {"request": {"method": "GET", "url": "/r"}, "response": response})
    reply = httpx.get(mock.url + "/r")
    assert reply.status_code == status
    assert reply.content == body
    for name, value in headers.items():
        assert reply.headers[name] == value
    assert reply.headers["Matched-Stub-Id"] == stub["id"]
    if "statusMessage" in response:
        assert reply.reason_phrase == response["statusMessage"]


def test_response_header_lists_send_every_value(mock: MockServer) -> None:
    create(
        mock, {"request": {"url": "/c"}, "response": {"headers": {"Set-Cookie": ["a=1", "b=2"]}}}
    )
    assert httpx.get(mock.url + "/c").headers.get_list("Set-Cookie") == ["a=1", "b=2"]


def test_body_file_name_is_read_from_the_files_dir(tmp_path: Path) -> None:
    (tmp_path / "mappings").mkdir()
    (tmp_path / "__files" / "nested").mkdir(parents=True)
    (tmp_path / "__files" / "nested" / "user.json").write_text('{"user": "ann"}')
    mapping = {"request": {"url": "/u"}, "response": {"bodyFileName": "nested/user.json"}}
    (tmp_path / "mappings" / "u.json").write_text(json.dumps(mapping))
    with MockServer(root_dir=tmp_path) as mock:
        assert httpx.get(mock.url + "/u").json() == {"user": "ann"}


def test_body_file_outside_the_files_dir_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "__files").mkdir()
    with MockServer(root_dir=tmp_path) as mock:
        create(mock, {"request": {"url": "/x"}, "response": {"bodyFileName": "../secret.txt"}})
        reply = httpx.get(mock.url + "/x")
        assert reply.text != "secret"
        assert "outside" in reply.text


def test_lower_priority_number_wins(mock: MockServer) -> None:
    create(mock, {"priority": 1, "request": {"urlPath": "/p"}, "response": {"body": "specific"}})
    create(
        mock,
        {"priority": 10, "request": {"urlPathPattern": "/.*"}, "response": {"body": "catch-all"}},
    )
    assert httpx.get(mock.url + "/p").text == "specific"
    assert httpx.get(mock.url + "/other").text == "catch-all"


def test_equal_priority_prefers_the_most_recent_stub(mock: MockServer) -> None:
    create(mock, {"request": {"url": "/same"}, "response": {"body": "first"}})
    create(mock, {"request": {"url": "/same"}, "response": {"body": "second"}})
    assert httpx.get(mock.url + "/same").text == "second"


def test_scenario_moves_through_its_states(mock: MockServer) -> None:
    todo = {"scenarioName": "To do list", "request": {"method": "GET", "url": "/todo/items"}}
    create(
        mock,
        {**todo, "requiredScenarioState": "Started", "response": {"body": "<item>Buy milk</item>"}},
    )
    create(
        mock,
        {
            "scenarioName": "To do list",
            "requiredScenarioState": "Started",
            "newScenarioState": "Cancel newspaper item added",
            "request": {
                "method": "POST",
                "url": "/todo/items",
                "bodyPatterns": [{"contains": "Cancel newspaper"}],
            },
            "response": {"status": 201},
        },
    )
    create(
        mock,
        {
            **todo,
            "requiredScenarioState": "Cancel newspaper item added",
            "response": {"body": "<item>Buy milk</item><item>Cancel newspaper subscription</item>"},
        },
    )
    assert httpx.get(mock.url + "/todo/items").text == "<item>Buy milk</item>"
    assert httpx.post(mock.url + "/todo/items", content="Cancel newspaper").status_code == 201
    assert "Cancel newspaper" in httpx.get(mock.url + "/todo/items").text
    scenarios = httpx.get(mock.url + "/__admin/scenarios").json()["scenarios"]
    assert scenarios[0]["state"] == "Cancel newspaper item added"
    assert set(scenarios[0]["possibleStates"]) == {"Started", "Cancel newspaper item added"}
    httpx.post(mock.url + "/__admin/scenarios/reset")
    assert httpx.get(mock.url + "/todo/items").text == "<item>Buy milk</item>"


def test_scenario_state_can_be_set_through_the_admin_api(mock: MockServer) -> None:
    create(
        mock,
        {
            "scenarioName": "s",
            "requiredScenarioState": "Paid",
            "request": {"url": "/o"},
            "response": {"body": "paid"},
        },
    )
    assert httpx.get(mock.url + "/o").status_code == 404
    httpx.put(mock.url + "/__admin/scenarios/s/state", json={"state": "Paid"})
    assert httpx.get(mock.url + "/o").text == "paid"
    assert (
        httpx.put(mock.url + "/__admin/scenarios/nope/state", json={"state": "x"}).status_code
        == 404
    )


def test_fixed_delay_and_distributions_still_answer(mock: MockServer) -> None:
    create(
        mock,
        {"request": {"url": "/fixed"}, "response": {"body": "f", "fixedDelayMilliseconds": 20}},
    )
    create(
        mock,
        {
            "request": {"url": "/uniform"},
            "response": {
                "body": "u",
                "delayDistribution": {"type": "uniform", "lower": 1, "upper": 5},
            },
        },
    )
    create(
        mock,
        {
            "request": {"url": "/lognormal"},
            "response": {
                "body": "l",
                "delayDistribution": {"type": "lognormal", "median": 5, "sigma": 0.1},
            },
        },
    )
    assert [httpx.get(mock.url + p).text for p in ("/fixed", "/uniform", "/lognormal")] == [
        "f",
        "u",
        "l",
    ]


def test_chunked_dribble_sends_the_body_in_chunks(mock: MockServer) -> None:
    create(
        mock,
        {
            "request": {"url": "/drip"},
            "response": {
                "body": "abcdefghij",
                "chunkedDribbleDelay": {"numberOfChunks": 5, "totalDuration": 50},
            },
        },
    )
    with httpx.stream("GET", mock.url + "/drip") as reply:
        assert reply.headers["Transfer-Encoding"] == "chunked"
        pieces = list(reply.iter_raw())
    assert b"".join(pieces) == b"abcdefghij"


def test_global_fixed_delay_setting_is_accepted_and_reported(mock: MockServer) -> None:
    create(mock, {"request": {"url": "/s"}, "response": {"body": "ok"}})
    assert httpx.post(mock.url + "/__admin/settings", json={"fixedDelay": 5}).status_code == 200
    settings = {"settings": {"fixedDelay": 5, "proxyPassThrough": False}}  # as WireMock writes
    assert httpx.get(mock.url + "/__admin/settings").json() == settings
    assert httpx.get(mock.url + "/s").text == "ok"


def test_metadata_is_kept_and_searchable(mock: MockServer) -> None:
    create(mock, {"request": {"url": "/m"}, "metadata": {"team": "payments"}, "name": "meta stub"})
    found = httpx.post(
        mock.url + "/__admin/mappings/find-by-metadata",
        json={"matchesJsonPath": {"expression": "$.team", "equalTo": "payments"}},
    ).json()
    assert [m["name"] for m in found["mappings"]] == ["meta stub"]
    httpx.post(
        mock.url + "/__admin/mappings/remove-by-metadata", json={"matchesJsonPath": "$.team"}
    )
    assert httpx.get(mock.url + "/__admin/mappings").json()["meta"]["total"] == 0
