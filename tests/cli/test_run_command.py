"""`seamline run PATH -- COMMAND`: the command runs against the started system, with its
addresses, and the run ends with the command's exit code and nothing left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seamline.runtime.procs import alive, marked_pids
from tests.cli.test_cli import SYSTEM, seamline

COMMAND = """
import os, sys, time, urllib.request
from pathlib import Path
print("url", os.environ["SEAMLINE_API_URL"], "arg", sys.argv[1], flush=True)
mark = Path(sys.argv[2])
while not mark.exists():  # the test answers once it has read the line above, live
    time.sleep(0.02)
print(urllib.request.urlopen(os.environ["SEAMLINE_API_URL"] + "/health").read().decode())
print("control", os.environ["SEAMLINE_CONTROL_URL"].startswith("http://127.0.0.1:"))
print(sys.argv[3])
sys.exit(7)
"""


def start_run(base: Path, run_root: Path, out: Path, *command: str) -> subprocess.Popen[str]:
    env = {**os.environ, "SEAMLINE_RUN_ROOT": str(run_root), "COLUMNS": "200"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "seamline",
            "run",
            str(base),
            "--report-dir",
            str(out),
            "--",
            *command,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=out.parent,
    )


def test_the_command_gets_the_addresses_streams_live_and_its_code_is_the_runs(
    write_config, run_root, tmp_path
):
    base = write_config(SYSTEM).parent
    script, mark, out = tmp_path / "command.py", tmp_path / "mark", tmp_path / "out"
    script.write_text(COMMAND)
    own_braces = '{"k": [1]} ${HOME} {n}'  # the command's own braces are not templates
    proc = start_run(
        base, run_root, out, sys.executable, str(script), "{api.url}", str(mark), own_braces
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the command is still running: its output is not buffered
    assert proc.poll() is None, proc.communicate()
    mark.write_text("go")
    rest, errors = proc.communicate(timeout=120)
    assert proc.returncode == 7, errors
    _, url, _, argument = first.split()
    assert url == argument and url.startswith("http://127.0.0.1:")
    assert rest.splitlines() == ["ok", "control True", own_braces]
    report = json.loads((out / "report.json").read_text())
    seams = [e["seam"] for t in report["tests"] for e in t.get("exchanges", [])]
    assert "test -> api" in seams, report["tests"]
    assert list(run_root.iterdir()) == []


def test_a_command_not_found_exits_127_saying_so(write_config, run_root):
    base = write_config(SYSTEM).parent
    done = seamline("run", str(base), "--", "no-such-command-here", run_root=run_root)
    assert done.returncode == 127, done.stderr
    assert "command not found: no-such-command-here" in done.stderr
    assert list(run_root.iterdir()) == []


def test_a_command_that_is_not_executable_exits_126_saying_so(write_config, run_root, tmp_path):
    base = write_config(SYSTEM).parent
    script = tmp_path / "tests.sh"
    script.write_text("#!/bin/sh\necho never\n")  # no execute bit
    done = seamline("run", str(base), "--", str(script), run_root=run_root)
    assert done.returncode == 126, done.stderr
    assert f"permission denied: {script} is not executable" in done.stderr
    assert "never" not in done.stdout
    assert list(run_root.iterdir()) == []


def test_a_template_naming_no_service_fails_before_anything_starts(write_config, run_root):
    base = write_config(SYSTEM).parent
    done = seamline("run", str(base), "--", "echo", "{apx.url}", run_root=run_root)
    assert done.returncode == 2
    assert "{apx.url}" in done.stderr and "api" in done.stderr
    assert not run_root.exists() or list(run_root.iterdir()) == []


WAITER = """
import signal, subprocess, sys, time
from pathlib import Path
grandchild = subprocess.Popen(["sleep", "300"])
def stop(signum, _):
    Path(sys.argv[2]).write_text(signal.Signals(signum).name)
    sys.exit(0)
signal.signal(signal.SIGINT, stop)
signal.signal(signal.SIGTERM, stop)
Path(sys.argv[1]).write_text(str(grandchild.pid))
while True:
    time.sleep(1)
