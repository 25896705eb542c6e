"""Start-up figures of the core (issue 2), side by side with pytest-postgresql.

Run by hand through ./run.sh (it installs the peer and drops root privileges,
since pytest-postgresql runs PostgreSQL as the calling user and PostgreSQL refuses root).

  * PostgreSQL cold start (first ever: initdb + schema) and warm start (cached cluster),
    to the first successful connection; median of N.
  * pytest-postgresql's start of the same server binaries (initdb + pg_ctl start -w,
    what its `postgresql_proc` fixture does every session), to the first connection.
  * a 4-service system (postgres + 3 processes) warm start to all-ready.
  * peak RSS of the seamline process while it starts and runs that system.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from seamline.runtime.ports import free_port
from seamline.services.pgbin import find_postgres
from seamline.system.core import System

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
APP = f"{sys.executable} {ROOT / 'tests' / 'apps' / 'app.py'}"
RUNS = int(os.environ.get("BENCH_RUNS", "10"))
SCRATCH = Path(tempfile.mkdtemp(prefix="seamline-bench-", dir="/dev/shm"))
SCRATCH.chmod(0o777)

PG_ONLY = """
[services.db]
kind = "postgres"
schema = "schema.sql"
"""
FOUR = (
    PG_ONLY
    + f"""
[services.a]
command = "{APP} --port {{self.port}}"
ready = "http GET /health"
env = {{ DB = "{{db.url}}" }}
[services.b]
command = "{APP} --port {{self.port}}"
ready = "http GET /health"
env = {{ A = "{{a.url}}" }}
[services.c]
command = "{APP} --port {{self.port}}"
ready = "http GET /health"
"""
)
SCHEMA = "CREATE TABLE t (id serial primary key, name text);\n"


def write_system(name: str, text: str) -> Path:
    directory = SCRATCH / name
    directory.mkdir()
    (directory / "seamline.toml").write_text(text)
    (directory / "schema.sql").write_text(SCHEMA)
    return directory


def seamline_start(directory: Path) -> float:
    """Seconds from System.start() to a successful query on the test database."""
    system = System.from_config(directory, run_root=SCRATCH / "runs", record_root=SCRATCH / "rec")
    began = time.perf_counter()
    system.start()
    with psycopg.connect(system.service("db").attributes()["dsn"]) as conn:
        conn.execute("SELECT 1")
    elapsed = time.perf_counter() - began
    system.stop()
    return elapsed


def seamline_cold(directory: Path) -> float:
    cache = SCRATCH / f"cache-{time.monotonic_ns()}"
    os.environ["SEAMLINE_CACHE_DIR"] = str(cache)
    try:
        return seamline_start(directory)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        os.environ["SEAMLINE_CACHE_DIR"] = str(SCRATCH / "cache")


def system_start(directory: Path) -> float:
    system = System.from_config(directory, run_root=SCRATCH / "runs", record_root=SCRATCH / "rec")
    began = time.perf_counter()
    system.start()
    elapsed = time.perf_counter() - began
    system.stop()
    return elapsed


def pg_ctl_for_peer() -> str:
    """pg_ctl itself, or as root a wrapper running it as `postgres` (the server refuses root)."""
    pg_ctl = find_postgres().tool("pg_ctl")
    if os.geteuid() != 0:
        return pg_ctl
    wrapper = SCRATCH / "pg_ctl"
    wrapper.write_text(
        f'#!/bin/sh\nexec setpriv --reuid=postgres --regid=postgres --init-groups {pg_ctl} "$@"\n'
    )
    wrapper.chmod(0o755)
    return str(wrapper)


def pytest_postgresql_start() -> float:
    from pytest_postgresql.executors import PostgreSQLExecutor

    port = free_port()
    data = SCRATCH / f"ppg-{port}"
    executor = PostgreSQLExecutor(
        executable=pg_ctl_for_peer(),
        host="127.0.0.1",
        port=port,
        datadir=str(data / "data"),
        unixsocketdir=str(SCRATCH),
        logfile=str(data / "log"),
        startparams="-w",
        dbname="app",
        user="postgres",
    )
    data.mkdir(mode=0o777)
    data.chmod(0o777)  # pg_ctl (as postgres) writes the data dir and log here
    began = time.perf_counter()
    executor.start()
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres") as conn:
        conn.execute("SELECT 1")
    elapsed = time.perf_counter() - began
    executor.stop()
    shutil.rmtree(data, ignore_errors=True)
    return elapsed


def peak_rss_mb(directory: Path) -> float:
    """ru_maxrss of a fresh process that starts the system, holds it for 2 s, stops it."""
    code = (
        "import resource, sys, time\n"
        "from pathlib import Path\n"
        "from seamline.system.core import System\n"
        f"s = System.from_config({str(directory)!r}, run_root=Path({str(SCRATCH / 'runs')!r}), "
        f"record_root=Path({str(SCRATCH / 'rec')!r}))\n"
        "s.start(); time.sleep(2); s.stop()\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def main() -> None:
    os.environ["SEAMLINE_CACHE_DIR"] = str(SCRATCH / "cache")
    pg_dir, four_dir = write_system("pg", PG_ONLY), write_system("four", FOUR)
    install = find_postgres()
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}",
        "python": platform.python_version(),
        "postgres": f"{install.version} ({install.bindir})",
        "runs": RUNS,
    }
    results["seamline_cold_ms"] = median_ms([seamline_cold(pg_dir) for _ in range(RUNS)])
    seamline_start(pg_dir)  # fill the cache
    results["seamline_warm_ms"] = median_ms([seamline_start(pg_dir) for _ in range(RUNS)])
    results["pytest_postgresql_ms"] = median_ms([pytest_postgresql_start() for _ in range(RUNS)])
    system_start(four_dir)
    results["four_services_warm_ms"] = median_ms([system_start(four_dir) for _ in range(RUNS)])
    results["peak_rss_mb"] = round(peak_rss_mb(four_dir), 1)
    results["warm_speedup_vs_pytest_postgresql"] = round(
        results["pytest_postgresql_ms"] / results["seamline_warm_ms"],
        1,  # type: ignore[operator]
    )
    print(json.dumps(results, indent=2))
    shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
