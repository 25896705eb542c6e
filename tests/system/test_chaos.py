"""Chaos test of seamline itself: the runner is killed (SIGKILL) or told to stop (SIGTERM) at
each phase of a run, as `seamline up`, `seamline test` and `pytest -n 2`.

After each: no process of the run, no run dir, no cache build dir, no shared memory segment of
its PostgreSQL; the cache holds only complete entries; the next run's janitor finds nothing to
reap; and the records written so far are readable (every line parses, the report builds).

Phases are recognised from outside, on what the run writes: its pids file names each process
as it starts (`db.initdb`, `db.build`, then the services), a service whose probe waits on a
file that the test has not created yet is "waiting for readiness", and the inner tests and
conftest write marker files when they are mid-test or at the end of the session.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from seamline.report import build
from seamline.runtime import rundir
from seamline.runtime.procs import marked_pids, read_pids
from seamline.system.core import System
from tests.conftest import APP

CONFIG = f"""
name = "chaos"
[services.db]
kind = "postgres"
schema = "schema.sql"
[services.api]
command = "{APP} --port {{self.port}}"
ready = "http GET /health"
env = {{ DB = "{{db.url}}" }}
[services.gate]
command = "{APP} --port {{self.port}}"
ready = "command test -e GATE"
ready_timeout = 120
"""

INNER_TESTS = """
import os, time
from pathlib import Path

def block(system, n):
    system.client("api").get("/health")  # an exchange in the journal, a line in tests.jsonl
    here = Path(os.environ["CHAOS_DIR"])
    if os.environ["CHAOS_PHASE"] != "mid-test":
        return
    (here / f"in-test-{n}").write_text("")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until the runner is killed
        time.sleep(0.05)

def test_one(system):
    block(system, 1)

def test_two(system):
    block(system, 2)
"""

INNER_CONFTEST = """
import os, time
from pathlib import Path
import pytest

@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    # the end of the session: before the system stops and the report is written. Only in the
    # process that writes the report: not in an xdist worker. Asked of the config, not of
    # PYTEST_XDIST_WORKER, which this run inherits when the outer suite runs under xdist.
    if os.environ["CHAOS_PHASE"] != "report" or hasattr(session.config, "workerinput"):
        return
    (Path(os.environ["CHAOS_DIR"]) / "finishing").write_text("")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.05)
