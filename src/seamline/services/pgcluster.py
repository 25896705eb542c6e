"""Cached PostgreSQL clusters, so a warm start copies files instead of running initdb.

Two layers, each built once and reused by every later start:

* base: `initdb` output, keyed by the server version, the install and the options;
* schema: the base plus the template database (schema and SQL seed applied) and
  the test database cloned from it, keyed by the base and the files' contents.

Builds go through `buildcache`: in the run dir, copied into place under a lock, owned by
the run so that a killed build leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from seamline.errors import StartError
from seamline.runtime.procs import ProcessTracker, run_tracked
from seamline.runtime.rundir import RunDirs
from seamline.services import buildcache
from seamline.services.pgbin import PgInstall, RunAs

CACHE_FORMAT = 1
INITDB_OPTIONS = ("-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--wal-segsize=1")


def digest(*parts: object) -> str:
    text = json.dumps([str(p) for p in parts])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def file_digest(path: Path | None) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path else "-"


def cached(key: str, run: RunDirs, tracker: ProcessTracker, build: Callable[[Path], None]) -> Path:
    """The cluster `key`, built by `build(data_dir)` in the run dir the first time."""
    return buildcache.cached(
        "postgres", key, run, tracker, build, complete=lambda e: (e / "PG_VERSION").is_file()
    )


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
