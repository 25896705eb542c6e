"""The start order through seams: a consumer that reaches a provider only by its seam starts at
once, and the seam holds its requests until the provider is ready; other needs wait."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from seamline.errors import SeamlineError, StartError
from seamline.mock import MockServer, get
from seamline.runtime.procs import marked_pids
from seamline.seams.assertions import eventually
from seamline.system.core import System
from seamline.system.harness import Harness

PROVIDER_AND_CONSUMER = """
[services.provider]
command = "{APP} --port {self.port} --slow-start %(slow)s"
ready = "http GET /health"
%(provider_extra)s
[services.consumer]
command = "{APP} --port {self.port} --call-at-start PROVIDER_URL"
ready = "http GET /health"
%(consumer_extra)s
[services.consumer.env]
PROVIDER_URL = "{provider.url}"
"""


def config(slow: float, provider_extra: str = "", consumer_extra: str = "") -> str:
    return PROVIDER_AND_CONSUMER % {
        "slow": slow,
        "provider_extra": provider_extra,
        "consumer_extra": consumer_extra,
    }


def test_a_consumer_starts_while_its_provider_starts_and_its_request_is_held_until_ready(
    write_config: Callable[[str], Path], start_system: Callable[..., System]
) -> None:
    system = start_system(write_config(config(slow=1.5)))
    timings = Harness(system).timings()
    assert timings["consumer"].started < timings["provider"].ready  # not after it
    (exchange,) = system.seam("consumer", "provider").exchanges(all_tests=True)
    assert exchange.mono < timings["provider"].ready  # sent while the provider started
    assert exchange.outcome == "ok" and exchange.status == 200 and exchange.mode == "real"
    assert "called " in system.logs("consumer") and ": 200 ok" in system.logs("consumer")


def test_a_provider_that_fails_to_start_is_named_and_the_held_request_answered_as_down(
    write_config: Callable[[str], Path], run_root: Path, tmp_path: Path
) -> None:
    path = write_config(config(slow=60, provider_extra="ready_timeout = 1.5"))
    system = System.from_config(path, run_root=run_root, record_root=tmp_path / "records")
    with pytest.raises(StartError) as caught:
        system.start()
    # the consumer fails too (its call at start gets no answer): the provider is named
    assert caught.value.service == "provider"
    assert "not ready after 1.5 s" in str(caught.value)
    (record_dir,) = (tmp_path / "records").iterdir()
    assert "calling " in (record_dir / "logs" / "consumer.log").read_text()  # it had started
    journal = (record_dir / "journal.jsonl").read_text()
    assert '"outcome":"refused"' in journal and "provider did not start" in journal


def test_explicit_depends_on_still_waits_for_readiness(
    write_config: Callable[[str], Path], start_system: Callable[..., System]
) -> None:
    path = write_config(config(slow=1.0, consumer_extra='depends_on = ["provider"]'))
    timings = Harness(start_system(path)).timings()
    assert timings["provider"].ready <= timings["consumer"].started


def test_a_seam_switched_to_a_stub_answers_a_held_request_without_the_provider(
    write_config: Callable[[str], Path], run_root: Path, mock: MockServer
) -> None:
    mock.stub(get("/health")).reply(200, body="stubbed")
    system = System.from_config(write_config(config(slow=3.0)), run_root=run_root)
    starting = threading.Thread(target=system.start)
    starting.start()
    try:
        _wait_for(lambda: "calling " in _logs(system, "consumer"))
        system.seam("consumer", "provider").use_stub(mock)
        starting.join(60)
        timings = Harness(system).timings()
        (exchange,) = system.seam("consumer", "provider").exchanges(all_tests=True)
        assert exchange.mode == "stub" and exchange.status == 200
        assert exchange.mono + exchange.duration_ms / 1000 < timings["provider"].ready
        assert ": 200 stubbed" in system.logs("consumer")
    finally:
        starting.join(60)
        system.stop(failed=True)


def _logs(system: System, name: str) -> str:
    try:
        return system.logs(name)
    except SeamlineError:  # the System has not made its services yet
        return ""


def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        time.sleep(0.02)


def test_a_held_request_whose_consumer_hangs_up_wakes_no_other_held_request(
    write_config: Callable[[str], Path], run_root: Path
) -> None:
    path = write_config(
        '[services.provider]\ncommand = "{APP} --port {self.port} --slow-start 4"\n'
    )
    system = System.from_config(path, run_root=run_root)
    starting = threading.Thread(target=system.start)
    starting.start()
    try:
        _wait_for(lambda: _url(system, "provider") != "")
        host, port = _url(system, "provider").removeprefix("http://").split(":")
        waiting = socket.create_connection((host, int(port)))  # held, answered once ready
        waiting.sendall(b"GET /health HTTP/1.1\r\nHost: provider\r\n\r\n")
        with socket.create_connection((host, int(port))) as gives_up:
            gives_up.sendall(b"GET /health HTTP/1.1\r\nHost: provider\r\n\r\n")
        seam = system.seam("test", "provider")
        _wait_for(lambda: [e.outcome for e in seam.exchanges(all_tests=True)] == ["timeout"])
        starting.join(60)
        waiting.settimeout(30)
        assert waiting.recv(4096).startswith(b"HTTP/1.1 200")
        waiting.close()
        outcomes = sorted(e.outcome for e in eventually(lambda: seam.exchanges(all_tests=True)[1:]))
        assert outcomes == ["ok"]
    finally:
        starting.join(60)
        system.stop(failed=True)


def _url(system: System, name: str) -> str:
    try:
        return system.url(name)
    except SeamlineError:  # the System has not made its services or seams yet
        return ""


def test_ctrl_c_while_a_request_is_held_stops_everything(
    write_config: Callable[[str], Path], run_root: Path, tmp_path: Path
) -> None:
    path = write_config(config(slow=300, provider_extra="ready_timeout = 300"))
    records = tmp_path / "records"
    env = {**os.environ, "SEAMLINE_RUN_ROOT": str(run_root), "SEAMLINE_RECORD_ROOT": str(records)}
    up = subprocess.Popen(
        [sys.executable, "-m", "seamline", "up", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        _wait_for(lambda: "calling " in _read(records.glob("*/logs/consumer.log")))
        run_id = next(records.iterdir()).name
        up.send_signal(signal.SIGINT)
        assert up.wait(30) == 130
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
    assert not marked_pids(run_id)
    assert list(run_root.iterdir()) == []
    assert up.stderr is not None
    with up.stderr:
        assert "Traceback" not in up.stderr.read()


def _read(paths: Iterable[Path]) -> str:
    return "".join(path.read_text() for path in paths)
