"""WireMock behaviour beyond one request and one answer (issue 13's responses and admin
families): each scenario drives a server over HTTP and asserts what WireMock 3.13.2
does. tests/mock/test_compat_scenarios.py runs them against seamline;
bench/mock/crosscheck_wiremock.py runs the very same functions against a real
WireMock started with `--root-dir ROOT` (and `--enable-stub-cors` for CORS_SCENARIOS).
A scenario gets the server's base URL and its root directory."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

Scenario = Callable[[str, Path], None]
ID = "7e57ab1e-0000-4000-8000-000000000001"


def create(base: str, mapping: dict[str, Any]) -> dict[str, Any]:
    reply = httpx.post(base + "/__admin/mappings", json=mapping)
    assert reply.status_code == 201, reply.text
    created: dict[str, Any] = reply.json()
    return created


def mapping_files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "mappings").glob("*.json"))


def journal_entry_carries_its_response(base: str, root: Path) -> None:
    create(
        base,
        {
            "request": {"url": "/j"},
            "response": {"status": 201, "body": "hi", "headers": {"X-A": "1"}},
        },
    )
    httpx.get(base + "/j")
    [event] = httpx.get(base + "/__admin/requests").json()["requests"]
    response = event["response"]
    assert (response["status"], response["body"], response["bodyAsBase64"]) == (201, "hi", "aGk=")
    assert response["headers"]["X-A"] == "1"


def unmatched_entry_carries_the_404(base: str, root: Path) -> None:
    httpx.get(base + "/nothing")
    [event] = httpx.get(base + "/__admin/requests").json()["requests"]
    assert event["wasMatched"] is False
    assert event["response"]["status"] == 404


def requests_remove_answers_serve_events(base: str, root: Path) -> None:
    httpx.get(base + "/a")
    httpx.get(base + "/b")
    removed = httpx.post(base + "/__admin/requests/remove", json={"url": "/a"}).json()
    assert [e["request"]["url"] for e in removed["serveEvents"]] == ["/a"]
    left = httpx.get(base + "/__admin/requests").json()["requests"]
    assert [e["request"]["url"] for e in left] == ["/b"]


def requests_filtered_by_unmatched_and_stub(base: str, root: Path) -> None:
    stub = create(base, {"request": {"url": "/hit"}, "response": {}})
    httpx.get(base + "/hit")
    httpx.get(base + "/miss")
    unmatched = httpx.get(base + "/__admin/requests", params={"unmatched": "true"}).json()
    assert [e["request"]["url"] for e in unmatched["requests"]] == ["/miss"]
    by_stub = httpx.get(base + "/__admin/requests", params={"matchingStub": stub["id"]}).json()
    assert [e["request"]["url"] for e in by_stub["requests"]] == ["/hit"]


def persistent_stub_is_written_under_mappings(base: str, root: Path) -> None:
    create(
        base,
        {
            "id": ID,
            "persistent": True,
            "request": {"method": "GET", "url": "/p"},
            "response": {"body": "p"},
        },
    )
    assert mapping_files(root) == [f"get-p-{ID}.json"]
    httpx.delete(base + f"/__admin/mappings/{ID}")
    assert mapping_files(root) == []  # deleting a persistent stub deletes its file


def save_writes_no_duplicate_of_a_file_stub(base: str, root: Path) -> None:
    (root / "mappings" / "from-file.json").write_text(
        json.dumps({"id": ID, "request": {"url": "/f"}, "response": {"body": "file"}})
    )
    httpx.post(base + "/__admin/mappings/reset")
    create(base, {"request": {"url": "/mem"}, "response": {"body": "m"}})
    httpx.post(base + "/__admin/mappings/save")
    files = mapping_files(root)
    assert len(files) == 2 and "from-file.json" in files, files
    httpx.post(base + "/__admin/mappings/save")
    assert mapping_files(root) == files


def deleting_a_file_stub_by_id_keeps_its_file(base: str, root: Path) -> None:
    (root / "mappings" / "kept.json").write_text(
        json.dumps({"id": ID, "request": {"url": "/k"}, "response": {"body": "k"}})
    )
    httpx.post(base + "/__admin/mappings/reset")
    assert httpx.delete(base + f"/__admin/mappings/{ID}").status_code == 200
    assert mapping_files(root) == ["kept.json"]
    assert httpx.get(base + "/k").status_code == 404


def scenario_state_must_be_known(base: str, root: Path) -> None:
    create(
        base,
        {
            "scenarioName": "s1",
            "requiredScenarioState": "Started",
            "newScenarioState": "two",
            "request": {"url": "/s"},
            "response": {},
        },
    )
    bad = httpx.put(base + "/__admin/scenarios/s1/state", json={"state": "nope"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0] == {
        "code": 11,
        "title": "Scenario s1 does not support state nope",
    }
    missing = httpx.put(base + "/__admin/scenarios/zzz/state", json={"state": "two"})
    assert missing.status_code == 404
    assert httpx.put(base + "/__admin/scenarios/s1/state", json={"state": "two"}).status_code == 200


def malformed_ids_are_400(base: str, root: Path) -> None:
    for method, path in (
        ("GET", "/__admin/mappings/x1"),
        ("DELETE", "/__admin/mappings/x1"),
        ("GET", "/__admin/requests/x1"),
    ):
        reply = httpx.request(method, base + path)
        assert reply.status_code == 400, (method, path, reply.status_code)
        assert reply.json()["errors"][0]["title"] == "x1 is not a valid UUID"
    assert httpx.get(base + f"/__admin/mappings/{ID}").status_code == 404


def unmatched_mappings_are_listed_and_removed(base: str, root: Path) -> None:
    used = create(base, {"request": {"url": "/used"}, "response": {}})
    idle = create(base, {"request": {"url": "/idle"}, "response": {}})
    httpx.get(base + "/used")
    listed = httpx.get(base + "/__admin/mappings/unmatched").json()["mappings"]
    assert [m["id"] for m in listed] == [idle["id"]]
    httpx.delete(base + "/__admin/mappings/unmatched")
    left = httpx.get(base + "/__admin/mappings").json()["mappings"]
    assert [m["id"] for m in left] == [used["id"]]


def version_is_answered(base: str, root: Path) -> None:
    assert "version" in httpx.get(base + "/__admin/version").json()


def missing_body_file_is_500(base: str, root: Path) -> None:
    create(base, {"request": {"url": "/nf"}, "response": {"bodyFileName": "nope.txt"}})
    assert httpx.get(base + "/nf").status_code == 500


def body_wins_over_body_file_name(base: str, root: Path) -> None:
    create(
        base,
        {"request": {"url": "/bw"}, "response": {"body": "inline", "bodyFileName": "nope.txt"}},
    )
    assert httpx.get(base + "/bw").text == "inline"


def disable_body_file_templating(base: str, root: Path) -> None:
    (root / "__files").mkdir(exist_ok=True)
    (root / "__files" / "raw.txt").write_text("path={{request.path}}")
    create(
        base,
        {
            "request": {"urlPath": "/t"},
            "response": {
                "bodyFileName": "raw.txt",
                "headers": {"X-Path": "{{request.path}}"},
                "transformers": ["response-template"],
                "transformerParameters": {"disableBodyFileTemplating": True},
            },
        },
    )
    reply = httpx.get(base + "/t")
    assert (reply.text, reply.headers["X-Path"]) == ("path={{request.path}}", "/t")


def gzip_request_body_is_templated_decoded(base: str, root: Path) -> None:
    create(
        base,
        {
            "request": {"urlPath": "/gz"},
            "response": {"body": "got {{request.body}}", "transformers": ["response-template"]},
        },
    )
    reply = httpx.post(
        base + "/gz",
        content=gzip.compress(b"hello"),
        headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"},
    )
    assert reply.text == "got hello"


def stub_delay_wins_over_the_global_one(base: str, root: Path) -> None:
    httpx.post(base + "/__admin/settings", json={"fixedDelay": 1500})
    try:
        create(base, {"request": {"url": "/d"}, "response": {"fixedDelayMilliseconds": 10}})
        started = time.monotonic()
        httpx.get(base + "/d", timeout=10)
        # 10 ms if the stub's delay wins, 1510 ms if they added up: 1000 ms apart
        assert time.monotonic() - started < 1.0
    finally:
        httpx.post(base + "/__admin/settings", json={"fixedDelay": 0})


def status_message_is_the_reason_phrase(base: str, root: Path) -> None:
    create(base, {"request": {"url": "/sm"}, "response": {"status": 418, "statusMessage": "Tea"}})
    reply = httpx.get(base + "/sm")
    assert (reply.status_code, reply.reason_phrase) == (418, "Tea")


def body_files_are_managed_through_the_admin_api(base: str, root: Path) -> None:
    put = httpx.put(base + "/__admin/files/sub/a.txt", content=b"hello-file")
    assert (put.status_code, put.json()) == (200, "aGVsbG8tZmlsZQ==")
    assert (root / "__files" / "sub" / "a.txt").read_bytes() == b"hello-file"
    assert httpx.get(base + "/__admin/files").json() == ["sub/a.txt"]
    assert httpx.get(base + "/__admin/files/sub/a.txt").content == b"hello-file"
    assert httpx.delete(base + "/__admin/files/sub/a.txt").status_code == 200
    assert httpx.get(base + "/__admin/files/sub/a.txt").status_code == 404


SCENARIOS: list[Scenario] = [
    journal_entry_carries_its_response,
    unmatched_entry_carries_the_404,
    requests_remove_answers_serve_events,
    requests_filtered_by_unmatched_and_stub,
    persistent_stub_is_written_under_mappings,
    save_writes_no_duplicate_of_a_file_stub,
    deleting_a_file_stub_by_id_keeps_its_file,
    scenario_state_must_be_known,
    malformed_ids_are_400,
    unmatched_mappings_are_listed_and_removed,
    version_is_answered,
    missing_body_file_is_500,
    body_wins_over_body_file_name,
    disable_body_file_templating,
    gzip_request_body_is_templated_decoded,
    stub_delay_wins_over_the_global_one,
    status_message_is_the_reason_phrase,
    body_files_are_managed_through_the_admin_api,
]


def cors_preflight_is_answered(base: str, root: Path) -> None:
    reply = httpx.options(
        base + "/anything",
        headers={
            "Origin": "http://app.test",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "X-Foo, Content-Type",
        },
    )
    assert reply.status_code == 200
    assert reply.headers["Access-Control-Allow-Origin"] == "http://app.test"
    assert reply.headers["Access-Control-Allow-Methods"] == "OPTIONS,GET,POST,PUT,PATCH,DELETE"
    assert reply.headers["Access-Control-Allow-Headers"] == "X-Foo,Content-Type"
    assert reply.headers["Access-Control-Allow-Credentials"] == "true"


def cors_headers_on_stub_replies(base: str, root: Path) -> None:
    create(base, {"request": {"url": "/c"}, "response": {"body": "c"}})
    for url, status in (("/c", 200), ("/not-stubbed", 404)):
        reply = httpx.get(base + url, headers={"Origin": "http://app.test"})
        assert reply.status_code == status
        assert reply.headers["Access-Control-Allow-Origin"] == "http://app.test"
        assert reply.headers["Access-Control-Allow-Credentials"] == "true"


CORS_SCENARIOS: list[Scenario] = [cors_preflight_is_answered, cors_headers_on_stub_replies]
