"""WireMock's admin API as probing 3.13.2 side by side with seamline showed it: the JSON
it writes for stubs, scenarios, settings and the journal, and what it answers to
duplicates, imports and resets. Run against seamline by test_compat_scenarios.py and
against a real WireMock by bench/mock/crosscheck_wiremock.py (same Scenario shape as
compat_scenarios.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from compat_scenarios import Scenario, create

ID1 = "7e57ab1e-0000-4000-8000-0000000000a1"
ID2 = "7e57ab1e-0000-4000-8000-0000000000a2"


def _stub(url: str, body: str = "x", **extra: Any) -> dict[str, Any]:
    return {"request": {"method": "GET", "url": url}, "response": {"body": body}, **extra}


def _urls(listing: dict[str, Any]) -> list[str]:
    return [m["request"].get("url") for m in listing["mappings"]]


def stub_json_carries_wiremock_defaults(base: str, root: Path) -> None:
    created = create(base, {"response": {"body": "x"}})
    assert created["request"] == {"method": "ANY"}
    assert created["response"] == {"body": "x", "status": 200}
    again = httpx.get(f"{base}/__admin/mappings/{created['id']}").json()
    assert (again["request"], again["response"]) == (created["request"], created["response"])


def duplicate_stub_id_is_refused(base: str, root: Path) -> None:
    create(base, _stub("/a", id=ID1))
    reply = httpx.post(base + "/__admin/mappings", json=_stub("/b", id=ID1))
    assert reply.status_code == 422
    [problem] = reply.json()["errors"]
    assert (problem["code"], problem["title"]) == (109, "Duplicate stub mapping ID")
    assert httpx.get(base + "/a").text == "x"
    assert httpx.get(base + "/b").status_code == 404


def unknown_stub_id_is_404(base: str, root: Path) -> None:
    url = f"{base}/__admin/mappings/{ID2}"
    assert httpx.get(url).status_code == 404
    assert httpx.put(url, json=_stub("/b")).status_code == 404
    assert httpx.delete(url).status_code == 404


def cookie_multi_value_matchers_are_refused(base: str, root: Path) -> None:
    for key in ("hasExactly", "includes"):
        request = {"url": "/k", "cookies": {"s": {key: [{"equalTo": "1"}]}}}
        reply = httpx.post(base + "/__admin/mappings", json={"request": request})
        assert reply.status_code == 422
        [problem] = reply.json()["errors"]
        assert problem["source"] == {"pointer": "/request/cookies/s"}
        assert "is not a valid match operation" in (problem.get("detail") or problem["title"])


def stub_edited_by_id_keeps_its_id(base: str, root: Path) -> None:
    create(base, _stub("/a", id=ID1, name="first"))
    edited = httpx.put(f"{base}/__admin/mappings/{ID1}", json=_stub("/a2", body="y"))
    assert (edited.status_code, edited.json()["id"]) == (200, ID1)
    assert "name" not in edited.json()
    assert httpx.get(base + "/a2").text == "y"
    assert httpx.get(base + "/a").status_code == 404
    assert httpx.delete(f"{base}/__admin/mappings/{ID1}").json() == {}


def older_mapping_endpoints_answer_as_wiremock(base: str, root: Path) -> None:
    create(base, _stub("/a", id=ID1, insertionIndex=5))
    create(base, _stub("/b"))
    listed = httpx.get(base + "/__admin/mappings").json()["mappings"]
    assert all("insertionIndex" not in m for m in listed)
    edited = httpx.post(base + "/__admin/mappings/edit", json=_stub("/c", id=ID1))
    assert (edited.status_code, edited.content) == (204, b"")
    assert httpx.get(base + "/c").text == "x"
    removed = httpx.post(base + "/__admin/mappings/remove", json=_stub("/b"))
    assert (removed.status_code, removed.content) == (200, b"")
    assert _urls(httpx.get(base + "/__admin/mappings").json()) == ["/c"]
    create(base, _stub("/never-asked"))
    assert httpx.delete(base + "/__admin/mappings/unmatched").json() == {}
    assert _urls(httpx.get(base + "/__admin/mappings").json()) == ["/c"]  # /c was asked for


def import_answers_nothing_and_keeps_the_order(base: str, root: Path) -> None:
    reply = httpx.post(
        base + "/__admin/mappings/import",
        json={"mappings": [_stub("/i1", id=ID1), _stub("/i2")]},
    )
    assert (reply.status_code, reply.content) == (200, b"")
    assert _urls(httpx.get(base + "/__admin/mappings").json()) == ["/i1", "/i2"]
    httpx.post(
        base + "/__admin/mappings/import",
        json={
            "mappings": [_stub("/i1", body="w", id=ID1)],
            "importOptions": {"duplicatePolicy": "OVERWRITE", "deleteAllNotInImport": True},
        },
    )
    assert httpx.get(base + "/i1").text == "w"
    assert httpx.get(base + "/i2").status_code == 404


def resets_answer_nothing(base: str, root: Path) -> None:
    create(base, _stub("/a"))
    for path in ("/__admin/mappings/reset", "/__admin/reset"):
        reply = httpx.post(base + path)
        assert (reply.status_code, reply.content) == (200, b"")
    assert httpx.get(base + "/__admin/mappings").json()["meta"]["total"] == 0
    for method, path in (("DELETE", "/__admin/mappings"), ("POST", "/__admin/scenarios/reset")):
        assert httpx.request(method, base + path).json() == {}


def metadata_is_found_with_any_matcher(base: str, root: Path) -> None:
    create(base, _stub("/m1", metadata={"tags": ["a", "b"], "n": {"x": 1}}))
    create(base, _stub("/m2", metadata={"tags": ["c"]}))
    create(base, _stub("/m3"))

    def found(pattern: dict[str, Any]) -> list[str]:
        reply = httpx.post(base + "/__admin/mappings/find-by-metadata", json=pattern)
        return sorted(_urls(reply.json()))

    assert found({"matchesJsonPath": {"expression": "$.tags", "contains": "a"}}) == ["/m1"]
    assert found({"matchesJsonPath": "$.n.x"}) == ["/m1"]
    assert found({"equalToJson": {"tags": ["c"]}}) == ["/m2"]
    assert found({"matchesJsonPath": "$.nothing"}) == []
    removed = httpx.post(
        base + "/__admin/mappings/remove-by-metadata", json={"matchesJsonPath": "$.tags"}
    )
    assert removed.json() == {}
    assert _urls(httpx.get(base + "/__admin/mappings").json()) == ["/m3"]


def journal_queries_say_whether_the_journal_is_on(base: str, root: Path) -> None:
    create(base, _stub("/a"))
    httpx.get(base + "/a")
    httpx.get(base + "/b")
    httpx.post(base + "/a", data={"f": "1"})
    count = httpx.post(base + "/__admin/requests/count", json={"method": "GET", "url": "/a"})
    assert count.json() == {"count": 1, "requestJournalDisabled": False}
    found = httpx.post(base + "/__admin/requests/find", json={"urlPath": "/a"}).json()
    assert found["requestJournalDisabled"] is False
    assert [r["method"] for r in found["requests"]] == ["GET", "POST"]  # oldest first
    unmatched = httpx.get(base + "/__admin/requests/unmatched").json()
    assert [r["method"] + " " + r["url"] for r in unmatched["requests"]] == [
        "POST /a",  # newest first
        "GET /b",
    ]
    posted = unmatched["requests"][0]
    assert posted["formParams"] == {"f": {"key": "f", "values": ["1"]}}
    assert (posted["host"], posted["port"]) == ("127.0.0.1", int(base.rsplit(":", 1)[1]))


def near_misses_for_a_described_request(base: str, root: Path) -> None:
    create(base, _stub("/abc"))
    create(base, _stub("/xyz"))
    described = {"url": "/abd", "method": "GET", "absoluteUrl": "http://localhost/abd"}
    misses = httpx.post(base + "/__admin/near-misses/request", json=described).json()
    assert [m["stubMapping"]["request"]["url"] for m in misses["nearMisses"]] == ["/abc", "/xyz"]
    request = misses["nearMisses"][0]["request"]
    assert (request["host"], request["port"], request["url"]) == ("localhost", 80, "/abd")


def settings_are_replaced_and_written_with_defaults(base: str, root: Path) -> None:
    try:
        assert httpx.post(base + "/__admin/settings", json={"fixedDelay": 0}).status_code == 200
        settings = httpx.get(base + "/__admin/settings").json()["settings"]
        assert settings == {"fixedDelay": 0, "proxyPassThrough": False}
        uniform = {"type": "uniform", "lower": 1, "upper": 2}
        httpx.put(base + "/__admin/settings", json={"delayDistribution": uniform})
        settings = httpx.get(base + "/__admin/settings").json()["settings"]
        assert settings == {"delayDistribution": uniform, "proxyPassThrough": False}
    finally:  # WireMock keeps settings through /__admin/reset: leave no delay behind
        httpx.post(base + "/__admin/settings", json={"fixedDelay": 0})


TWO_STATES = [
    {
        "scenarioName": "S",
        "requiredScenarioState": "Started",
        "newScenarioState": "Two",
        "request": {"url": "/s"},
        "response": {"body": "one"},
    },
    {
        "scenarioName": "S",
        "requiredScenarioState": "Two",
        "newScenarioState": "Started",
        "request": {"url": "/s"},
        "response": {"body": "two"},
    },
]


def scenarios_list_their_stubs(base: str, root: Path) -> None:
    ids = [create(base, stub)["id"] for stub in TWO_STATES]
    [scenario] = httpx.get(base + "/__admin/scenarios").json()["scenarios"]
    assert (scenario["id"], scenario["name"], scenario["state"]) == ("S", "S", "Started")
    assert scenario["possibleStates"] == ["Started", "Two"]
    assert [m["id"] for m in scenario["mappings"]] == ids
    assert scenario["mappings"][0]["request"] == {"method": "ANY", "url": "/s"}


def scenario_state_needs_a_state(base: str, root: Path) -> None:
    for stub in TWO_STATES:
        create(base, stub)
    httpx.get(base + "/s")
    no_state = httpx.put(base + "/__admin/scenarios/S/state", json={})
    assert no_state.status_code == 422
    assert no_state.json()["errors"][0] == {
        "code": 11,
        "title": "Scenario S does not support state null",
    }
    assert httpx.put(base + "/__admin/scenarios/S/state").status_code == 200  # no body: reset
    assert httpx.get(base + "/s").text == "one"


def started_is_not_a_state_unless_a_stub_names_it(base: str, root: Path) -> None:
    create(
        base,
        {
            "scenarioName": "N",
            "newScenarioState": "B",
            "request": {"url": "/n"},
            "response": {"body": "n"},
        },
    )
    [scenario] = httpx.get(base + "/__admin/scenarios").json()["scenarios"]
    assert (scenario["state"], scenario["possibleStates"]) == ("Started", ["B"])
    refused = httpx.put(base + "/__admin/scenarios/N/state", json={"state": "Started"})
    assert refused.status_code == 422
    httpx.get(base + "/n")
    [scenario] = httpx.get(base + "/__admin/scenarios").json()["scenarios"]
    assert scenario["state"] == "B"


def unmatched_without_stubs_says_so(base: str, root: Path) -> None:
    reply = httpx.get(base + "/nothing", headers={"Accept-Encoding": "identity"})
    assert reply.status_code == 404
    assert reply.headers["Content-Type"] == "text/plain;charset=UTF-8"
    assert reply.text == (
        "No response could be served as there are no stub mappings in this WireMock instance."
    )


def stub_replies_name_the_stub(base: str, root: Path) -> None:
    stub = create(base, _stub("/nm", name="Named", response={"jsonBody": {"a": None}}))
    reply = httpx.get(base + "/nm")
    assert reply.headers["Matched-Stub-Id"] == stub["id"]
    assert reply.headers["Matched-Stub-Name"] == "Named"
    assert reply.content == b'{"a":null}'


def templates_see_raw_path_parameters(base: str, root: Path) -> None:
    create(
        base,
        {
            "request": {"urlPathTemplate": "/t/{id}/{.x}"},
            "response": {
                "body": "{{request.path.id}}|{{request.path.x}}|"
                "{{request.path.[1]}}|{{request.path}}",
                "transformers": ["response-template"],
            },
        },
    )
    create(
        base,
        {
            "request": {"urlPath": "/plain/a%20b"},
            "response": {"body": "{{request.path.[1]}}", "transformers": ["response-template"]},
        },
    )
    assert httpx.get(base + "/t/a%20b/q").text == "a%20b|q|a%20b|/t/a%20b/q"
    assert httpx.get(base + "/plain/a%20b").text == "a b"


ADMIN_SCENARIOS: list[Scenario] = [
    stub_json_carries_wiremock_defaults,
    duplicate_stub_id_is_refused,
    unknown_stub_id_is_404,
    cookie_multi_value_matchers_are_refused,
    stub_edited_by_id_keeps_its_id,
    older_mapping_endpoints_answer_as_wiremock,
    import_answers_nothing_and_keeps_the_order,
    resets_answer_nothing,
    metadata_is_found_with_any_matcher,
    journal_queries_say_whether_the_journal_is_on,
    near_misses_for_a_described_request,
    settings_are_replaced_and_written_with_defaults,
    scenarios_list_their_stubs,
    scenario_state_needs_a_state,
    started_is_not_a_state_unless_a_stub_names_it,
    unmatched_without_stubs_says_so,
    stub_replies_name_the_stub,
    templates_see_raw_path_parameters,
]
