"""Readiness probes, polled with a short exponential back-off.

The first checks come quickly (a service that is up in 20 ms is seen within a
few ms of that), later ones back off to 100 ms so a slow service is not
hammered. A process that exits while being probed fails at once.
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from seamline.config.probes import Probe


@dataclass
class ProbeTarget:
    host: str
    port: int
    cwd: str
    env: dict[str, str]


class NotReady(Exception):
    """Raised by a probe that cannot succeed any more (the process exited)."""


class Cancelled(Exception):
    """The start was abandoned (Ctrl-C, SIGTERM, another service failed): stop waiting."""


def backoff(
    deadline: float,
    check: Callable[[], bool],
    alive: Callable[[], bool],
    cancelled: threading.Event | None = None,
) -> bool:
    """Call `check` until it is true, the deadline passes, or `alive` turns false.

    Between checks it waits on `cancelled`, so an abandoned start ends at once."""
    delay = 0.002
    stop = cancelled or threading.Event()
    while True:
        if stop.is_set():
            raise Cancelled()
        if check():
            if alive():
                return True
            # a process that exited is never ready, whatever answered the probe
            raise NotReady("the process exited")
        if not alive():
            raise NotReady("the process exited")
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        stop.wait(min(delay, left))
        delay = min(delay * 2, 0.1)


@dataclass
class LastSeen:
    """What a probe saw on its last try, for the message when it never succeeds."""

    text: str = "nothing yet"


def _failure(err: OSError) -> str:
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    if isinstance(err, TimeoutError | socket.timeout):
        return "no answer within the probe's timeout"
    return f"{type(err).__name__}: {err}"


def tcp_open(host: str, port: int, seen: LastSeen | None = None) -> bool:
    seen = seen or LastSeen()
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError as err:
        seen.text = _failure(err)
        return False


_STATUS = re.compile(rb"^HTTP/1\.[01] (\d{3})")


def http_ok(probe: Probe, host: str, port: int, seen: LastSeen | None = None) -> bool:
    """One plain HTTP/1.0 request on a raw socket: cheaper than any client library."""
    seen = seen or LastSeen()
    request = f"{probe.method} {probe.path} HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode()
    try:
        with socket.create_connection((host, port), timeout=1.0) as sock:
            sock.sendall(request)
            head = sock.recv(64)
            _drain(sock)
    except OSError as err:
        seen.text = _failure(err).replace("the probe's timeout", "1 s")
        return False
    match = _STATUS.match(head)
    if not match:
        seen.text = f"no HTTP status line (got {head[:30]!r})"
        return False
    status = int(match.group(1))
    seen.text = f"HTTP {status}"
    return status == probe.status if probe.status is not None else 200 <= status < 300


def _drain(sock: socket.socket) -> None:
    """Read the rest of the answer before closing: closing with bytes unread sends a reset,
    and the service's write of its body fails (Python's http.server logs a traceback for
    every probe). HTTP/1.0 servers close after the answer; a bound keeps others from holding
    the probe: 64 KiB or 0.1 s."""
    sock.settimeout(0.1)
    with contextlib.suppress(OSError):
        for _ in range(16):
            if not sock.recv(4096):
                return


def command_ok(probe: Probe, target: ProbeTarget, seen: LastSeen | None = None) -> bool:
    seen = seen or LastSeen()
    try:
        done = subprocess.run(
            probe.command or [],
            cwd=target.cwd,
            env=target.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=10,
            check=False,
        )
    except subprocess.TimeoutExpired:
        seen.text = "the command ran over 10 s"
        return False
    except OSError as err:
        seen.text = f"the command cannot run ({err})"
        return False
    seen.text = f"exit code {done.returncode}"
    return done.returncode == 0


def make_check(
    probe: Probe,
    target: ProbeTarget,
    wait_log: Callable[[re.Pattern[str], float], bool],
    seen: LastSeen | None = None,
) -> Callable[[], bool]:
    """A no-argument check for `probe` (log probes wait on the log in short slices);
    each try leaves what it saw in `seen`."""
    seen = seen or LastSeen()
    if probe.kind == "http":
        return lambda: http_ok(probe, target.host, target.port, seen)
    if probe.kind == "tcp":
        return lambda: tcp_open(target.host, target.port, seen)
    if probe.kind == "command":
        return lambda: command_ok(probe, target, seen)
    if probe.kind == "log":
        pattern = re.compile(probe.pattern or "")
        seen.text = "no matching line in the log"
        return lambda: wait_log(pattern, 0.05)
    return lambda: True
