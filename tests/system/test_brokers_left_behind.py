"""A runner killed with SIGKILL while brokers start or run leaves no process (epmd
included), no run dir and no half-built cache entry behind."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from seamline.runtime.procs import marked_pids
from tests.system.test_nothing_left_behind import launch_runner, run_id_in, wait_until

SYSTEM = """
[services.bus]
kind = "rabbitmq"
[services.events]
kind = "nats"
"""


@pytest.mark.parametrize("moment", ["mid-build", "mid-run"])
def test_sigkill_of_the_runner_leaves_no_broker_behind(
    write_config, run_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str
):
    cache = tmp_path / "cache"
    if moment == "mid-build":  # a cold cache: the runner is killed while it prepares it
        monkeypatch.setenv("SEAMLINE_CACHE_DIR", str(cache))
    runner = launch_runner(write_config(SYSTEM), run_root)
    try:
        run_id = run_id_in(run_root)
        if moment == "mid-build":
            assert wait_until(lambda: marked_pids(run_id, "bus.build"), 60)
        else:
            assert runner.stdout is not None
            assert wait_until(lambda: runner.stdout.readline().startswith("up"), 120)
        services = {
            service for service in ("bus", "bus.epmd", "events") if marked_pids(run_id, service)
        }
        assert services >= {"bus.epmd", "events"}
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait()
        assert runner.stdout is not None
        runner.stdout.close()
    assert wait_until(lambda: not marked_pids(run_id), 30), f"left behind: {marked_pids(run_id)}"
    assert wait_until(lambda: not any(run_root.iterdir()), 30), list(run_root.iterdir())
    if moment == "mid-build":
        assert [
            p.name for p in (cache / "rabbitmq").iterdir() if not p.name.endswith(".lock")
        ] == []
