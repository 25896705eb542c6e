"""stop_service, start_service and restart_service of a running System, as chaos-style tests
use them: every process's lines and every death are on the service's one log, and nothing of
a stopped or restarted process is left behind."""

from __future__ import annotations

import os
import signal

import httpx
import pytest

from seamline.runtime.procs import alive, proc_start_time
from tests.conftest import marked_processes, pid_alive

CONFIG = """
name = "shop"
[services.inventory]
command = "{APP} --port {self.port} --say stocking-shelves"
ready = "http GET /health"
stop_timeout = 2
"""

DEATH = "[seamline] inventory exited (signal 9)"


def kill_and_wait_for_zombie(pid: int) -> None:
    """SIGKILL, then wait until the kernel has it dead (a zombie, or reaped already): the
    moment a chaos test calls restart_service, with the watcher thread not yet run."""
    os.kill(pid, signal.SIGKILL)
    while alive(pid):
        pass


@pytest.fixture
def system(write_config, start_system):
    return start_system(write_config(CONFIG))


def inventory_pid(system) -> int:
    return system.service("inventory").pids()[0]


def test_each_kill_and_restart_puts_the_death_and_the_new_process_s_lines_on_one_log(system):
    rounds = 8  # the watcher thread and restart_service race; each round is one more chance
    for _ in range(rounds):
        kill_and_wait_for_zombie(inventory_pid(system))
        system.restart_service("inventory")
        assert system.client("inventory").get("/health").text == "ok"
    log = system.logs("inventory")
    assert log.count(DEATH) == rounds, log
    assert log.count("stocking-shelves") == rounds + 1  # the first process and each restart
    # every death comes after the lines of the process that died, before the next one's
    lines = log.splitlines()
    deaths = [i for i, line in enumerate(lines) if DEATH in line]
    starts = [i for i, line in enumerate(lines) if "stocking-shelves" in line]
    assert all(starts[n] < deaths[n] < starts[n + 1] for n in range(rounds))
    assert system.services_down() == []


def test_a_death_seen_by_the_watch_is_on_the_log_once_and_gone_after_a_restart(system):
    kill_and_wait_for_zombie(inventory_pid(system))
    down = system.services_down()  # dead for the kernel: named, whether the watcher ran or not
    assert [(d.service, d.how) for d in down] == [("inventory", "exited (signal 9)")]
    system.restart_service("inventory")
    assert system.services_down() == []
    assert system.logs("inventory").count(DEATH) == 1  # noted by one of watcher and stop()


def test_a_service_killed_then_stopped_has_its_death_on_its_log_and_is_not_down(system):
    kill_and_wait_for_zombie(inventory_pid(system))
    system.stop_service("inventory")
    assert system.logs("inventory").count(DEATH) == 1
    assert system.services_down() == []  # stopped on purpose now


def test_start_service_after_stop_service_runs_a_new_process_that_logs_on_the_same_log(system):
    first = inventory_pid(system)
    system.stop_service("inventory")
    assert not pid_alive(first)
    system.start_service("inventory")
    second = inventory_pid(system)
    assert second != first
    assert system.client("inventory").get("/health").text == "ok"
    log = system.logs("inventory")
    assert log.count("stocking-shelves") == 2
    assert "[seamline]" not in log  # a stop on purpose is no death
    assert system.services_down() == []


def test_a_restarted_service_stops_with_the_system_and_leaves_nothing(system, run_root):
    first = inventory_pid(system)
    system.restart_service("inventory")
    second = inventory_pid(system)
    started = proc_start_time(second)
    system.stop_service("inventory")
    assert not pid_alive(first) and not alive(second, started)
    system.start_service("inventory")
    third = inventory_pid(system)
    run_id = system.record_dir.name
    record_dir = system.record_dir
    system.stop()
    assert not pid_alive(third)
    assert marked_processes(run_id) == []
    assert list(run_root.iterdir()) == []
    log = (record_dir / "logs" / "inventory.log").read_text()
    assert log.count("stocking-shelves") == 3 and "[seamline]" not in log


def test_a_stopped_service_refuses_a_seam_first_used_after_the_stop_as_its_port_would(system):
    # no seam into inventory exists before the stop: the test's client makes the first one
    system.stop_service("inventory")
    with pytest.raises(httpx.ConnectError):
        system.client("inventory").get("/health")
    system.start_service("inventory")
    assert system.client("inventory").get("/health").text == "ok"