"""


def wait_for(path: Path, proc: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 60
    while not path.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # polling for the command's mark, not synchronising on time
    assert path.exists(), proc.communicate(timeout=30)
    return path.read_text()


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_goes_on_to_the_command_and_nothing_is_left(
    write_config, run_root, tmp_path, sig, code
):
    base = write_config(SYSTEM).parent
    script, pid_file, got = tmp_path / "waiter.py", tmp_path / "pid", tmp_path / "got"
    script.write_text(WAITER)
    out = tmp_path / "out"
    proc = start_run(base, run_root, out, sys.executable, str(script), str(pid_file), str(got))
    grandchild = int(wait_for(pid_file, proc))
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    assert proc.returncode == code
    assert got.read_text() == sig.name  # the command was told
    assert not alive(grandchild)  # what it started went with it
    assert list(run_root.iterdir()) == []
    assert (out / "index.html").exists()


def test_seamline_killed_mid_command_leaves_nothing(write_config, run_root, tmp_path):
    base = write_config(SYSTEM).parent
    script, pid_file = tmp_path / "waiter.py", tmp_path / "pid"
    script.write_text(WAITER)
    proc = start_run(
        base, run_root, tmp_path / "out", sys.executable, str(script), str(pid_file), "x"
    )
    try:
        grandchild = int(wait_for(pid_file, proc))
        run_id = next(run_root.iterdir()).name
        assert len(marked_pids(run_id)) >= 3  # the api service, the command, its child
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    deadline = time.monotonic() + 30
    while (marked_pids(run_id) or any(run_root.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.05)  # the watchdog cleans up: waiting on its result
    assert marked_pids(run_id) == [] and not alive(grandchild)
    assert list(run_root.iterdir()) == []


JUNIT_WRITER = """
import os, sys, time, urllib.request
from datetime import datetime, timezone
started = datetime.now(timezone.utc)
urllib.request.urlopen(os.environ["SEAMLINE_API_URL"] + "/health").read()
took = (datetime.now(timezone.utc) - started).total_seconds() + 0.001
time.sleep(0.01)  # the next case starts after this one's window
open("junit.xml", "w").write(f'''<testsuites>
<testsuite name="shop" timestamp="{started.isoformat()}">
<testcase classname="shop" name="checkout" time="{took}"/>
<testcase classname="shop" name="later" time="0.001"><failure message="boom"/></testcase>
</testsuite></testsuites>''')
"""


def test_junit_cases_are_listed_with_the_exchanges_of_their_window(
    write_config, run_root, tmp_path
):
    base = write_config(SYSTEM).parent
    (tmp_path / "writer.py").write_text(JUNIT_WRITER)
    out = tmp_path / "out"
    # no --junit: ./junit.xml is jest-junit's default path, written during the run
    proc = start_run(base, run_root, out, sys.executable, str(tmp_path / "writer.py"))
    _, errors = proc.communicate(timeout=120)
    assert proc.returncode == 0, errors
    tests = {t["id"]: t for t in json.loads((out / "report.json").read_text())["tests"]}
    checkout, later = tests["shop::checkout"], tests["shop::later"]
    assert checkout["outcome"] == "passed" and later["outcome"] == "failed"
    assert [e["seam"] for e in checkout["exchanges"]] == ["test -> api"]
    assert later["exchanges"] == []


@pytest.mark.parametrize(
    ("content", "said"), [(None, "was not written"), ("<testsuites><oops", "is not XML")]
)
def test_a_missing_or_malformed_junit_file_is_reported_and_the_code_stays_the_commands(
    write_config, run_root, tmp_path, content, said
):
    base = write_config(SYSTEM).parent
    junit = tmp_path / "results.xml"
    if content is not None:
        junit.write_text(content)
    done = seamline(
        "run",
        str(base),
        "--report-dir",
        str(tmp_path / "out"),
        "--junit",
        str(junit),
        "--",
        sys.executable,
        "-c",
        "raise SystemExit(5)",
        run_root=run_root,
    )
    assert done.returncode == 5
    assert f"JUnit file {junit} {said}" in done.stderr


def test_seamline_run_imports_no_test_framework_or_strategy_module(
    write_config, run_root, tmp_path
):
    """Each import is time before the command's first line: `run` loads what it uses only."""
    base = write_config(SYSTEM).parent
    env = {**os.environ, "SEAMLINE_RUN_ROOT": str(run_root)}
    run = ["run", str(base), "--report-dir", str(tmp_path / "out"), "--"]
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "seamline", *run, sys.executable, "-V"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if "|" in line}
    unused = {"pytest", "httpx", "seamline.strategy_run", "seamline.strategy_cli"}
    assert imported & unused == set()
    assert "seamline.control.runner" in imported  # what it does use is seen


def test_without_a_path_the_current_directory_is_the_system_whatever_follows_the_dashes(
    write_config, run_root
):
    base = write_config('name = "here"\n[services.cache]\nkind = "redis"\n').parent
    script = "import os; print(os.environ['SEAMLINE_CACHE_PORT'])"
    done = seamline("run", "--", sys.executable, "-c", script, run_root=run_root, cwd=base)
    assert done.returncode == 0, done.stdout + done.stderr  # `sys.executable` was taken as PATH
    assert done.stdout.strip().isdigit()


def test_python_in_the_command_is_seamlines_as_in_a_service_command(write_config, run_root):
    base = write_config('name = "here"\n[services.cache]\nkind = "redis"\n').parent
    env = {**os.environ, "SEAMLINE_RUN_ROOT": str(run_root), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(  # the virtualenv not activated: its bin dir is not on PATH
        [
            sys.executable,
            "-m",
            "seamline",
            "run",
            str(base),
            "--",
            "python",
            "-c",
            "import sys; print(sys.prefix)",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == sys.prefix
