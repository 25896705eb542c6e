"""Cached PostgreSQL clusters, so a warm start copies files instead of running initdb.

Two layers, each built once and reused by every later start:

* base: `initdb` output, keyed by the server version, the install and the options;
* schema: the base plus the template database (schema and SQL seed applied) and
  the test database cloned from it, keyed by the base and the files' contents.

A build happens in a scratch dir under the run root (reachable by the
unprivileged user the server runs as) and is renamed into the cache under a
file lock, so parallel test workers build it once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from seamline.errors import StartError
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


def cached(key: str, scratch: Path, build: Callable[[Path], None]) -> Path:
    """The cache entry `key`, built by `build(data_dir)` into scratch the first time."""
    root = cache_root() / "postgres"
    entry = root / key
    if (entry / "PG_VERSION").is_file():
        return entry
    with _locked(root / f"{key}.lock"):
        if (entry / "PG_VERSION").is_file():
            return entry
        work = scratch / f"build-{key}-{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True, mode=0o755)
        try:
            build(work / "data")
            tmp = root / f"{key}.tmp-{os.getpid()}"
            shutil.rmtree(tmp, ignore_errors=True)
            copy_tree(work / "data", tmp)
            tmp.rename(entry)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return entry


def copy_tree(source: Path, target: Path) -> None:
    """`cp -a`: keeps owners and modes (the server checks both), reflinks where possible."""
    done = subprocess.run(
        ["cp", "-a", "--reflink=auto", str(source), str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise OSError(f"copying {source} to {target} failed: {done.stderr.strip()}")


def initdb(install: PgInstall, runas: RunAs, superuser: str, data: Path, service: str) -> None:
    data.parent.mkdir(parents=True, exist_ok=True)
    os.chown(data.parent, runas.uid, runas.gid)
    argv = [install.tool("initdb"), "-D", str(data), "-U", superuser, *INITDB_OPTIONS]
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        check=False,
        user=runas.uid,
        group=runas.gid,
        extra_groups=[] if runas.user else None,
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
