"""A service's process as the rest of seamline sees it: dead the moment the kernel says so,
whether or not its watcher thread has reaped it yet."""

from __future__ import annotations

import os
import re
import signal
import sys
from pathlib import Path

from seamline.runtime.procs import ManagedProcess, ProcessTracker, alive

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"]


def start(tmp_path: Path, n: int) -> ManagedProcess:
    tracker = ProcessTracker(tmp_path, "procs-test")
    return ManagedProcess(
        f"sleeper{n}",
        SLEEPER,
        env=dict(os.environ),
        cwd=tmp_path,
        log_path=tmp_path / f"sleeper{n}.log",
        tracker=tracker,
    )


def test_a_killed_process_has_its_exit_code_before_its_watcher_reaps_it(tmp_path):
    # its watcher thread waits on it; right after the kill that thread may not have run yet:
    # each round is a chance for the answer to come from the watcher's stale view
    for n in range(20):
        process = start(tmp_path, n)
        try:
            os.kill(process.pid, signal.SIGKILL)
            while alive(process.pid):
                pass
            assert process.exit_code() == -signal.SIGKILL
        finally:
            process.stop(1.0)
        log = (tmp_path / f"sleeper{n}.log").read_text()
        assert log.count(f"[seamline] sleeper{n} exited (signal 9)") == 1, log


def test_a_stopped_process_is_no_death(tmp_path):
    process = start(tmp_path, 0)
    process.log.wait_for(re.compile("up"), 10)
    process.stop(1.0)
    assert process.exit_code() == -signal.SIGTERM
    assert "[seamline]" not in (tmp_path / "sleeper0.log").read_text()
