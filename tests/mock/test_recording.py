"""Record and playback: traffic to a real provider becomes WireMock files, played back."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from seamline.mock import MockServer, get
from seamline.mock.recordings import NotRecording
from tests.apps.provider import CLIENT_SECRET, PNG, SESSION, serve_provider

TOKEN = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
CARD = "4242424242424242"


@pytest.fixture
def provider() -> Iterator[str]:
    with serve_provider() as url:
        yield url


def drive(base: str) -> list[tuple[int, bytes]]:
    """The client's side of the story; the same calls are made live and in playback."""
    with httpx.Client(base_url=base) as client:
        answers = [
            client.post(
                "/v1/charges",
                headers={"Authorization": f"Bearer {TOKEN}"},
                json={"amount": 1250, "card": {"number": CARD}},
            ),
            client.get("/v1/charges/ch_1", params={"expand": "card"}),
            client.get("/v1/balance"),
            client.get("/v1/balance"),
            client.get("/v1/logo.png"),
            client.get("/v1/terms"),
        ]
    return [(a.status_code, a.content) for a in answers]


def admin(mock: MockServer, action: str, spec: object = None) -> httpx.Response:
    return httpx.post(f"{mock.url}/__admin/recordings/{action}", json=spec)


def files_text(root: Path) -> str:
    return "\n".join(p.read_bytes().decode("latin-1") for p in root.rglob("*") if p.is_file())


def test_record_then_play_back_from_the_files(tmp_path: Path, provider: str) -> None:
    with MockServer(root_dir=tmp_path) as mock:
        assert httpx.get(mock.url + "/__admin/recordings/status").json() == {
            "status": "NeverStarted"
        }
        spec = {
            "targetBaseUrl": provider,
            "captureHeaders": {"Authorization": {}},
            "extractBodyCriteria": {"textSizeThreshold": "30", "binarySizeThreshold": 0},
        }
        assert admin(mock, "start", spec).json() == {}
        live = drive(mock.url)
        stopped = admin(mock, "stop")
        assert httpx.get(mock.url + "/__admin/recordings/status").json() == {"status": "Stopped"}
    mappings = stopped.json()["mappings"]
    assert len(mappings) == 6  # the two balance calls became a scenario of two stubs
    assert live[4] == (200, PNG) and json.loads(live[3][1]) == {"available": 2}

    with MockServer(root_dir=tmp_path) as playback:
        assert playback.load_problems == []
        played = drive(playback.url)
    # Same answers, except the secret the provider sent back, which was masked.
    assert played[1:] == live[1:]
    assert played[0][0] == 201
    assert json.loads(played[0][1])["client_secret"] == "[masked]"
    assert json.loads(live[0][1])["client_secret"] == CLIENT_SECRET


def test_secrets_are_masked_in_every_recorded_file(tmp_path: Path, provider: str) -> None:
    with MockServer(root_dir=tmp_path) as mock:
        spec = {"targetBaseUrl": provider, "captureHeaders": {"Authorization": {}}}
        admin(mock, "start", spec)
        drive(mock.url)
        mappings = admin(mock, "stop").json()["mappings"]
    written = files_text(tmp_path)
    for secret in (TOKEN, CARD, CLIENT_SECRET, SESSION):
        assert secret not in written
    charge = next(m for m in mappings if m["request"]["method"] == "POST")
    # the credential is still required, matched by its scheme, not its value
    assert charge["request"]["headers"] == {"Authorization": {"matches": "Bearer .+"}}
    body = json.loads(charge["request"]["bodyPatterns"][0]["equalToJson"])
    assert body == {"amount": 1250, "card": {"number": "${json-unit.ignore}"}}
    assert charge["response"]["headers"]["Set-Cookie"].startswith("session=[masked];")


