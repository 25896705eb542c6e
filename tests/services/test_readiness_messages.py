"""A service that is never ready says what its probe saw last: a status, a refusal, no answer."""

from __future__ import annotations

import sys

import pytest

from seamline.errors import StartError

# listens but never answers: a connection is accepted by the kernel, no response comes
SILENT = (
    f'command = ["{sys.executable}", "-c", "import socket, sys, time; s = socket.socket(); '
    's.bind((\'127.0.0.1\', int(sys.argv[1]))); s.listen(); time.sleep(60)", "{self.port}"]'
)

CASES = [
    ('command = "{APP} --port {self.port}"\nready = "http GET /nope"', "HTTP 404"),
    (
        'command = "{APP} --port {self.port} --slow-start 30"\nready = "http GET /health"',
        "connection refused",
    ),
    ('command = "{APP} --port {self.port} --slow-start 30"\nready = "tcp"', "connection refused"),
    (SILENT + '\nready = "http GET /health"', "no answer within"),
    ('command = "{APP} --port {self.port}"\nready = "command false"', "exit code 1"),
]


@pytest.mark.parametrize(
    ("service", "seen"), CASES, ids=["status", "refused", "tcp refused", "silent", "command"]
)
def test_a_readiness_timeout_says_what_the_probe_saw_last(
    write_config, start_system, service, seen
):
    path = write_config(f"[services.api]\n{service}\nready_timeout = 1.5\n")
    with pytest.raises(StartError) as caught:
        start_system(path)
    assert "not ready after 1.5 s" in str(caught.value)
    assert f"last seen: {seen}" in str(caught.value), str(caught.value)


def test_an_external_service_says_what_its_probe_saw_last(write_config, start_system):
    path = write_config(
        '[services.gone]\nkind = "external"\nurl = "http://127.0.0.1:9"\nready = "tcp"\n'
        "ready_timeout = 0.3\n"
    )
    with pytest.raises(StartError, match=r"is not ready \(tcp; last seen: connection refused\)"):
        start_system(path)
