"""The cache of built data dirs (PostgreSQL clusters, RabbitMQ nodes): built once, copied after.

A build happens in the run dir, is copied next to the cache entry and renamed into place
under a file lock, so parallel test workers build it once. Every step is owned by the run:
its processes are tracked and the copy into the cache is claimed in the run dir before it
exists, so a runner killed mid-build leaves nothing behind (the watchdog or the next
janitor removes it with the run dir).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from seamline.runtime import rundir
from seamline.runtime.procs import ProcessTracker, run_tracked
from seamline.runtime.rundir import RunDirs


def cache_root() -> Path:
    configured = os.environ.get("SEAMLINE_CACHE_DIR")
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "seamline"


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def cached(
    kind: str,
    key: str,
    run: RunDirs,
    tracker: ProcessTracker,
    build: Callable[[Path], None],
    *,
    complete: Callable[[Path], bool] = Path.is_dir,
) -> Path:
    """The cache entry `<cache>/<kind>/<key>`, built by `build(dir)` in the run dir the first
    time; `complete(entry)` says whether an entry is whole."""
    root = cache_root() / kind
    entry = root / key
    if complete(entry):
        return entry
    with _locked(root / f"{key}.lock"):
        if complete(entry):
            return entry
        work = run.run_dir / f"build-{kind}-{key}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True, mode=0o755)  # the server may run as another user
        try:
            build(work / "data")
            # The copy into the cache is claimed by the run before it exists: a runner
            # killed while copying leaves it to the watchdog or the janitor.
            tmp = root / f"{key}.tmp-{run.run_id}"
            rundir.claim(run.run_dir, tmp)
            shutil.rmtree(tmp, ignore_errors=True)
            copy_tree(work / "data", tmp, tracker)
            tmp.rename(entry)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return entry


def copy_tree(source: Path, target: Path, tracker: ProcessTracker) -> None:
    """`cp -a`: keeps owners and modes (servers check both), reflinks where possible."""
    done = run_tracked("cp", ["cp", "-a", "--reflink=auto", str(source), str(target)], tracker)
    if done.returncode != 0:
        raise OSError(f"copying {source} to {target} failed: {done.stderr.strip()}")