def test_mask_secrets_off_records_them_as_wiremock_does(tmp_path: Path, provider: str) -> None:
    with MockServer(root_dir=tmp_path) as mock:
        spec = {"targetBaseUrl": provider, "captureHeaders": {"Authorization": {}}}
        admin(mock, "start", {**spec, "maskSecrets": False})
        drive(mock.url)
        admin(mock, "stop")
    assert TOKEN in files_text(tmp_path) and CLIENT_SECRET in files_text(tmp_path)


def test_repeats_become_a_scenario_or_are_dropped(provider: str) -> None:
    with MockServer() as mock:
        admin(mock, "start", {"targetBaseUrl": provider, "persist": False})
        for _ in range(3):
            httpx.get(mock.url + "/v1/balance")
        recorded = admin(mock, "stop").json()["mappings"]
        assert [m.get("requiredScenarioState") for m in recorded] == [
            "scenario-1-v1-balance-3",
            "scenario-1-v1-balance-2",
            "Started",
        ]  # newest first, as WireMock lists them
        played = [httpx.get(mock.url + "/v1/balance").json()["available"] for _ in range(3)]
        assert played == [1, 2, 3]

    with MockServer() as mock:
        admin(mock, "start", {"targetBaseUrl": provider, "repeatsAsScenarios": False})
        for _ in range(2):
            httpx.get(mock.url + "/v1/balance")
        recorded = admin(mock, "stop").json()["mappings"]
        assert len(recorded) == 1 and "scenarioName" not in recorded[0]


def test_snapshot_with_filters_and_ids_output(provider: str) -> None:
    with MockServer() as mock:
        mock.add_mapping({"request": {"urlPattern": ".*"}, "response": {"proxyBaseUrl": provider}})
        drive(mock.url)
        spec = {
            "filters": {"urlPathPattern": "/v1/charges.*", "method": "GET"},
            "outputFormat": "IDS",
            "persist": False,
        }
        answer = admin(mock, "snapshot", spec).json()
        assert len(answer["ids"]) == 1
        stub = httpx.get(f"{mock.url}/__admin/mappings/{answer['ids'][0]}").json()
        assert stub["request"]["urlPath"] == "/v1/charges/ch_1"
        assert stub["request"]["queryParameters"] == {
            "expand": {"hasExactly": [{"equalTo": "card"}]}
        }


def test_request_body_pattern_choice(provider: str) -> None:
    with MockServer() as mock:
        spec = {"targetBaseUrl": provider, "requestBodyPattern": {"matcher": "equalTo"}}
        admin(mock, "start", spec)
        httpx.post(mock.url + "/echo/x", json={"a": 1})
        recorded = admin(mock, "stop").json()["mappings"]
    assert recorded[0]["request"]["bodyPatterns"] == [{"equalTo": '{"a":1}'}]


def test_only_missing_records_what_no_stub_answers(provider: str) -> None:
    with MockServer() as mock:
        mock.stub(get("/v1/terms")).reply(200, body="stubbed terms")
        admin(mock, "start", {"targetBaseUrl": provider, "onlyMissing": True})
        assert httpx.get(mock.url + "/v1/terms").text == "stubbed terms"
        httpx.get(mock.url + "/v1/charges/ch_1")
        recorded = admin(mock, "stop").json()["mappings"]
    assert [m["request"]["url"] for m in recorded] == ["/v1/charges/ch_1"]


def test_invalid_spec_and_stop_without_start_are_errors_as_in_wiremock() -> None:
    with MockServer() as mock:
        stop = admin(mock, "stop")
        assert stop.status_code == 400
        assert stop.json() == {"errors": [{"code": 30, "title": "Not currently recording."}]}
        bad = admin(mock, "start", {"extractBodyCriteria": {"textSizeThreshold": "lots"}})
        assert bad.status_code == 422
        pointer = bad.json()["errors"][0]["source"]["pointer"]
        assert pointer == "/extractBodyCriteria/textSizeThreshold"


