"""A service that dies mid-session is named; a system that fails to start says why once.

Both run the plugin in real pytest subprocesses (pytester)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import APP

CONFIG = f"""
name = "shop"
[services.inventory]
command = "{APP} --port {{self.port}} --say stocking-shelves"
ready = "http GET /health"
"""

DEATHS = """
import os, signal
from pathlib import Path

def kill(system, name):
    pid = system.service(name).process.pid
    os.kill(pid, signal.SIGKILL)
    while True:  # until the kernel has it dead (a zombie, or reaped already)
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                break
        except OSError:
            break

def test_a_chaos_test_restarts_what_it_kills(system):
    kill(system, "inventory")
    system.restart_service("inventory")
    assert system.client("inventory").get("/health").text == "ok"

def test_b_inventory_dies(system):
    kill(system, "inventory")

def test_c_later(system):
    pass

def test_d_without_the_system():
    pass
"""

FAST = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider")


@pytest.fixture
def project(pytester: pytest.Pytester, run_root, monkeypatch):
    monkeypatch.setenv("SEAMLINE_RUN_ROOT", str(run_root))
    (pytester.path / "seamline.toml").write_text(CONFIG)
    return pytester


def records(project: pytest.Pytester) -> Path:
    return next((project.path / ".seamline" / "runs").iterdir())


def test_a_service_that_dies_fails_the_test_it_died_in_and_later_tests_say_it_is_down(
    project: pytest.Pytester, run_root
):
    (project.path / "test_deaths.py").write_text(DEATHS)
    result = project.runpytest_subprocess("--seamline-report=report", *FAST)
    # b passes its call and errors at teardown; c errors at setup; a and d pass
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_b_inventory_dies*",
            "*inventory exited (signal 9) during test_deaths.py::test_b_inventory_dies",
            "*last lines of its log:",
            "*stocking-shelves",
            "*ERROR at setup of test_c_later*",
            "*inventory is down: it exited (signal 9) during test_deaths.py::test_b_inventory_dies;"
            " start it again with system.restart_service('inventory')",
        ]
    )
    ends = [
        line
        for line in map(json.loads, (records(project) / "tests.jsonl").read_text().splitlines())
        if line["event"] == "end"
    ]
    outcomes = {line["test"].split("::")[1]: line["outcome"] for line in ends}
    assert outcomes == {
        "test_a_chaos_test_restarts_what_it_kills": "passed",
        "test_b_inventory_dies": "error",
        "test_c_later": "error",
        "test_d_without_the_system": "passed",
    }
    log = (records(project) / "logs" / "inventory.log").read_text()
    assert log.count("[seamline] inventory exited (signal 9)") == 2  # both kills, on its timeline
    html = (project.path / "report" / "index.html").read_text()
    assert "inventory exited (signal 9) during" in html
    assert list(run_root.iterdir()) == []


FAILING = """
def test_one(system):
    pass

def test_two(system):
    pass

def test_three(system):
    pass

def test_without_the_system():
    pass
"""


def test_a_failed_start_shows_the_cause_once_and_one_line_per_test_and_writes_the_report(
    project: pytest.Pytester, run_root
):
    (project.path / "seamline.toml").write_text(
        CONFIG.replace("--say stocking-shelves", "--say out-of-stock --exit-at-start 7")
    )
    (project.path / "test_failing.py").write_text(FAILING)
    result = project.runpytest_subprocess("--seamline-report=report", "-p", "no:randomly", *FAST)
    result.assert_outcomes(passed=1, errors=3)
    out = result.stdout.str()
    # The short summary repeats the whole message when pytest runs on CI (the CI variable is
    # set), so "once" is counted where seamline decides it: the ERRORS section.
    errors = out[out.index("= ERRORS =") : out.index("short test summary")]
    assert errors.count("failing on purpose") == 1  # the log tail: once
    assert errors.count("out-of-stock") == 1
    assert "Traceback" not in out and "seamline/system/core.py" not in out
    one_line = (
        "seamline: shop did not start (service 'inventory' failed to start: it exited before it"
        " was ready (http GET /health -> 2xx) (exit code 7)); the cause is shown once, at the first"
        " test that used the system, and in the report"
    )
    assert errors.count(one_line) == 2
    assert len(errors.splitlines()) < 30, errors
    html = (project.path / "report" / "index.html").read_text()
    assert "out-of-stock" in html and "failing on purpose" in html
    assert list(run_root.iterdir()) == []


KILLED_CACHE = """
import os, signal
from pathlib import Path

def test_cache_dies(system):
    pid = system.service("cache").process.pid
    os.kill(pid, signal.SIGKILL)
    while True:  # dead for the kernel; the teardown (FLUSHALL of every redis) comes at once
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                break
        except OSError:
            break
"""


def test_a_redis_killed_in_a_test_is_named_not_flushed_at_teardown(project: pytest.Pytester):
    (project.path / "seamline.toml").write_text(CONFIG + '[services.cache]\nkind = "redis"\n')
    (project.path / "test_cache.py").write_text(KILLED_CACHE)
    result = project.runpytest_subprocess(*FAST)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*cache exited (signal 9) during test_cache.py::test_cache_dies"])
    assert "Connection refused" not in result.stdout.str()


def test_a_death_is_told_even_when_the_test_also_broke_a_contract(project: pytest.Pytester):
    (project.path / "inventory.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: inventory, version: '1'}\n"
        "paths:\n  /health:\n    get:\n      responses: {'200': {description: ok}}\n"
    )
    config = (project.path / "seamline.toml").read_text()
    (project.path / "seamline.toml").write_text(config + 'openapi = "inventory.yaml"\n')
    helpers = DEATHS.split("def test_a_", maxsplit=1)[0]
    (project.path / "test_both.py").write_text(
        helpers
        + "def test_breaks_the_contract_and_kills(system):\n"
        + '    system.client("inventory").get("/pid")  # not in inventory.yaml\n'
        + '    kill(system, "inventory")\n'
    )
    result = project.runpytest_subprocess(*FAST)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(  # the death first, the likelier cause; then the violation
        [
            "*inventory exited (signal 9) during test_both.py::test_breaks_the_contract_and_kills",
            "*last lines of its log:",
            "*1 contract violation(s) on the seams in this test:",
            "*test -> inventory: GET /pid*",
        ]
    )


KILLED_DB = """
import os, signal
import httpx

def test_a_db_dies(system, db):
    assert db.count("orders") == 0
    os.kill(system.service("db").process.pid, signal.SIGKILL)
    system.client("inventory").get("/nowhere")  # a 404: a contract violation, as a symptom

def test_b_later(system):
    pass
"""


def test_a_postgres_killed_in_a_test_is_named_there_before_its_symptoms(
    project: pytest.Pytester,
):
    (project.path / "schema.sql").write_text("CREATE TABLE orders (id int);\n")
    (project.path / "inventory.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: i, version: '1'}\npaths:\n  /health:\n    get:\n"
        "      responses: {'200': {description: ok}}\n"
    )
    config = CONFIG + 'openapi = "inventory.yaml"\n[services.db]\nkind = "postgres"\n'
    (project.path / "seamline.toml").write_text(config + 'schema = "schema.sql"\n')
    (project.path / "test_db.py").write_text(KILLED_DB)
    result = project.runpytest_subprocess(*FAST)
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_a_db_dies*",
            "db exited (signal 9) during test_db.py::test_a_db_dies",
            "*ERROR at setup of test_b_later*",
            "db is down: it exited (signal 9) during test_db.py::test_a_db_dies;*",
        ]
    )
    assert "psycopg" not in result.stdout.str()  # the change capture did not read a dead server
