"""A runner killed with SIGKILL leaves no process and no run dir behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seamline.runtime.procs import RUN_MARKER, marked_pids, proc_start_time
from seamline.runtime.rundir import reap_stale_runs
from tests.conftest import APPS

SYSTEM = """
[services.db]
kind = "postgres"
[services.cache]
kind = "redis"
[services.fast]
command = "{APP} --port {self.port} --child --escaped-child"
[services.slow]
command = "{APP} --port {self.port} --slow-start 60"
ready = "http GET /health"
ready_timeout = 120
"""


def wait_until(condition, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def launch_runner(
    config: Path, run_root: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(APPS / "runner.py"), str(config), str(run_root)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
        env={**os.environ, **(env or {})},
    )


def run_id_in(run_root: Path) -> str:
    assert wait_until(lambda: any(run_root.iterdir()), 10)
    return next(run_root.iterdir()).name


@pytest.mark.parametrize("moment", ["mid-start", "mid-run"])
def test_sigkill_of_the_runner_leaves_no_process_and_no_run_dir(write_config, run_root, moment):
    text = SYSTEM if moment == "mid-start" else SYSTEM.replace("--slow-start 60", "")
    runner = launch_runner(write_config(text), run_root)
    try:
        run_id = run_id_in(run_root)
        if moment == "mid-start":
            # db, cache, fast (+ its two children) and slow are all running; slow is not ready
            assert wait_until(lambda: len(marked_pids(run_id)) >= 5), marked_pids(run_id)
            assert runner.poll() is None
        else:
            assert runner.stdout is not None
            assert wait_until(lambda: runner.stdout.readline().startswith("up"), 30)
        before = marked_pids(run_id)
        assert before
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait()
        if runner.stdout is not None:
            runner.stdout.close()
        assert runner.stdout is not None
        runner.stdout.close()
    assert wait_until(lambda: not marked_pids(run_id)), f"left behind: {marked_pids(run_id)}"
    assert wait_until(lambda: not any(run_root.iterdir())), list(run_root.iterdir())


def tracked_labels(run_root: Path) -> set[str]:
    return {line.split()[0] for p in run_root.glob("*/pids") for line in p.read_text().splitlines()}


@pytest.mark.parametrize("step", ["db.initdb", "db.build"])
def test_sigkill_during_the_first_ever_postgres_setup_leaves_no_build_dir(
    write_config, run_root, tmp_path, step
):
    """A cold cache: initdb, then the schema layer built on a server of its own."""
    cache = tmp_path / "cache"
    config = write_config('[services.db]\nkind = "postgres"\n')
    runner = launch_runner(config, run_root, {"SEAMLINE_CACHE_DIR": str(cache)})
    try:
        run_id = run_id_in(run_root)
        assert wait_until(lambda: step in tracked_labels(run_root), 60), tracked_labels(run_root)
        assert runner.poll() is None
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait()
        if runner.stdout is not None:
            runner.stdout.close()
    assert wait_until(lambda: not marked_pids(run_id)), f"left behind: {marked_pids(run_id)}"
    assert wait_until(lambda: not any(run_root.iterdir())), list(run_root.iterdir())
    assert not list(cache.glob("postgres/*.tmp-*"))
    # the next run starts clean and finishes the cache
    again = launch_runner(config, run_root, {"SEAMLINE_CACHE_DIR": str(cache)})
    try:
        assert again.stdout is not None
        assert wait_until(lambda: again.stdout.readline().startswith("up"), 60)
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait()
        if again.stdout is not None:
            again.stdout.close()
    assert wait_until(lambda: not any(run_root.iterdir())), list(run_root.iterdir())


def test_janitor_reaps_runs_whose_owner_and_watchdog_are_both_gone(run_root):
    run_id = "20260101-000000-1"
    run_dir = run_root / run_id
    run_dir.mkdir(parents=True)
    orphan = subprocess.Popen(
        ["sleep", "300"], start_new_session=True, env={**os.environ, RUN_MARKER: run_id}
    )
    escaped = subprocess.Popen(
        ["sleep", "301"], start_new_session=True, env={**os.environ, RUN_MARKER: run_id}
    )
    (run_dir / "owner.json").write_text(
        json.dumps({"pid": 999_999_999, "start_time": 1, "run_id": run_id})
    )
    (run_dir / "pids").write_text(f"svc {orphan.pid} {proc_start_time(orphan.pid)}\n")
    live_dir = run_root / "live"
    live_dir.mkdir()
    (live_dir / "owner.json").write_text(
        json.dumps(
            {"pid": os.getpid(), "start_time": proc_start_time(os.getpid()), "run_id": "live"}
        )
    )
    try:
        assert reap_stale_runs(run_root) == [run_id]
        assert orphan.wait(5) is not None and escaped.wait(5) is not None
        assert not run_dir.exists()
        assert live_dir.exists()  # its owner (this test) is alive
    finally:
        for proc in (orphan, escaped):
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_janitor_does_not_trust_a_reused_pid(run_root):
    run_dir = run_root / "reused"
    run_dir.mkdir()
    # our own pid, but a start time that is not ours: the owner is gone, the pid was reused
    (run_dir / "owner.json").write_text(
        json.dumps({"pid": os.getpid(), "start_time": 1, "run_id": "reused"})
    )
    assert reap_stale_runs(run_root) == ["reused"]