"""

COLD_PHASES = ("initdb", "schema-build")  # need a cache that has never been filled


def wait_until(condition: Callable[[], object], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


@dataclass
class Case:
    root: Path
    run_root: Path
    cache: Path
    phase: str
    run_ids: set[str] = field(default_factory=set)
    pids: set[int] = field(default_factory=set)

    @property
    def gate(self) -> Path:
        return self.root / "gate-open"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SEAMLINE_RUN_ROOT": str(self.run_root),
            "SEAMLINE_CACHE_DIR": str(self.cache),
            "CHAOS_DIR": str(self.root),
            "CHAOS_PHASE": self.phase,
            "CI": "1",  # plain output
        }

    def labels(self) -> set[str]:
        """Every process label in every pids file so far; remembers run ids and pids."""
        found = set()
        for pids in self.run_root.glob("*/pids"):
            self.run_ids.add(pids.parent.name)
            for tracked in read_pids(pids):
                found.add(tracked.service)
                self.pids.add(tracked.pid)
        return found


@pytest.fixture(scope="module")
def warm_cache() -> Iterator[Path]:
    """One cache filled once (initdb + schema layer), for every phase after them."""
    cache = Path(tempfile.mkdtemp(prefix="seamline-chaos-cache-"))
    project = Path(tempfile.mkdtemp(prefix="seamline-chaos-warm-"))
    runs = Path(tempfile.mkdtemp(prefix="seamline-chaos-", dir=rundir.default_run_root().parent))
    runs.chmod(0o755)  # PostgreSQL, run as another user when the tests run as root, must enter it
    write_project(project, gate_open=True)
    before = os.environ.get("SEAMLINE_CACHE_DIR")
    os.environ["SEAMLINE_CACHE_DIR"] = str(cache)
    try:
        System.from_config(project / "seamline.toml", run_root=runs).start().stop()
    finally:
        if before is None:
            del os.environ["SEAMLINE_CACHE_DIR"]
        else:
            os.environ["SEAMLINE_CACHE_DIR"] = before
    yield cache
    subprocess.run(["rm", "-rf", str(cache), str(project), str(runs)], check=False)


def write_project(root: Path, gate_open: bool) -> None:
    gate = root / "gate-open"
    (root / "seamline.toml").write_text(CONFIG.replace("GATE", str(gate)))
    (root / "schema.sql").write_text("CREATE TABLE orders (id serial PRIMARY KEY, note text);\n")
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "test_inner.py").write_text(INNER_TESTS)
    (root / "tests" / "conftest.py").write_text(INNER_CONFTEST)
    if gate_open:
        gate.write_text("")


# hypothesis' pytest plugin takes a second to import, and these runs do not use it
QUIET_PLUGINS = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider", "-p", "no:randomly")
RUNNERS = {
    "up": lambda case: [sys.executable, "-m", "seamline", "up", str(case.root)],
    "test": lambda case: [
        *(sys.executable, "-m", "seamline", "test", str(case.root)),
        *("--report-dir", str(case.root / "report"), "--", *QUIET_PLUGINS, "-p", "no:xdist"),
    ],
    "pytest-n2": lambda case: [
        *(sys.executable, "-m", "pytest", "-n", "2", str(case.root / "tests")),
        *(f"--seamline-config={case.root}", f"--seamline-report={case.root / 'report'}"),
        *QUIET_PLUGINS,
    ],
}


def reached(case: Case, runner: str) -> Callable[[], bool]:
    """The condition that says the run is in `case.phase`."""
    workers = 2 if runner == "pytest-n2" else 1
    phase = case.phase
    if phase == "config-load":
        return lambda: True  # at once: Python starting, seamline importing and loading its config
    if phase == "initdb":
        return lambda: "db.initdb" in case.labels()
    if phase == "schema-build":
        return lambda: "db.build" in case.labels()
    if phase == "service-start":
        return lambda: "db" in case.labels()
    if phase == "readiness-wait":
        return lambda: "gate" in case.labels() and len(case.run_ids) == workers
    if phase == "mid-test":
        return lambda: bool(case.labels()) and len(list(case.root.glob("in-test-*"))) == workers
    if phase == "report":  # under xdist the workers' systems may have stopped by then
        return lambda: case.labels() is not None and (case.root / "finishing").exists()
    if phase == "up":
        return lambda: bool(case.labels()) and "gate" in case.labels() and up_is_ready(case)
    raise AssertionError(phase)


def up_is_ready(case: Case) -> bool:
    return any(
        "run.json" in {p.name for p in record.iterdir()}
        for record in (case.root / ".seamline" / "runs").glob("*")
    )


PHASES = {
    "up": ["config-load", *COLD_PHASES, "service-start", "readiness-wait", "up"],
    "test": ["config-load", *COLD_PHASES, "service-start", "readiness-wait", "mid-test", "report"],
    "pytest-n2": [
        "config-load",
        *COLD_PHASES,
        "service-start",
        "readiness-wait",
        "mid-test",
        "report",
    ],
}
# xdist's controller runs no System and leaves SIGTERM to its default action, so SIGTERM kills
# it exactly as SIGKILL does: one signal is enough there (its workers are what is tested).
SIGNALS = {"up": (signal.SIGKILL, signal.SIGTERM), "test": (signal.SIGKILL, signal.SIGTERM)}
CASES = [
    (runner, phase, sig)
    for runner, phases in PHASES.items()
    for phase in phases
    for sig in SIGNALS.get(runner, (signal.SIGKILL,))
]


@pytest.mark.parametrize(
    ("runner", "phase", "sig"),
    CASES,
    ids=[f"{r}-{p}-{s.name}" for r, p, s in CASES],
)
def test_a_runner_stopped_at_any_phase_leaves_nothing_behind(
    runner, phase, sig, warm_cache, run_root, tmp_path
):
    cold = phase in COLD_PHASES
    case = Case(tmp_path, run_root, tmp_path / "cache" if cold else warm_cache, phase)
    write_project(
        tmp_path, gate_open=phase not in ("readiness-wait", *COLD_PHASES, "service-start")
    )
    proc = subprocess.Popen(
        RUNNERS[runner](case),
        env=case.env(),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_until(reached(case, runner), 90), f"never reached {phase}: {case.labels()}"
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        case.labels()
        proc.send_signal(sig)
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:  # unread when it went as planned (warnings are errors)
            proc.stderr.close()
    assert_nothing_left(case)
    assert_records_readable(tmp_path)


def assert_nothing_left(case: Case) -> None:
    def left() -> list[int]:
        return [pid for run_id in case.run_ids for pid in marked_pids(run_id)]

    assert wait_until(lambda: not left(), 30), f"left behind: {left()}"
    assert wait_until(lambda: not any(case.run_root.iterdir()), 30), list(case.run_root.iterdir())

    def watchdogs() -> list[tuple[int, str]]:
        return [p for p in watchdog_pids() if any(r in p[1] for r in case.run_ids)]

    assert wait_until(lambda: not watchdogs(), 10), watchdogs()
    leftovers = [p for p in (case.cache / "postgres").glob("*") if p.is_dir()]
    assert all((p / "PG_VERSION").is_file() for p in leftovers), leftovers
    segments = [s for s in shared_memory() if s[1] in case.pids]
    assert not segments, f"shared memory of the run's PostgreSQL left: {segments}"
    assert rundir.reap_stale_runs(case.run_root) == []


def watchdog_pids() -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "seamline.runtime.watchdog" in cmdline:
                found.append((int(entry.name), cmdline))
    return found


def shared_memory() -> list[tuple[int, int]]:
    """(shmid, creator pid) of every System V shared memory segment."""
    rows = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    return [(int(row.split()[1]), int(row.split()[4])) for row in rows]


def assert_records_readable(root: Path) -> None:
    runs = root / ".seamline" / "runs"
    records = sorted(runs.iterdir()) if runs.is_dir() else []
    for record in records:
        for lines in record.glob("*.jsonl"):
            for line in lines.read_text().splitlines():
                json.loads(line)
        run = record / "run.json"
        if run.exists():
            json.loads(run.read_text())
    with_run = [r for r in records if (r / "run.json").exists()]
    if with_run:
        assert build(with_run, root / "rebuilt").html.is_file()
