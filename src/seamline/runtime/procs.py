"""Child processes: spawned in their own process group, logged with timestamps,
tracked on disk so a watchdog can stop them if the runner dies, stopped by
process group with SIGTERM then SIGKILL."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

# Every process seamline starts carries this variable, so cleanup can find
# processes that left their group (daemons that call setsid) by PID.
RUN_MARKER = "SEAMLINE_RUN_ID"
SERVICE_MARKER = "SEAMLINE_SERVICE"


def describe_exit(code: int) -> str:
    """`exited (signal 9)` / `exited (exit code 3)`, from a Popen return code."""
    return f"exited (signal {-code})" if code < 0 else f"exited (exit code {code})"


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first); None once gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()


def proc_start_time(pid: int) -> int | None:
    """The kernel's start time of `pid` (clock ticks since boot), to detect PID reuse."""
    fields = _stat_fields(pid)
    return None if fields is None else int(fields[19])


def alive(pid: int, start_time: int | None = None) -> bool:
    # One read of /proc/<pid>/stat: a process reaped between two reads made a second read
    # raise FileNotFoundError (seen when a watcher reaped a killed service mid-check).
    fields = _stat_fields(pid)
    if fields is None:
        return False
    return fields[0] != "Z" and (start_time is None or int(fields[19]) == start_time)


def belongs_to(pid: int, leader: int, run_id: str, service: str) -> bool:
    """Whether `pid` is the service's process `leader` or one of its descendants: in the
    leader's process group, or carrying the run's and the service's markers."""
    if pid == leader:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        with open(f"/proc/{pid}/environ", "rb") as f:
            environ = b"\0" + f.read() + b"\0"
    except OSError:
        return False
    if int(stat[stat.rindex(")") + 2 :].split()[2]) == leader:
        return True
    needles = (f"\0{RUN_MARKER}={run_id}\0", f"\0{SERVICE_MARKER}={service}\0")
    return all(needle.encode() in environ for needle in needles)


@dataclass(frozen=True)
class Tracked:
    service: str
    pid: int
    start_time: int


class ProcessTracker:
    """Records every started process in `<run_dir>/pids` before anything waits on it."""

    def __init__(self, run_dir: Path, run_id: str) -> None:
        self.path = run_dir / "pids"
        self.run_id = run_id
        self._lock = threading.Lock()
        # told (service, exit code) when a process ends on its own, not by stop()
        self.on_exit: Callable[[str, int], None] | None = None

    def add(self, service: str, pid: int) -> None:
        start = proc_start_time(pid) or 0
        with self._lock, self.path.open("a") as out:
            out.write(f"{service} {pid} {start}\n")
            out.flush()

    def entries(self) -> list[Tracked]:
        return read_pids(self.path)


def read_pids(path: Path) -> list[Tracked]:
    try:
        text = path.read_text()
    except OSError:
        return []
    found = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            found.append(Tracked(parts[0], int(parts[1]), int(parts[2])))
    return found


def marked_pids(run_id: str, service: str | None = None) -> list[int]:
    """PIDs whose environment carries this run's marker (and the service's, if given):
    the descendants of our services, including those that left their process group."""
    needles = [f"\0{RUN_MARKER}={run_id}\0".encode()]
    if service is not None:
        needles.append(f"\0{SERVICE_MARKER}={service}\0".encode())
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry.name}/environ", "rb") as f:
                environ = b"\0" + f.read() + b"\0"
        except OSError:
            continue
        if all(needle in environ for needle in needles):
            found.append(int(entry.name))
    return found


