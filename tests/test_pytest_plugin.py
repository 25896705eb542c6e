"""The pytest plugin, exercised in real pytest subprocesses (pytester)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import APP

CONFIG = f"""
name = "plugged"
[services.db]
kind = "sqlite"
[services.api]
command = "{APP} --port {{self.port}}"
ready = "http GET /health"
env = {{ DB = "{{db.url}}" }}
"""

TESTS = """
import json, os
from pathlib import Path

def test_system_is_up(system):
    assert system.client("api").get("/health").text == "ok"
    assert system.env("api")["DB"].startswith("sqlite:///")
    assert "GET /health" in system.logs("api")

def test_same_system_for_the_session(system):
    out = Path(os.environ["REPORT_DIR"]) / f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.json"
    out.write_text(json.dumps({"url": system.url("api"), "run_dir": str(system.run_dir)}))
"""


# hypothesis' own pytest plugin takes a second to import; these runs do not need it
FAST = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider")


@pytest.fixture
def project(pytester: pytest.Pytester, run_root, monkeypatch, tmp_path):
    monkeypatch.setenv("SEAMLINE_RUN_ROOT", str(run_root))
    monkeypatch.setenv("REPORT_DIR", str(tmp_path))
    (pytester.path / "system").mkdir()
    (pytester.path / "system" / "seamline.toml").write_text(CONFIG)
    (pytester.path / "system" / "tests").mkdir()
    (pytester.path / "system" / "tests" / "test_it.py").write_text(TESTS)
    return pytester


def test_system_fixture_finds_the_config_above_the_tests(project: pytest.Pytester, run_root):
    result = project.runpytest_subprocess("system/tests", *FAST)
    result.assert_outcomes(passed=2)
    assert list(run_root.iterdir()) == []  # stopped at the end of the session


def test_a_pyproject_with_a_tool_seamline_table_above_the_tests_is_found(
    project: pytest.Pytester,
):
    system = project.path / "system"
    tables = CONFIG.replace("[services.", "[tool.seamline.services.")
    (system / "pyproject.toml").write_text(f"[project]\nname = 'p'\n\n[tool.seamline]\n{tables}")
    (system / "seamline.toml").unlink()
    result = project.runpytest_subprocess("system/tests", *FAST)
    result.assert_outcomes(passed=2)


def test_config_option_and_ini_key(project: pytest.Pytester):
    (project.path / "elsewhere").mkdir()
    (project.path / "system" / "tests" / "test_it.py").rename(
        project.path / "elsewhere" / "test_it.py"
    )
    result = project.runpytest_subprocess(
        "elsewhere", "--seamline-config=system/seamline.toml", *FAST
    )
    result.assert_outcomes(passed=2)
    project.makeini("[pytest]\nseamline_config = system\n")
    project.runpytest_subprocess("elsewhere", *FAST).assert_outcomes(passed=2)


def test_without_a_config_the_error_says_how_to_give_one(project: pytest.Pytester):
    (project.path / "elsewhere").mkdir()
    (project.path / "elsewhere" / "test_it.py").write_text("def test_x(system):\n    pass\n")
    result = project.runpytest_subprocess("elsewhere", *FAST)
    result.stdout.fnmatch_lines(["*no system config found*--seamline-config*"])
    assert result.ret != 0


def test_a_system_that_fails_to_start_errors_the_tests_with_the_reason(project: pytest.Pytester):
    broken = CONFIG.replace("--port {self.port}", "--port {self.port} --exit-at-start 9")
    (project.path / "system" / "seamline.toml").write_text(broken)
    result = project.runpytest_subprocess("system/tests", *FAST)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*service 'api' failed to start*exit code 9*"])


def test_each_xdist_worker_gets_its_own_system(project: pytest.Pytester, tmp_path):
    result = project.runpytest_subprocess("system/tests", "-n", "2", "--dist", "each", *FAST)
    result.assert_outcomes(passed=4)
    seen = [json.loads((tmp_path / f"gw{n}.json").read_text()) for n in (0, 1)]
    assert seen[0]["url"] != seen[1]["url"]
    assert seen[0]["run_dir"] != seen[1]["run_dir"]
    assert seen[0]["run_dir"].endswith("-gw0") and seen[1]["run_dir"].endswith("-gw1")


OUTCOMES = """
import pytest

@pytest.fixture
def broken():
    raise RuntimeError("fixture broke")

def test_passes(system):
    assert system.current_test.endswith("test_passes")

def test_fails(system):
    assert 1 == 2, "one is not two"

def test_errors(system, broken):
    pass

def test_skips(system):
    pytest.skip("not today")
"""


def test_each_test_start_and_outcome_is_recorded_for_the_report(project: pytest.Pytester):
    (project.path / "system" / "tests" / "test_it.py").write_text(OUTCOMES)
    project.runpytest_subprocess("system/tests", *FAST).assert_outcomes(
        passed=1, failed=1, errors=1, skipped=1
    )
    record = next((project.path / "system" / ".seamline" / "runs").iterdir())
    events = [json.loads(line) for line in (record / "tests.jsonl").read_text().splitlines()]
    ends = {e["test"].rsplit("::", 1)[1]: e for e in events if e["event"] == "end"}
    assert {name: e["outcome"] for name, e in ends.items()} == {
        "test_passes": "passed",
        "test_fails": "failed",
        "test_errors": "error",
        "test_skips": "skipped",
    }
    assert "one is not two" in ends["test_fails"]["message"]
    assert "fixture broke" in ends["test_errors"]["longrepr"]
    starts = [e["test"].rsplit("::", 1)[1] for e in events if e["event"] == "start"]
    assert starts == ["test_passes", "test_fails", "test_errors", "test_skips"]
    run = json.loads((record / "run.json").read_text())
    assert run["system"] == "plugged" and run["services"]["api"]["kind"] == "process"
    assert run["ended"]
