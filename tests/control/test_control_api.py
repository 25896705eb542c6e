"""The control API over real sockets: what a test in another language does to the system.

All its traffic crosses a second system's seam whose contract is docs/control-api.yaml, so
seamline's own contract checker validates the document against the real server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from seamline.config import load_config
from seamline.control.server import TOKEN_HEADER, ControlServer
from seamline.system.core import System
from seamline.system.harness import Harness
from tests.control.contracted import contracted_system

DOCUMENT = Path(__file__).parents[2] / "docs" / "control-api.yaml"
SYSTEM = """
name = "controlled"
[services.payments]
command = "{APP} --port {self.port}"
ready = "http GET /health"
[services.api]
command = "{APP} --port {self.port}"
ready = "http GET /health"
env = { UPSTREAM = "{payments.url}" }
[services.db]
kind = "sqlite"
schema = "schema.sql"
"""
CHECKER = """
name = "checker"
[services.control]
kind = "external"
url = "URL"
openapi = "DOCUMENT"
"""


@pytest.fixture
def running(
    request, write_config, run_root
) -> Iterator[tuple[System, ControlServer, httpx.Client]]:
    contracts = getattr(request, "param", None)  # a mode: the contracted system instead
    if contracts is None:
        config = write_config(SYSTEM)
        (config.parent / "schema.sql").write_text(
            "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);"
        )
    else:
        config = contracted_system(write_config, contracts) / "seamline.toml"
    system = System(load_config(config), run_root=run_root).start()
    control = ControlServer(system, Harness(system).loop()).start()
    base = control.url.rsplit("/", 1)[0]
    checker_config = write_config(
        CHECKER.replace("URL", base).replace("DOCUMENT", str(DOCUMENT)), "checker.toml"
    )
    checker = System(load_config(checker_config), run_root=run_root).start()
    client = checker.client("control", headers={TOKEN_HEADER: control.token}, timeout=30)
    try:
        yield system, control, client
        # every answer keeps the document (the bad-input test sends requests that do not)
        violations = [v for v in checker.seams.violations(all_tests=True) if v.where != "request"]
        assert not violations, [v.message for v in violations]
        assert checker.seams.exchanges(all_tests=True), "no control traffic was checked"
    finally:
        checker.stop()
        control.close()
        system.stop()


def test_a_test_announced_gets_its_exchanges_and_can_read_them(running):
    system, _, control = running
    assert control.post("/tests/begin", json={"test": "cart.test.js > adds"}).status_code == 200
    api = httpx.get(system.url("api") + "/health")
    assert api.status_code == 200
    calls = control.get("/seams/test/api/calls", params={"method": "GET", "path": "/health"})
    assert calls.status_code == 200, calls.text
    body = calls.json()
    assert body["count"] == 1 and body["calls"][0]["test"] == "cart.test.js > adds"
    assert control.get("/seams/test/api/calls", params={"method": "POST"}).json()["count"] == 0
    assert control.get("/seams/test/api/calls", params={"status": 200}).json()["count"] == 1
    end = control.post("/tests/end", json={"test": "cart.test.js > adds", "outcome": "passed"})
    assert end.json() == {
        "test": "cart.test.js > adds",
        "outcome": "passed",
        "violations": [],
        "contracts": "fail",
    }
    lines = (system.record_dir / "tests.jsonl").read_text().splitlines()
    assert [json.loads(line)["event"] for line in lines] == ["start", "end"]


@pytest.mark.parametrize("running", ["fail", "warn", "off"], indirect=True)
def test_the_answers_say_the_contracts_mode_for_the_helpers_to_fail_warn_or_stay_quiet(
    running, request
):
    system, _, control = running
    mode = request.node.callspec.params["running"]
    control.post("/tests/begin", json={"test": "reads the pid"})
    assert httpx.get(system.url("api") + "/pid").status_code == 200  # out of its contract
    listed = control.get("/violations").json()
    ended = control.post("/tests/end", json={"test": "reads the pid"}).json()
    assert listed["contracts"] == ended["contracts"] == mode
    found = 0 if mode == "off" else 1
    assert len(listed["violations"]) == len(ended["violations"]) == found
    if found:
        assert "version" in ended["violations"][0]["message"]


def test_switching_a_seam_to_a_stub_a_fault_and_back(running):
    system, _, control = running
    control.post("/tests/begin", json={"test": "switching"})
    stub = {
        "request": {"method": "GET", "url": "/health"},
        "response": {"status": 201, "body": "stubbed"},
    }
    switched = control.post("/seams/test/api/mode", json={"mode": "stub", "mappings": [stub]})
    assert switched.json() == {"seam": "test -> api", "mode": "stub"}
    assert httpx.get(system.url("api") + "/health").text == "stubbed"
    control.post("/seams/test/api/mode", json={"mode": "fault", "fault": {"status": 503}})
    assert httpx.get(system.url("api") + "/health").status_code == 503
    control.post("/seams/test/api/mode", json={"mode": "real"})
    assert httpx.get(system.url("api") + "/health").status_code == 200
    modes = {s["name"]: s["mode"] for s in control.get("/seams").json()["seams"]}
    assert modes["test -> api"] == "real"
    assert control.get("/violations").json() == {"violations": [], "contracts": "fail"}
    control.post("/seams/test/api/mode", json={"mode": "fault", "fault": {"status": 500}})
    control.post("/tests/end", json={"test": "switching"})
    assert httpx.get(system.url("api") + "/health").status_code == 200  # the end resets seams


def test_bad_calls_say_what_was_expected(running):
    _, control_server, control = running
    unknown = control.get("/seams/test/apx/calls")
    assert unknown.status_code == 404 and "did you mean 'test -> api'" in unknown.json()["error"]
    malformed = control.post("/tests/begin", content=b"{not json")
    assert malformed.status_code == 400 and "expected a JSON object" in malformed.json()["error"]
    listed = control.post("/tests/end", json=["x"])
    assert listed.status_code == 400 and "JSON object as the body, found list" in listed.text
    missing = control.post("/tests/begin", json={"name": "x"})
    assert missing.status_code == 400 and "missing field 'test'" in missing.json()["error"]
    mode = control.post("/seams/test/api/mode", json={"mode": "sometimes"})
    assert mode.status_code == 400 and "real, stub, fault" in mode.json()["error"]
    fault = control.post("/seams/test/api/mode", json={"mode": "fault", "fault": {"colour": 1}})
    assert fault.status_code == 400 and "latency_ms" in fault.json()["error"]
    misspelt = control.get("/seams/test/api/calls", params={"paht": "/health"})
    assert misspelt.status_code == 400  # not every call, as if it matched
    assert misspelt.json()["error"] == (
        "query parameter 'paht': expected one of method, path, status, all_tests; "
        "did you mean 'path'?"
    )
    assert control.get("/violations", params={"all": "1"}).status_code == 400
    for wrong in (control_server.url + "x/seams", control_server.url.rsplit("/", 1)[0] + "/seams"):
        assert httpx.get(wrong).status_code == 401
    wrong_header = httpx.get(wrong, headers={TOKEN_HEADER: control_server.token + "x"})
    assert wrong_header.status_code == 401 and "SEAMLINE_CONTROL_URL" in wrong_header.text
    assert httpx.get(control_server.url + "/seams").status_code == 200  # the token in the path


def test_database_reads_as_the_db_fixture_gives_them(running):
    system, _, control = running
    control.post("/tests/begin", json={"test": "data"})
    system.db().insert("items", name="pen")
    assert control.post("/db/count", json={"table": "items"}).json() == {"count": 1}
    one = control.post("/db/one", json={"table": "items", "where": {"name": "pen"}})
    assert one.json()["row"]["name"] == "pen"
    none = control.post("/db/one", json={"table": "items", "where": {"name": "ink"}})
    assert none.status_code == 409 and "expected one row, found none" in none.json()["error"]
    changes = control.post("/db/changes", json={"table": "items"}).json()["changes"]
    assert [(c["op"], c["table"]) for c in changes] == [("insert", "items")]
    wrong = control.post("/db/count", json={"database": "dbb", "table": "items"})
    assert wrong.status_code == 404 and "did you mean 'db'" in wrong.json()["error"]
    no_table = control.post("/db/count", json={})
    assert no_table.status_code == 400 and "table" in no_table.json()["error"]
    control.post("/tests/end", json={"test": "data"})
    assert system.db().count("items") == 0  # the end put the data back, as after a pytest test


def test_keep_data_leaves_a_tests_rows_for_the_next_one(running):
    system, _, control = running
    control.post("/tests/begin", json={"test": "create"})
    system.db().insert("items", name="pen")
    ended = control.post("/tests/end", json={"test": "create", "keep_data": True})
    assert ended.status_code == 200, ended.text
    control.post("/tests/begin", json={"test": "use"})
    assert control.post("/db/count", json={"table": "items"}).json() == {"count": 1}
    control.post("/tests/end", json={"test": "use"})
    assert system.db().count("items") == 0  # a test without keep_data puts the data back
    wrong = control.post("/tests/end", json={"test": "use", "keep_data": "yes"})
    assert wrong.status_code == 400 and "true or false" in wrong.json()["error"]


def test_ending_a_test_other_than_the_running_one_is_a_conflict_that_names_both(running):
    system, _, control = running
    never_begun = control.post("/tests/end", json={"test": "never begun"})
    assert never_begun.status_code == 409
    assert never_begun.json()["error"] == (
        "POST /tests/end for 'never begun', but no test is running: "
        "call /tests/begin with this id first, and end each test once"
    )
    control.post("/tests/begin", json={"test": "cart > adds"})
    other = control.post("/tests/end", json={"test": "cart > add", "outcome": "passed"})
    assert other.status_code == 409
    assert other.json()["error"] == (
        "POST /tests/end for 'cart > add', but the test running is 'cart > adds': "
        "end the test with the id it was begun with (/tests/begin)"
    )
    # nothing was ended: the running test keeps its seams and ends as it should
    assert control.post("/tests/end", json={"test": "cart > adds"}).status_code == 200
    assert control.post("/tests/end", json={"test": "cart > adds"}).status_code == 409
    lines = (system.record_dir / "tests.jsonl").read_text().splitlines()
    events = [(json.loads(line)["event"], json.loads(line)["test"]) for line in lines]
    assert events == [("start", "cart > adds"), ("end", "cart > adds")]
