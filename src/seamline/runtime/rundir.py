"""Where a run lives on disk.

* the run dir (`{run_dir}`): ephemeral data of the services (database
  clusters, sockets, files) under the run root in the temp dir. Always removed:
  at stop, by the watchdog if the runner is killed, or by the janitor at the
  next start if even the watchdog was killed.
  Scratch space the run needs elsewhere (a cache entry being built) is
  claimed in the run dir first and removed with it, so whether a leftover
  is stale is decided by its owner's pid and start time, never by its name.
* the record dir: what a person needs afterwards (service logs, the seam
  journal, test events) under `.seamline/runs/` next to the config. Kept so a
  failed or killed run can still be read and reported; old ones are pruned.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from seamline.errors import RecordsError
from seamline.records.layout import LOGS, session_of
from seamline.runtime.procs import alive, kill_run, proc_start_time, read_pids

if TYPE_CHECKING:
    from seamline.config import SystemConfig

SHM = Path("/dev/shm")


def default_run_root() -> Path:
    """`$SEAMLINE_RUN_ROOT`, else a tmpfs (/dev/shm) when there is one, else the temp dir.

    Service data is thrown away after every run, so memory is the right place
    for it: copying a database cluster there is ten times faster than to disk.
    """
    configured = os.environ.get("SEAMLINE_RUN_ROOT")
    if configured:
        return Path(configured)
    if SHM.is_dir() and os.access(SHM, os.W_OK) and _free_bytes(SHM) > 512 * 2**20:
        return SHM / f"seamline-{os.getuid()}"
    return Path(tempfile.gettempdir()) / f"seamline-{os.getuid()}"


def _free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


@dataclass(frozen=True)
class RunDirs:
    run_id: str
    run_dir: Path
    record_dir: Path

    @property
    def logs(self) -> Path:
        return self.record_dir / LOGS

    def service_dir(self, service: str) -> Path:
        path = self.run_dir / "services" / service
        path.mkdir(parents=True, exist_ok=True)
        return path


def create_run(run_root: Path, record_root: Path, worker: str | None = None) -> RunDirs:
    """Fresh run and record dirs, with an owner file naming this process."""
    run_root.mkdir(parents=True, exist_ok=True)
    # Servers that refuse to run as root (PostgreSQL) run as another user and
    # must be able to reach their data dir below the run root.
    run_root.chmod(0o755)
    base = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}" + (f"-{worker}" if worker else "")
    for attempt in itertools.count(1):
        run_id = base if attempt == 1 else f"{base}-{attempt}"
        run_dir = run_root / run_id
        try:
            run_dir.mkdir(mode=0o755)
            break
        except FileExistsError:  # a second System of this process within the same second
            continue
    owner = {"pid": os.getpid(), "start_time": proc_start_time(os.getpid()), "run_id": run_id}
    (run_dir / "owner.json").write_text(json.dumps(owner))
    record_dir = record_root / run_id
    try:
        (record_dir / LOGS).mkdir(parents=True, exist_ok=True)
    except OSError as err:  # read-only, full, not allowed: said before anything starts
        remove_run_dir(run_dir)
        raise RecordsError(record_dir, err) from None
    return RunDirs(run_id, run_dir, record_dir)


CLAIMS = "claims"


def claim(run_dir: Path, path: Path) -> None:
    """Record that this run owns `path` outside its run dir (a cache entry being
    built), before creating it: whoever removes the run dir removes it too."""
    with (run_dir / CLAIMS).open("a", encoding="utf-8") as out:
        out.write(f"{path}\n")
        out.flush()


def remove_run_dir(run_dir: Path) -> None:
    """Remove a run dir and every path the run claimed outside it."""
    try:
        claimed = (run_dir / CLAIMS).read_text(encoding="utf-8").splitlines()
    except OSError:
        claimed = []
    for path in claimed:
        if path:
            shutil.rmtree(path, ignore_errors=True)
    shutil.rmtree(run_dir, ignore_errors=True)


def reap_stale_runs(run_root: Path) -> list[str]:
    """The janitor: stop and remove runs whose owner process is gone. Returns their ids."""
    reaped: list[str] = []
    if not run_root.is_dir():
        return reaped
    for run_dir in run_root.iterdir():
        if not run_dir.is_dir():
            continue
        try:
            owner = json.loads((run_dir / "owner.json").read_text())
        except (OSError, ValueError):
            if time.time() - run_dir.stat().st_mtime < 60:
                continue  # being created right now by another runner
            owner = {"pid": 0, "start_time": None, "run_id": run_dir.name}
        if owner["pid"] and alive(owner["pid"], owner.get("start_time")):
            continue
        kill_run(str(owner.get("run_id", run_dir.name)), read_pids(run_dir / "pids"))
        remove_run_dir(run_dir)
        reaped.append(run_dir.name)
    return reaped


def prune_records(record_root: Path, keep: int) -> None:
    """Keep the record dirs of the newest `keep` sessions (a session's xdist workers each
    leave one; names start with the time, so they sort by age)."""
    if not record_root.is_dir():
        return
    records = sorted((p for p in record_root.iterdir() if p.is_dir()), key=lambda p: p.name)
    sessions: dict[str, list[Path]] = {}
    for record in records:
        sessions.setdefault(session_of(record) or record.name, []).append(record)
    for old in list(sessions.values())[: max(0, len(sessions) - keep)]:
        for record in old:
            shutil.rmtree(record, ignore_errors=True)


def default_record_root(config: SystemConfig) -> Path:
    """Where a run's records go: $SEAMLINE_RECORD_ROOT, else .seamline/runs beside the config
    (when it is writable)."""
    configured = os.environ.get("SEAMLINE_RECORD_ROOT")
    if configured:
        return Path(configured)
    root = config.base_dir / ".seamline" / "runs"
    return root if os.access(config.base_dir, os.W_OK) else default_run_root() / "records"
