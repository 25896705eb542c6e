"""The state file of a detached system (`seamline up --detach`), so `status` and
`down` act on exactly what `up` started."""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from seamline.runtime.procs import alive, proc_start_time


@dataclass
class ServiceRow:
    name: str
    kind: str
    url: str
    describe: str
    log: str
    ready_s: float | None = None


@dataclass
class SeamRow:
    seam: str
    url: str
    provider_url: str


@dataclass
class UpState:
    pid: int
    start_time: int | None
    config: str
    profile: str | None
    status: str = "starting"  # starting | ready | failed | stopped
    error: str = ""
    run_id: str = ""
    record_dir: str = ""
    services: list[ServiceRow] = field(default_factory=list)
    seams: list[SeamRow] = field(default_factory=list)
    down: dict[str, str] = field(default_factory=dict)  # services that died: how each ended

    @classmethod
    def for_this_process(cls, config: Path, profile: str | None) -> UpState:
        return cls(os.getpid(), proc_start_time(os.getpid()), str(config), profile)

    def owner_alive(self) -> bool:
        return alive(self.pid, self.start_time)


def state_path(config_file: Path) -> Path:
    """Per config file, not per directory: two configs in one folder are two systems."""
    return config_file.parent / ".seamline" / f"up-{config_file.name}.json"


def write_state(path: Path, state: UpState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state), indent=2))
    tmp.replace(path)


def read_state(path: Path) -> UpState | None:
    try:
        raw: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    rows = [ServiceRow(**row) for row in raw.pop("services", [])]
    seams = [SeamRow(**row) for row in raw.pop("seams", [])]
    return UpState(**raw, services=rows, seams=seams)


def wait_for_status(path: Path, owner_pid: int, timeout: float) -> UpState | None:
    """Wait until the detached runner reports ready or failed (or dies)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = read_state(path)
        if state is not None and state.pid == owner_pid and state.status != "starting":
            return state
        if not alive(owner_pid):
            return read_state(path)
        time.sleep(0.02)
    return read_state(path)


def stop_owner(state: UpState, timeout: float = 30.0) -> bool:
    """SIGTERM the detached runner (it stops its system), SIGKILL after `timeout`.

    A SIGKILLed runner is cleaned up by its watchdog. Returns False if it was not running.
    """
    if not state.owner_alive():
        return False
    os.kill(state.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not state.owner_alive():
            return True
        time.sleep(0.02)
    os.kill(state.pid, signal.SIGKILL)
    return True
