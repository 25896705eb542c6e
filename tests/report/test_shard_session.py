"""`--seamline-shard K/N` in plain pytest (pytester subprocesses): the other shards' tests are
deselected and reported so, and under xdist every worker starts its own system."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import APP
from tests.report.test_pytest_session import FAST

CONFIG = f"""
name = "sharded"
[services.api]
command = "{APP} --port {{self.port}}"
ready = "http GET /health"
"""

TESTS = "".join(
    f"def test_{n}(system):\n    assert system.client('api').get('/health').status_code == 200\n\n"
    for n in range(8)
)


@pytest.fixture
def project(pytester: pytest.Pytester, run_root, monkeypatch):
    monkeypatch.setenv("SEAMLINE_RUN_ROOT", str(run_root))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    (pytester.path / "seamline.toml").write_text(CONFIG)
    (pytester.path / "test_it.py").write_text(TESTS)
    return pytester


def ran(report: Path) -> list[str]:
    tests = json.loads(report.read_text())["tests"]
    return sorted(t["id"] for t in tests if t["outcome"] == "passed")


def test_each_shard_runs_its_part_and_deselects_the_rest(project, tmp_path):
    seen: list[str] = []
    for k in (1, 2, 3):
        out = tmp_path / f"report-{k}"
        result = project.runpytest_subprocess(
            *FAST, f"--seamline-shard={k}/3", f"--seamline-report={out}"
        )
        expected = 3 if k < 3 else 2
        result.assert_outcomes(passed=expected, deselected=8 - expected)
        result.stdout.fnmatch_lines([f"seamline shard {k}/3: {expected} of 8 tests (split *"])
        seen += ran(out / "report.json")
    assert sorted(seen) == sorted(f"test_it.py::test_{n}" for n in range(8))


def test_under_xdist_each_worker_of_a_shard_starts_its_own_system(project, tmp_path):
    out = tmp_path / "report"
    result = project.runpytest_subprocess(
        *FAST, "-n", "2", "--seamline-shard=1/2", f"--seamline-report={out}"
    )
    result.assert_outcomes(passed=4)
    report = json.loads((out / "report.json").read_text())
    assert sorted(r["worker"] for r in report["runs"]) == ["gw0", "gw1"]
    assert ran(out / "report.json") == [f"test_it.py::test_{n}" for n in (0, 2, 4, 6)]


def test_a_bad_shard_stops_pytest_with_a_usage_error(project):
    result = project.runpytest_subprocess(*FAST, "--seamline-shard=0/4")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--shard expects K/N with 1 <= K <= N*found '0/4'*"])
