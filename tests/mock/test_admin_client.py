"""The admin API driven by WireMock's own Python admin client (`wiremock` on PyPI),
so the paths and JSON shapes are the ones real WireMock clients use."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from wiremock.constants import Config
from wiremock.resources.mappings import Mapping, MappingRequest, MappingResponse
from wiremock.resources.mappings.resource import Mappings
from wiremock.resources.near_misses import NearMissMatchPatternRequest, NearMissMatchRequest
from wiremock.resources.near_misses.resource import NearMisses
from wiremock.resources.requests.resource import Requests
from wiremock.resources.scenarios.resource import Scenarios
from wiremock.resources.settings import GlobalSetting
from wiremock.resources.settings.resource import GlobalSettings

from seamline.mock import MockServer


@pytest.fixture
def admin(mock: MockServer) -> Iterator[MockServer]:
    previous = Config.base_url
    Config.base_url = mock.url + "/__admin"
    yield mock
    Config.base_url = previous


def a_mapping(url: str = "/dogs", body: str = "woof", **extra: object) -> Mapping:
    return Mapping(
        request=MappingRequest(method="GET", url=url),
        response=MappingResponse(status=200, body=body),
        persistent=False,
        **extra,
    )


def test_client_creates_lists_gets_and_deletes_a_mapping(admin: MockServer) -> None:
    created = Mappings.create_mapping(a_mapping())
    assert created.id
    assert httpx.get(admin.url + "/dogs").text == "woof"
    listed = Mappings.retrieve_all_mappings()
    assert listed.meta.total == 1
    assert listed.mappings[0].request.url == "/dogs"
    assert Mappings.retrieve_mapping(created.id).response.body == "woof"
    Mappings.delete_mapping(created.id)
    assert Mappings.retrieve_all_mappings().meta.total == 0


def test_client_edits_a_mapping_in_place(admin: MockServer) -> None:
    created = Mappings.create_mapping(a_mapping())
    created.response = MappingResponse(status=200, body="growl")
    Mappings.update_mapping(created)
    assert httpx.get(admin.url + "/dogs").text == "growl"
    assert Mappings.retrieve_all_mappings().meta.total == 1


def test_client_resets_and_deletes_all_mappings(admin: MockServer) -> None:
    Mappings.create_mapping(a_mapping("/a"))
    Mappings.create_mapping(a_mapping("/b"))
    Mappings.delete_all_mappings()
    assert Mappings.retrieve_all_mappings().meta.total == 0
    Mappings.create_mapping(a_mapping("/c"))
    Mappings.reset_mappings()
    assert Mappings.retrieve_all_mappings().meta.total == 0


def test_client_reads_the_journal_counts_and_finds(admin: MockServer) -> None:
    Mappings.create_mapping(a_mapping())
    httpx.get(admin.url + "/dogs")
    httpx.get(admin.url + "/dogs")
    httpx.get(admin.url + "/cats")
    journal = Requests.get_all_received_requests()
    assert journal.meta.total == 3
    assert journal.requests[0].request.url == "/cats"  # newest first, as WireMock lists them
    pattern = NearMissMatchPatternRequest(url="/dogs", method="GET")
    assert Requests.get_matching_request_count(pattern).count == 2
    assert [r.url for r in Requests.get_matching_requests(pattern).requests] == ["/dogs", "/dogs"]
    assert [r.url for r in Requests.get_unmatched_requests().requests] == ["/cats"]
    one = Requests.get_request(journal.requests[0].id)
    assert one.request.method == "GET"
    Requests.reset_request_journal()
    assert Requests.get_all_received_requests().meta.total == 0


def test_client_gets_near_misses(admin: MockServer) -> None:
    Mappings.create_mapping(a_mapping("/dogs"))
    httpx.get(admin.url + "/dogz")
    unmatched = Requests.get_unmatched_requests_near_misses()
    assert unmatched.near_misses[0].request.url == "/dogz"
    assert 0 < unmatched.near_misses[0].match_result.distance < 1
    by_request = NearMisses.find_nearest_misses_by_request(
        NearMissMatchRequest(url="/dog", method="GET")
    )
    assert by_request.near_misses[0].match_result.distance > 0
    by_pattern = NearMisses.find_nearest_misses_by_request_pattern(
        NearMissMatchPatternRequest(url="/dogs", method="GET")
    )
    assert by_pattern.near_misses[0].request.url == "/dogz"


def test_client_resets_scenarios(admin: MockServer) -> None:
    Mappings.create_mapping(
        a_mapping(
            "/s", scenario_name="sc", required_scenario_state="Started", new_scenario_state="Done"
        )
    )
    httpx.get(admin.url + "/s")
    assert admin.scenario_state("sc") == "Done"
    Scenarios.reset_all_scenarios()
    assert admin.scenario_state("sc") == "Started"


def test_client_updates_global_settings(admin: MockServer) -> None:
    GlobalSettings.update_global_settings(GlobalSetting(fixed_delay=1))
    assert httpx.get(admin.url + "/__admin/settings").json()["settings"]["fixedDelay"] == 1


def test_client_saves_mappings_into_the_root_dir(tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    (root / "mappings").mkdir()
    with MockServer(root_dir=root) as mock:
        previous, Config.base_url = Config.base_url, mock.url + "/__admin"
        try:
            created = Mappings.create_mapping(a_mapping("/kept"))
            Mappings.persist_mappings()
        finally:
            Config.base_url = previous
    [saved] = (root / "mappings").glob("*.json")
    assert saved.name.endswith(f"-{created.id}.json")  # WireMock's name: <method-url>-<id>
    with MockServer(root_dir=root) as again:
        assert httpx.get(again.url + "/kept").text == "woof"


def test_save_without_a_root_dir_says_why(mock: MockServer) -> None:
    reply = httpx.post(mock.url + "/__admin/mappings/save")
    assert reply.status_code == 409
    assert "--root-dir" in reply.json()["errors"][0]["title"]


def test_import_overwrites_or_ignores_duplicates(mock: MockServer) -> None:
    mapping = {
        "id": "8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7",
        "request": {"url": "/i"},
        "response": {"body": "one"},
    }
    httpx.post(mock.url + "/__admin/mappings/import", json={"mappings": [mapping]})
    changed = {**mapping, "response": {"body": "two"}}
    httpx.post(
        mock.url + "/__admin/mappings/import",
        json={"mappings": [changed], "importOptions": {"duplicatePolicy": "IGNORE"}},
    )
    assert httpx.get(mock.url + "/i").text == "one"
    httpx.post(mock.url + "/__admin/mappings/import", json={"mappings": [changed]})
    assert httpx.get(mock.url + "/i").text == "two"


def test_remove_requests_by_pattern_and_by_id(mock: MockServer) -> None:
    httpx.get(mock.url + "/a")
    httpx.get(mock.url + "/b")
    removed = httpx.post(mock.url + "/__admin/requests/remove", json={"url": "/a"}).json()
    assert [e["request"]["url"] for e in removed["serveEvents"]] == ["/a"]  # as WireMock
    remaining = httpx.get(mock.url + "/__admin/requests").json()["requests"]
    assert [r["request"]["url"] for r in remaining] == ["/b"]
    httpx.delete(mock.url + f"/__admin/requests/{remaining[0]['id']}")
    assert httpx.get(mock.url + "/__admin/requests").json()["meta"]["total"] == 0


def test_health_and_reset(mock: MockServer) -> None:
    assert httpx.get(mock.url + "/__admin/health").json()["status"] == "healthy"
    mock.add_mapping({"request": {"url": "/x"}})
    httpx.get(mock.url + "/x")
    assert httpx.post(mock.url + "/__admin/reset").status_code == 200
    assert httpx.get(mock.url + "/__admin/mappings").json()["meta"]["total"] == 0
    assert httpx.get(mock.url + "/__admin/requests").json()["meta"]["total"] == 0


UNKNOWN_ID = "11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "says"),
    [
        ("POST", "/__admin/mappings", b"{not json", 422, "expected a JSON body"),
        ("POST", "/__admin/mappings", b'{"request": {"bogus": 1}}', 422, "unknown request field"),
        ("POST", "/__admin/mappings", b'{"request": {"url": [5]}}', 422, "expected a string"),
        ("GET", "/__admin/mappings/1b2c", b"", 400, "1b2c is not a valid UUID"),
        ("DELETE", "/__admin/mappings/1b2c", b"", 400, "1b2c is not a valid UUID"),
        ("GET", f"/__admin/mappings/{UNKNOWN_ID}", b"", 404, "no stub mapping with id"),
        ("PATCH", "/__admin/mappings", b"", 404, "PATCH is not allowed"),
        ("GET", "/__admin/nothing-here", b"", 404, "no admin endpoint"),
        ("GET", "/__admin/requests/zzz", b"", 400, "zzz is not a valid UUID"),
        ("GET", f"/__admin/requests/{UNKNOWN_ID}", b"", 404, "no request with id"),
    ],
)
def test_admin_api_explains_bad_calls(
    mock: MockServer, method: str, path: str, body: bytes, status: int, says: str
) -> None:
    reply = httpx.request(method, mock.url + path, content=body)
    assert reply.status_code == status
    assert says in reply.json()["errors"][0]["title"]
