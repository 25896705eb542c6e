"""Service ports come from below the kernel's ephemeral range, so nothing binding port 0 or
connecting out can take one between its choice and the service binding it."""

from __future__ import annotations

import socket

from seamline.runtime.ports import LOWEST, ephemeral_range, free_port


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