def test_standalone_proxy_all_record_mappings_writes_files_at_exit(
    tmp_path: Path, provider: str
) -> None:
    command = [sys.executable, "-m", "seamline.mock.standalone", "--port", "0"]
    command += ["--root-dir", str(tmp_path), "--proxy-all", provider, "--record-mappings"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, start_new_session=True
    ) as proc:
        try:
            assert proc.stdout is not None
            url = re.search(r"listening on (http://\S+)", proc.stdout.readline())
            assert url, "expected the listening line"
            live = drive(url.group(1))
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(20) == 0
            assert "recorded 5 mapping(s)" in proc.stdout.read()  # the repeat is recorded once
        finally:
            if proc.poll() is None:
                proc.kill()
    assert len(list((tmp_path / "mappings").glob("*.json"))) == 5
    assert len(list((tmp_path / "__files").iterdir())) == 5  # every body is a file
    with MockServer(root_dir=tmp_path) as playback:
        played = drive(playback.url)
    assert played[1] == live[1] and played[4:] == live[4:]
    # a repeated request keeps its newest answer, as WireMock's ignoreRepeatRequests does
    assert played[2] == played[3] == live[3]


def test_python_api_records_and_plays_back(provider: str) -> None:
    with MockServer() as mock:
        mock.start_recording(provider, persist=False, captureHeaders={"Accept": {}})
        live = httpx.get(mock.url + "/v1/terms", headers={"Accept": "text/plain"}).text
        [mapping] = mock.stop_recording()
        assert mapping["request"]["headers"] == {"Accept": {"equalTo": "text/plain"}}
        assert httpx.get(mock.url + "/v1/terms", headers={"Accept": "text/plain"}).text == live
        assert httpx.get(mock.url + "/v1/terms").status_code == 404  # Accept is part of it
        with pytest.raises(NotRecording, match="start one first"):
            mock.stop_recording()


def test_a_form_body_with_a_password_is_matched_around_the_secret(provider: str) -> None:
    form = {"user": "ann", "password": "hunter2-very-secret"}
    with MockServer() as mock:
        mock.start_recording(provider, persist=False)
        httpx.post(mock.url + "/echo/login", data=form)
        [mapping] = mock.stop_recording()
        assert "hunter2" not in json.dumps(mapping)
        assert mapping["request"]["bodyPatterns"] == [{"matches": "user=ann&password=.+"}]
        # played back: any password is accepted, the rest of the form must be the same
        assert httpx.post(mock.url + "/echo/login", data={**form, "password": "x"}).is_success
        assert httpx.post(mock.url + "/echo/login", data={**form, "user": "bob"}).status_code == 404


def test_snapshot_allow_non_proxied_records_what_stubs_answered() -> None:
    with MockServer() as mock:
        mock.stub(get("/local")).reply(200, json={"from": "stub"})
        httpx.get(mock.url + "/local")
        assert mock.snapshot(persist=False) == []  # by default only proxied requests count
        [mapping] = mock.snapshot(filters={"allowNonProxied": True}, persist=False)
    assert mapping["request"] == {"url": "/local", "method": "GET"}
    assert json.loads(mapping["response"]["body"]) == {"from": "stub"}


def test_only_missing_snapshot_leaves_out_what_a_stub_now_answers(provider: str) -> None:
    with MockServer() as mock:
        mock.add_mapping({"request": {"urlPattern": ".*"}, "response": {"proxyBaseUrl": provider}})
        httpx.get(mock.url + "/v1/terms")
        httpx.get(mock.url + "/v1/charges/ch_1")
        mock.stub(get("/v1/terms")).with_priority(1).reply(200, body="stubbed since")
        missing = mock.snapshot(persist=False, onlyMissing=True)
        # (a snapshot adds what it made: now a stub answers /v1/charges/ch_1 too)
        everything = mock.snapshot(persist=False, repeatsAsScenarios=False)
    assert sorted(m["request"]["url"] for m in everything) == ["/v1/charges/ch_1", "/v1/terms"]
    assert [m["request"]["url"] for m in missing] == ["/v1/charges/ch_1"]
