"""Detached systems are kept per config file: two configs in one folder are independent, and
every hint the CLI prints works as printed."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys

import httpx

from seamline.runtime.procs import read_pids
from seamline.system.detached import read_state, state_path
from tests.cli.test_cli import SYSTEM, seamline
from tests.system.test_nothing_left_behind import wait_until


def test_two_configs_in_one_folder_are_up_and_down_independently(write_config, run_root):
    first = write_config(SYSTEM.replace("clidemo", "first"), name="first.toml")
    second = write_config(SYSTEM.replace("clidemo", "second"), name="second.toml")
    assert state_path(first) != state_path(second)
    for path in (first, second):
        up = seamline("up", "-d", str(path), run_root=run_root)
        assert up.returncode == 0, up.stdout + up.stderr
    states = {path: read_state(state_path(path)) for path in (first, second)}
    hint = next(line for line in up.stdout.splitlines() if "seamline down" in line)
    # the hint printed by `up -d second.toml` works verbatim
    command = shlex.split(hint.split("Stop it with: ", 1)[1])
    assert command[:2] == ["seamline", "down"]
    down = seamline(*command[1:], run_root=run_root)
    assert down.returncode == 0, down.stdout + down.stderr
    first_state, second_state = states[first], states[second]
    assert first_state is not None and second_state is not None
    assert not second_state.owner_alive()
    assert first_state.owner_alive(), "stopping second.toml stopped first.toml"
    api = next(row for row in first_state.services if row.name == "api")
    assert httpx.get(api.url + "/health").text == "ok"
    assert seamline("status", str(second), run_root=run_root).returncode == 3
    assert seamline("status", str(first), run_root=run_root).returncode == 0
    assert seamline("down", str(first), run_root=run_root).returncode == 0
    assert not first_state.owner_alive()


def test_a_foreground_up_refuses_to_start_beside_a_detached_one(write_config, run_root):
    path = write_config(SYSTEM)
    assert seamline("up", "-d", str(path), run_root=run_root).returncode == 0
    try:
        env = {**os.environ, "SEAMLINE_RUN_ROOT": str(run_root)}
        try:
            again = subprocess.run(
                [sys.executable, "-m", "seamline", "up", str(path)],
                capture_output=True,
                text=True,
                env=env,
                timeout=30,
                check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise AssertionError(
                "a second, foreground `up` started beside the detached one"
            ) from err
        assert again.returncode == 1, again.stdout + again.stderr
        assert "already up" in again.stderr and "seamline down" in again.stderr
    finally:
        assert seamline("down", str(path), run_root=run_root).returncode == 0


def test_status_names_a_service_of_a_detached_system_that_died(write_config, run_root):
    path = write_config(SYSTEM)
    assert seamline("up", "-d", str(path), run_root=run_root).returncode == 0
    try:
        pids = next(run_root.glob("*/pids"))
        api = next(tracked for tracked in read_pids(pids) if tracked.service == "api")
        os.kill(api.pid, signal.SIGKILL)

        def down_said() -> bool:
            state = read_state(state_path(path))
            return state is not None and "api" in state.down

        assert wait_until(down_said, 30)
        status = seamline("status", str(path), run_root=run_root)
        assert status.returncode == 1
        assert "api is down: it exited (signal 9); its log: " in status.stderr
    finally:
        assert seamline("down", str(path), run_root=run_root).returncode == 0
    assert list(run_root.iterdir()) == []
