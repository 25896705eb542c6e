"""Service ports come from below the kernel's ephemeral range, so nothing binding port 0 or
connecting out can take one between its choice and the service binding it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess

import pytest

from seamline.errors import StartError
from seamline.runtime.ports import LOWEST, ephemeral_range, free_port
from tests.conftest import APP


def test_service_ports_are_free_and_below_the_ephemeral_range():
    low, _ = ephemeral_range()
    ports = {free_port() for _ in range(50)}
    assert all(LOWEST <= port < low for port in ports)
    assert len(ports) > 40  # random, not a fixed sequence two workers would share
    for port in list(ports)[:5]:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_a_port_in_use_is_never_handed_out(monkeypatch):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    monkeypatch.setattr("random.sample", lambda population, k: [port, *population[: k - 1]])
    try:
        assert free_port() != port
    finally:
        taken.close()


def stranger_pid(text: str) -> int:
    return int(re.search(r"stranger (\d+) listens", text).group(1))  # type: ignore[union-attr]


FIXED_PORT = {
    "process": '[services.web]\ncommand = "{APP} --port {self.port}"\nport = PORT\n',
    "redis": '[services.web]\nkind = "redis"\nport = PORT\n',
    "postgres": '[services.web]\nkind = "postgres"\nport = PORT\n',
}


@pytest.mark.parametrize("kind", list(FIXED_PORT))
def test_a_fixed_port_already_taken_fails_at_once_naming_who_holds_it(
    write_config, start_system, kind
):
    port = free_port()
    holder = subprocess.Popen(
        [*APP.split(), "--port", str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().startswith("listening")
        path = write_config(FIXED_PORT[kind].replace("PORT", str(port)))
        with pytest.raises(StartError) as caught:
            start_system(path)
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    message = str(caught.value)
    assert f"port {port} (services.web.port) is already in use by pid {holder.pid}" in message
    assert "app.py --port" in message and "remove `port`" in message


STRANGER = """
[services.web]
command = "{APP} --port {self.port} --stranger-listens EXTRA"
ready = "tcp"
ready_timeout = 2
"""


@pytest.mark.parametrize("extra", ["", "--exit-at-start 3"])
def test_a_port_answered_by_another_program_is_not_the_service_ready(
    write_config, start_system, extra
):
    """The service hands its port to a stranger (no markers, its own session): running or
    exited, it is not ready, and the error names the stranger."""
    with pytest.raises(StartError) as caught:
        start_system(write_config(STRANGER.replace("EXTRA", extra)))
    error = caught.value
    stranger = stranger_pid(error.log_tail)
    try:
        if extra:
            assert error.exit_code == 3 and "exited before it was ready" in str(error)
        else:
            assert f"the listener is pid {stranger} (" in str(error)
            assert "not web or its children" in str(error)
    finally:
        os.kill(stranger, signal.SIGKILL)
