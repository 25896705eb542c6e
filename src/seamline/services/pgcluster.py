"""Cached PostgreSQL clusters, so a warm start copies files instead of running initdb.

Two layers, each built once and reused by every later start:

* base: `initdb` output, keyed by the server version, the install and the options;
* schema: the base plus the template database (schema and SQL seed applied) and
  the test database cloned from it, keyed by the base and the files' contents.

A build happens in the run dir (reachable by the unprivileged user the server
runs as), is copied next to the cache entry and renamed into place under a file
lock, so parallel test workers build it once. Every step is owned by the run:
its processes are tracked and the copy is claimed in the run dir, so a runner
killed mid-build leaves nothing behind (the watchdog or the next janitor
removes it with the run dir).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from seamline.errors import StartError
from seamline.runtime import rundir
from seamline.runtime.procs import ProcessTracker, run_tracked
from seamline.runtime.rundir import RunDirs
from seamline.services.pgbin import PgInstall, RunAs

CACHE_FORMAT = 1
INITDB_OPTIONS = ("-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--wal-segsize=1")


def cache_root() -> Path:
    configured = os.environ.get("SEAMLINE_CACHE_DIR")
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "seamline"


def digest(*parts: object) -> str:
    text = json.dumps([str(p) for p in parts])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def file_digest(path: Path | None) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path else "-"


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def cached(key: str, run: RunDirs, tracker: ProcessTracker, build: Callable[[Path], None]) -> Path:
    """The cache entry `key`, built by `build(data_dir)` in the run dir the first time."""
    root = cache_root() / "postgres"
    entry = root / key
    if (entry / "PG_VERSION").is_file():
        return entry
    with _locked(root / f"{key}.lock"):
        if (entry / "PG_VERSION").is_file():
            return entry
        work = run.run_dir / f"build-{key}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True, mode=0o755)
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
    """`cp -a`: keeps owners and modes (the server checks both), reflinks where possible."""
    done = run_tracked("cp", ["cp", "-a", "--reflink=auto", str(source), str(target)], tracker)
    if done.returncode != 0:
        raise OSError(f"copying {source} to {target} failed: {done.stderr.strip()}")


def initdb(
    install: PgInstall,
    runas: RunAs,
    superuser: str,
    data: Path,
    service: str,
    tracker: ProcessTracker,
) -> None:
    data.parent.mkdir(parents=True, exist_ok=True)
    os.chown(data.parent, runas.uid, runas.gid)
    argv = [install.tool("initdb"), "-D", str(data), "-U", superuser, *INITDB_OPTIONS]
    done = run_tracked(
        f"{service}.initdb",
        argv,
        tracker,
        user=runas.uid if runas.user else None,
        group=runas.gid if runas.user else None,
        cwd=data.parent,
    )
    if done.returncode != 0:
        raise StartError(
            service,
            "initdb failed",
            exit_code=done.returncode,
            log_tail="\n".join((done.stdout + done.stderr).splitlines()[-30:]),
        )


def base_key(install: PgInstall, runas: RunAs, superuser: str) -> str:
    return digest(
        CACHE_FORMAT, install.bindir, install.version, runas.uid, superuser, INITDB_OPTIONS
    )