def run_tracked(
    label: str,
    argv: Sequence[str],
    tracker: ProcessTracker,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: int | None = None,
    group: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a helper command (initdb, a copy) to its end, tracked like a service.

    It carries the run's marker and is recorded in the pids file, so if the
    runner is killed while it runs, the watchdog or the janitor stops it before
    removing the files it writes into.
    """
    marked = {**(os.environ if env is None else env), RUN_MARKER: tracker.run_id}
    popen = subprocess.Popen(
        list(argv),
        env={**marked, SERVICE_MARKER: label},
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        user=user,
        group=group,
        extra_groups=[] if user is not None else None,
    )
    tracker.add(label, popen.pid)
    try:
        stdout, stderr = popen.communicate()
    except BaseException:  # Ctrl-C or SIGTERM of the runner: the helper goes with it
        _signal_group(popen.pid, signal.SIGKILL)
        popen.wait()
        raise
    return subprocess.CompletedProcess(popen.args, popen.returncode, stdout, stderr)


def kill_run(run_id: str, tracked: Sequence[Tracked], grace: float = 3.0) -> None:
    """Stop every process of a run: tracked groups first, then marked stragglers."""
    groups = [t.pid for t in tracked if alive(t.pid, t.start_time)]
    for pgid in groups:
        _signal_group(pgid, signal.SIGTERM)
    _wait_gone(groups, grace)
    for pgid in groups:
        _signal_group(pgid, signal.SIGKILL)
    for pid in marked_pids(run_id):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _wait_gone(pids: Sequence[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.01)


class LogPump:
    """Copies a child's output to its log file, one timestamped line at a time.

    Each line is written as `<ISO UTC time> <line>` so the report can put the
    logs of all services on one timeline. The last lines are kept in memory
    for start errors and log-based readiness.
    """

    def __init__(self, path: Path, tail: int = 200) -> None:
        self.path = path
        self._lines: deque[str] = deque(maxlen=tail)
        self._count = 0
        self._cond = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    def follow(self, stream: IO[bytes]) -> None:
        self._thread = threading.Thread(
            target=self._pump, args=(stream,), daemon=True, name=f"seamline-log-{self.path.stem}"
        )
        self._thread.start()

    def _pump(self, stream: IO[bytes]) -> None:
        # The pump owns the pipe: it closes it at its end, which may come long after the
        # service's stop when a stranger that left the process group still held it.
        with self.path.open("a", encoding="utf-8", errors="replace") as out, stream:
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                stamp = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
                out.write(f"{stamp} {line}\n")
                out.flush()
                with self._cond:
                    self._lines.append(line)
                    self._count += 1
                    self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def wait_for(self, pattern: re.Pattern[str], timeout: float) -> bool:
        """True once a line (seen so far or later) matches; False on timeout or end of output."""
        deadline = time.monotonic() + timeout
        checked = 0
        with self._cond:
            while True:
                recent = (
                    list(self._lines)[-(self._count - checked) :] if self._count > checked else []
                )
                if any(pattern.search(line) for line in recent):
                    return True
                checked = self._count
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    return False
                self._cond.wait(left)

    def tail(self, n: int = 30) -> str:
        with self._cond:
            return "\n".join(list(self._lines)[-n:])

    def join(self, timeout: float = 2.0) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


class ManagedProcess:
    """One child process in its own process group, with its output pumped to a log."""

    def __init__(
        self,
        service: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        log_path: Path,
        tracker: ProcessTracker,
        user: int | None = None,
        group: int | None = None,
    ) -> None:
        self.service = service
        self.log = LogPump(log_path)
        self.run_id = tracker.run_id
        full_env = {**env, RUN_MARKER: tracker.run_id, SERVICE_MARKER: service}
        self.popen = subprocess.Popen(
            list(argv),
            env=full_env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user,
            group=group,
            extra_groups=[] if user is not None else None,
        )
        tracker.add(service, self.popen.pid)
        assert self.popen.stdout is not None  # stdout=PIPE
        self.log.follow(self.popen.stdout)
        self._stopping = False
        self._death_lock = threading.Lock()
        self._death_noted = False
        self._watcher = threading.Thread(
            target=self._watch, args=(tracker,), daemon=True, name=f"seamline-watch-{service}"
        )
        self._watcher.start()

    def _watch(self, tracker: ProcessTracker) -> None:
        """Wait for the process to end; one that ends on its own is told to the tracker
        (and noted in its log) so the run can name the death and the test it happened in."""
        code = self.popen.wait()
        if self._stopping:
            return
        self.log.join(1.0)
        self._note_death(code, tracker)

    def _note_death(self, code: int, tracker: ProcessTracker | None) -> None:
        """Once per process: its death on its log's timeline; told to `tracker` if given.
        Under a lock, so a `stop()` that finds the process dead already waits for the
        watcher's note (and its report) to be complete, or writes the line itself."""
        with self._death_lock:
            if self._death_noted:
                return
            self._death_noted = True
            with contextlib.suppress(OSError), self.log.path.open("a", encoding="utf-8") as out:
                stamp = datetime.now(UTC).isoformat(timespec="microseconds")
                out.write(f"{stamp.replace('+00:00', 'Z')} [seamline] {self.service} ")
                out.write(f"{describe_exit(code)}\n")
            if tracker is not None and tracker.on_exit is not None:
                tracker.on_exit(self.service, code)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def exit_code(self) -> int | None:
        """The exit code, or None while it runs: `ended()`. Not popen.poll(), which answers
        None while the watcher thread waits on the process, dead or not."""
        return self.ended()

    def ended(self) -> int | None:
        """The exit code once the process has died (seen in /proc at once, before the
        watcher reaps it); None while it runs."""
        if self.popen.returncode is not None:
            return self.popen.returncode
        if alive(self.popen.pid):
            return None
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.popen.wait(1.0)
        return None

    def stop(self, grace: float, term: signal.Signals = signal.SIGTERM) -> int | None:
        """`term` (SIGTERM) to the group, SIGKILL after `grace` seconds; returns the exit code."""
        # Not popen.poll(): while the watcher thread waits on the process, poll() answers None
        # even for a dead one, and a kill followed at once by restart_service lost its death.
        died = self.ended()
        self._stopping = True
        if died is not None:  # it died on its own before this stop: still a death on its log
            self.log.join(1.0)
            self._note_death(died, None)
        else:
            _signal_group(self.popen.pid, term)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(grace)
        _signal_group(self.popen.pid, signal.SIGKILL)  # children that outlived their leader
        try:
            code = self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            code = None
        self.log.join(0.2)
        if self.log.running:
            # Something still holds the output pipe: a descendant that left the group.
            for pid in marked_pids(self.run_id, self.service):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.log.join(2.0)
        return code  # the log pump closes the output pipe when it ends
