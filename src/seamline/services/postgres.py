"""`kind = "postgres"`: a real PostgreSQL server, started from a cached cluster.

The first start ever runs initdb and applies the schema and SQL seed into a
template database; both are cached (see pgcluster.py). Every later start copies
the cached cluster into the run dir and starts `postgres` on a free port, with
durability turned off (fsync, synchronous_commit, full_page_writes): test data
never needs to survive a crash, and writes are much faster without it.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import time
from pathlib import Path

import psycopg

from seamline.config.model import PostgresSpec
from seamline.errors import StartError
from seamline.runtime.ports import LOOPBACK, free_port
from seamline.runtime.procs import ManagedProcess
from seamline.runtime.readiness import Cancelled
from seamline.services import buildcache, pgcluster
from seamline.services.base import Render, RunContext, Service, ensure_port_free
from seamline.services.pgbin import PgInstall, RunAs, find_postgres, run_as, unreachable_parent
from seamline.services.seeding import is_callable_seed, run_callable_seed, sql_error_location

READY_LINE = "database system is ready to accept connections"
FAST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "dynamic_shared_memory_type": "mmap",
    "max_connections": "200",
}


class PostgresService(Service[PostgresSpec]):
    kind = "postgres"

    def __init__(self, name: str, spec: PostgresSpec, ctx: RunContext) -> None:
        super().__init__(name, spec, ctx)
        self.port = 0
        self.install: PgInstall | None = None
        self.process: ManagedProcess | None = None

    @property
    def template_database(self) -> str:
        return f"{self.spec.database}_template"

    def allocate(self) -> None:
        self.port = self.spec.port or free_port()

    def attributes(self) -> dict[str, str]:
        s = self.spec
        return {
            "url": f"postgresql+psycopg://{s.user}@{LOOPBACK}:{self.port}/{s.database}",
            "dsn": f"postgresql://{s.user}@{LOOPBACK}:{self.port}/{s.database}",
            "host": LOOPBACK,
            "port": str(self.port),
            "user": s.user,
            "password": "",
            "database": s.database,
            "name": self.name,
        }

    def dsn(self, database: str | None = None) -> str:
        return (
            f"postgresql://{self.spec.user}@{LOOPBACK}:{self.port}/{database or self.spec.database}"
        )

    def start(self, render: Render) -> None:
        if self.spec.port:
            ensure_port_free(self.name, self.port)
        self.install = find_postgres(self.spec.bindir, self.spec.version, self.name)
        runas = run_as()
        data = self.ctx.dirs.service_dir(self.name) / "data"
        blocked = unreachable_parent(data, runas) if runas.user else None
        if blocked is not None:
            raise StartError(
                self.name,
                f"PostgreSQL refuses to run as root, so it runs as user "
                f"{runas.user!r}, who cannot enter {blocked}. Set SEAMLINE_RUN_ROOT "
                "(or run_root in the config) to a directory every user can "
                "traverse, such as /dev/shm/seamline or /tmp/seamline",
            )
        if not data.exists():  # a restart (start_service) keeps the data it had
            cluster = self._cached_cluster(self.install, runas)
            buildcache.copy_tree(cluster, data, self.ctx.tracker)
        self.process = self._launch(data, self.port, self.name)

    def wait_ready(self, timeout: float) -> None:
        if self.process is None:
            raise StartError(self.name, "wait_ready() before start()")
        self._wait(self.process, self.port, timeout)
        if self.spec.seed is not None and is_callable_seed(self.spec.seed):
            self._apply_callable_seed()

    def stop(self) -> None:
        if self.process is not None:
            # SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to leave.
            postmaster = self.process.pid
            self.process.stop(10.0, term=signal.SIGINT)
            self.process = None
            remove_orphan_shared_memory(postmaster)

    def version(self) -> str | None:
        return f"PostgreSQL {self.install.version}" if self.install else None

    def describe(self) -> str:
        if self.install is None:
            return "PostgreSQL"
        return f"PostgreSQL {self.install.version} ({self.install.source})"

    # -- internals ---------------------------------------------------------

    def _launch(self, data: Path, port: int, label: str) -> ManagedProcess:
        assert self.install is not None
        runas = run_as()
        settings = {**FAST_SETTINGS, **{k: _setting(v) for k, v in self.spec.settings.items()}}
        if runas.user:  # the server writes its socket and lock file next to its data dir
            os.chown(data.parent, runas.uid, runas.gid)
        argv = [
            self.install.tool("postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-h",
            LOOPBACK,
            "-k",
            str(data.parent),
        ]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        try:
            return ManagedProcess(
                label,
                argv,
                env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
                cwd=data.parent,
                log_path=self.ctx.log_path(label),
                tracker=self.ctx.tracker,
                user=runas.uid if runas.user else None,
                group=runas.gid if runas.user else None,
            )
        except OSError as err:
            raise StartError(self.name, f"could not run {argv[0]}: {err}") from None

    def _wait(self, process: ManagedProcess, port: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        ready = re.compile(READY_LINE)
        while not process.log.wait_for(ready, min(0.2, max(0.0, deadline - time.monotonic()))):
            if self.ctx.cancelled.is_set():
                raise Cancelled()
            if process.exit_code() is not None or time.monotonic() >= deadline:
                process.log.join(1.0)
                reason = (
                    "the server exited"
                    if process.exit_code() is not None
                    else f"not ready after {timeout:g} s"
                )
                raise StartError(
                    self.name,
                    reason,
                    exit_code=process.exit_code(),
                    log_path=process.log.path,
                    log_tail=process.log.tail(30),
                )
        with psycopg.connect(self._dsn_at(port, "postgres"), connect_timeout=5):
            pass

    def _dsn_at(self, port: int, database: str) -> str:
        return f"postgresql://{self.spec.user}@{LOOPBACK}:{port}/{database}"

    def _cached_cluster(self, install: PgInstall, runas: RunAs) -> Path:
        run, tracker = self.ctx.dirs, self.ctx.tracker
        base = pgcluster.cached(
            pgcluster.base_key(install, runas, self.spec.user),
            run,
            tracker,
            lambda data: pgcluster.initdb(install, runas, self.spec.user, data, self.name, tracker),
        )
        schema = self.ctx.config.resolve(self.spec.schema_) if self.spec.schema_ else None
        seed = self._seed_file()
        key = pgcluster.digest(
            base.name,
            self.spec.database,
            pgcluster.file_digest(schema),
            pgcluster.file_digest(seed),
        )
        return pgcluster.cached(
            key, run, tracker, lambda data: self._build_layer(base, data, schema, seed)
        )

    def _seed_file(self) -> Path | None:
        seed = self.spec.seed
        if seed is None or is_callable_seed(seed):
            return None
        return self.ctx.config.resolve(seed)

    def _build_layer(self, base: Path, data: Path, schema: Path | None, seed: Path | None) -> None:
        buildcache.copy_tree(base, data, self.ctx.tracker)
        port = free_port()
        server = self._launch(data, port, f"{self.name}.build")
        try:
            self._wait(server, port, 60.0)
            with psycopg.connect(self._dsn_at(port, "postgres"), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.template_database}"')
            with psycopg.connect(
                self._dsn_at(port, self.template_database), autocommit=True
            ) as conn:
                for path in (schema, seed):
                    if path is not None:
                        self._run_sql_file(conn, path)
            with psycopg.connect(self._dsn_at(port, "postgres"), autocommit=True) as conn:
                conn.execute(
                    f'CREATE DATABASE "{self.spec.database}" TEMPLATE "{self.template_database}"'
                )
        finally:
            server.stop(30.0, term=signal.SIGINT)

    def _run_sql_file(self, conn: psycopg.Connection[tuple[object, ...]], path: Path) -> None:
        sql = path.read_text(encoding="utf-8")
        try:
            conn.execute(sql.encode())
        except psycopg.Error as err:
            where = sql_error_location(sql, err)
            raise StartError(
                self.name,
                f"{path}{where}: {str(err).strip()}\n  fix the SQL in "
                f"{path.name}; it is applied to the template database",
            ) from None

    def _apply_callable_seed(self) -> None:
        template, database = self.template_database, self.spec.database
        run_callable_seed(
            self.ctx.config,
            str(self.spec.seed),
            self.attributes()["url"].replace(f"/{database}", f"/{template}"),
            self.name,
        )
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')


def _setting(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


SHM_TABLE = Path("/proc/sysvipc/shm")
IPC_RMID = 0


def remove_orphan_shared_memory(postmaster: int) -> list[int]:
    """Remove the System V shared memory segment a postmaster made, once nothing is attached.

    A postmaster removes it when it shuts down; one killed (SIGKILL, the OOM killer, a chaos
    test) leaves it for good, 56 bytes and a slot of the system's segment table per kill
    (seen: four left on this machine in a day). Returns the ids removed.
    """
    try:
        rows = SHM_TABLE.read_text().splitlines()[1:]
    except OSError:  # not Linux, or no /proc: nothing to look at
        return []
    removed = []
    libc = ctypes.CDLL(None, use_errno=True)
    for row in rows:
        fields = row.split()
        shmid, creator, attached = int(fields[1]), int(fields[4]), int(fields[6])
        if creator == postmaster and attached == 0 and libc.shmctl(shmid, IPC_RMID, None) == 0:
            removed.append(shmid)
    return removed
