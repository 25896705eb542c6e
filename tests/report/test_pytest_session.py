"""The report at the end of a real pytest session (pytester subprocesses), with and without
xdist: a real service, its log lines from the real log pump, its exchanges from the real seam
journal, and the report wired by seamline's own plugin (`--seamline-report`)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import APP

CONFIG = f"""
name = "reported"
[services.api]
command = "{APP} --port {{self.port}}"
ready = "http GET /health"
"""

TESTS = """
import time

SECRET = {"Authorization": "Bearer sekrit-token-123"}


def wait_for_log(system, text):
    deadline = time.monotonic() + 5
    while text not in system.logs("api") and time.monotonic() < deadline:
        time.sleep(0.01)


def test_health(system):
    # the readiness probe logged GET /health already: this test's request is told apart
    assert system.client("api").get("/health?probe=1", headers=SECRET).status_code == 200
    wait_for_log(system, "GET /health?probe=1")


def test_env_is_wrong(system):
    system.client("api").get("/env?probe=1", headers=SECRET)
    wait_for_log(system, "GET /env?probe=1")
    assert False, "deliberately failing"
"""

FAST = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider")


@pytest.fixture
def project(pytester: pytest.Pytester, run_root, monkeypatch, tmp_path):
    monkeypatch.setenv("SEAMLINE_RUN_ROOT", str(run_root))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    (pytester.path / "seamline.toml").write_text(CONFIG)
    (pytester.path / "test_it.py").write_text(TESTS)
    return pytester


def run(project: pytest.Pytester, tmp_path: Path, *args: str) -> pytest.RunResult:
    return project.runpytest_subprocess(
        *FAST, f"--seamline-report={tmp_path}/seamline-report", *args
    )


def read_report(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "seamline-report" / "report.json").read_text())


def test_the_session_writes_the_report_with_real_service_logs_per_test(project, tmp_path):
    result = run(project, tmp_path)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([f"seamline report: {tmp_path}/seamline-report/index.html"])
    report = read_report(tmp_path)
    tests = {t["id"]: t for t in report["tests"]}
    health, env = tests["test_it.py::test_health"], tests["test_it.py::test_env_is_wrong"]
    assert (health["outcome"], env["outcome"]) == ("passed", "failed")
    assert "deliberately failing" in env["message"]
    assert any("GET /health?probe=1" in line["text"] for line in health["logs"])
    assert any("GET /env?probe=1" in line["text"] for line in env["logs"])
    assert not any("GET /env" in line["text"] for line in health["logs"])
    assert report["summary"]["finished"] is True
    assert report["services"][0]["name"] == "api"
    assert "sekrit-token-123" not in (tmp_path / "seamline-report" / "index.html").read_text()


def test_junit_xml_gets_each_tests_seam_summary_in_system_out(project, tmp_path):
    junit = tmp_path / "junit.xml"
    result = run(project, tmp_path, f"--junitxml={junit}", "-o", "junit_logging=system-out")
    result.assert_outcomes(passed=1, failed=1)
    cases = {case.get("name"): case for case in ET.parse(junit).getroot().iter("testcase")}
    out = cases["test_env_is_wrong"].findtext("system-out") or ""
    assert "seamline: 1 exchange(s) on 1 seam(s)" in out
    assert "test -> api" in out and "GET /env?probe=1 -> 200" in out
    assert "GET /health" not in out
    assert "GET /health?probe=1 -> 200 OK" in (cases["test_health"].findtext("system-out") or "")
    assert "sekrit-token-123" not in junit.read_text()


def test_with_xdist_the_controller_reports_every_workers_records(project, tmp_path):
    junit = tmp_path / "junit.xml"
    result = run(
        project,
        tmp_path,
        "-n",
        "2",
        "--dist",
        "each",
        f"--junitxml={junit}",
        "-o",
        "junit_logging=all",
    )
    result.assert_outcomes(passed=2, failed=2)
    outs = [
        case.findtext("system-out") or "" for case in ET.parse(junit).getroot().iter("testcase")
    ]
    assert len(outs) == 4 and all("seamline: 1 exchange(s) on 1 seam(s)" in out for out in outs)
    report = read_report(tmp_path)
    assert sorted(run["worker"] for run in report["runs"]) == ["gw0", "gw1"]
    seen = sorted((t["worker"], t["id"].rsplit("::")[-1], t["outcome"]) for t in report["tests"])
    assert [s for s in seen if s[1] != "(outside tests)"] == [
        ("gw0", "test_env_is_wrong", "failed"),
        ("gw0", "test_health", "passed"),
        ("gw1", "test_env_is_wrong", "failed"),
        ("gw1", "test_health", "passed"),
    ]
    for test in (t for t in report["tests"] if t["id"].endswith("test_health")):
        assert any("GET /health?probe=1" in line["text"] for line in test["logs"])
        assert len(test["exchanges"]) == 1


def test_a_report_that_cannot_be_written_is_said_and_the_session_result_kept(project, tmp_path):
    (tmp_path / "seamline-report").write_text("a file where the report dir should be")
    result = run(project, tmp_path)
    result.assert_outcomes(passed=1, failed=1)
    assert result.ret == 1  # the failed test, not an internal error
    result.stdout.fnmatch_lines(
        ["seamline: the report could not be written (*the records are in *"]
    )


def test_a_plain_run_started_from_an_xdist_worker_is_no_worker_of_that_session(
    project, tmp_path, monkeypatch
):
    # what an outer xdist worker leaves in the environment of a pytest it starts (seamline's own
    # suite under -n 2, a CI step inside a test): the inner run is a session of its own
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw5")
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", "the-outer-session")
    run(project, tmp_path).assert_outcomes(passed=1, failed=1)
    (record,) = (project.path / ".seamline" / "runs").iterdir()
    info = json.loads((record / "run.json").read_text())
    assert info["worker"] is None
    assert info["session"] != "the-outer-session"
    assert [run["worker"] for run in read_report(tmp_path)["runs"]] == [None]
