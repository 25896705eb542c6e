"""The `seamline` command, run as a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from seamline.runtime.procs import marked_pids
from seamline.system.detached import read_state, state_path

SYSTEM = """
name = "clidemo"
[services.db]
kind = "sqlite"
[services.api]
command = "{APP} --port {self.port}"
ready = "http GET /health"
env = { DB = "{db.url}" }
"""


def seamline(*args: str, run_root: Path, **kwargs) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEAMLINE_RUN_ROOT": str(run_root), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "seamline", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        **kwargs,
    )


def test_check_prints_the_graph_and_exits_0(write_config, run_root):
    done = seamline("check", str(write_config(SYSTEM).parent), run_root=run_root)
    assert done.returncode == 0, done.stderr
    assert "start wave 1" in done.stdout and "api (process) needs db" in done.stdout
    assert "config OK: 2 services" in done.stdout


def test_check_of_a_broken_config_exits_2_with_the_problem(write_config, run_root):
    path = write_config(SYSTEM.replace("{db.url}", "{dbb.url}"))
    done = seamline("check", "--config", str(path), run_root=run_root)
    assert done.returncode == 2
    assert "no service 'dbb'" in done.stderr and "did you mean {db.url}" in done.stderr


def test_up_prints_the_services_and_stops_cleanly_on_ctrl_c(write_config, run_root):
    path = write_config(SYSTEM)
    env = {**os.environ, "SEAMLINE_RUN_ROOT": str(run_root), "COLUMNS": "200"}
    with subprocess.Popen(
        [sys.executable, "-m", "seamline", "up", str(path.parent)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("Ctrl-C" in line for line in lines):
            lines.append(proc.stdout.readline())
        text = "".join(lines)
        api_url = next(w for w in text.split() if w.startswith("http://127.0.0.1:"))
        assert httpx.get(api_url + "/health").text == "ok"
        run_id = next(run_root.iterdir()).name
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0  # Ctrl-C is how `up` ends: not an interruption
        after = proc.stdout.read()
    assert "clidemo is up" in text and "logs: " in text and "/.seamline/runs/" in text
    assert "clidemo stopped: every process ended" in after, after
    assert not marked_pids(run_id)
    assert list(run_root.iterdir()) == []


def test_detached_up_status_and_down_act_on_exactly_that_system(write_config, run_root):
    path = write_config(SYSTEM)
    up = seamline("up", "--detach", str(path.parent), run_root=run_root)
    assert up.returncode == 0, up.stdout + up.stderr
    state = read_state(state_path(path))
    assert state is not None and state.status == "ready" and state.owner_alive()
    api = next(row for row in state.services if row.name == "api")
    assert httpx.get(api.url + "/health").text == "ok"
    again = seamline("up", "--detach", str(path.parent), run_root=run_root)
    assert again.returncode == 1 and "already up" in again.stderr
    status = seamline("status", str(path.parent), run_root=run_root)
    assert status.returncode == 0 and api.url in status.stdout
    down = seamline("down", str(path.parent), run_root=run_root)
    assert down.returncode == 0, down.stdout
    assert not state.owner_alive()
    assert not marked_pids(state.run_id)
    assert list(run_root.iterdir()) == []
    assert seamline("status", str(path.parent), run_root=run_root).returncode == 3
    assert seamline("down", str(path.parent), run_root=run_root).returncode == 3


def test_detached_up_that_fails_reports_the_error(write_config, run_root):
    path = write_config(
        SYSTEM.replace("--port {self.port}", "--port {self.port} --exit-at-start 4")
    )
    up = seamline("up", "--detach", str(path.parent), run_root=run_root)
    assert up.returncode == 1
    assert "api" in up.stderr and "exit code 4" in up.stderr


SUITE = """
def test_health(system):
    assert system.client("api").get("/health").text == "ok"

def test_fails(system):
    system.client("api").get("/env")
    assert False, "on purpose"
"""


def test_seamline_test_runs_the_suite_and_writes_report_and_junit(write_config, run_root, tmp_path):
    path = write_config(SYSTEM)
    (path.parent / "tests").mkdir()
    (path.parent / "tests" / "test_suite.py").write_text(SUITE)
    out = tmp_path / "out"
    done = seamline(
        "test",
        str(path.parent),
        "--report-dir",
        str(out),
        "--",
        "-p",
        "no:cacheprovider",
        run_root=run_root,
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "starting clidemo" in done.stdout and "api ready" in done.stdout
    assert "1 failed, 1 passed" in done.stdout.replace("1 passed, 1 failed", "1 failed, 1 passed")
    assert f"{out}/index.html" in done.stdout
    report = json.loads((out / "report.json").read_text())
    assert {t["outcome"] for t in report["tests"] if "::" in t["id"]} == {"passed", "failed"}
    junit = (out / "junit.xml").read_text()
    assert "test -&gt; api" in junit or "test -> api" in junit
    # re-render from the records, as after a killed run
    again = seamline(
        "report",
        str(path.parent / ".seamline" / "runs"),
        "--report-dir",
        str(tmp_path / "again"),
        run_root=run_root,
    )
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again" / "index.html").is_file()


def test_seamline_report_of_a_missing_dir_says_what_it_expected(run_root, tmp_path):
    done = seamline("report", str(tmp_path / "nope"), run_root=run_root)
    assert done.returncode == 1
    assert "does not exist: expected a run's record dir" in done.stderr
