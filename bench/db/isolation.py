"""Per-test isolation cost: seamline's `truncate` and `template` vs pytest-postgresql.

    python bench/db/isolation.py [--tests 50]

Each side runs a real pytest session of N tests; each test touches ~100 rows in a
10-table schema (touch.py) through its own connection, and the time measured is
the test's fixture setup + teardown (timing.py): where the reset happens. The
first and last tests (server start and stop) are left out. Both sides run on the
same PostgreSQL binaries with the same durability settings (fsync etc. off).

pytest-postgresql is installed into bench/.peers/venv (gitignored), never into
seamline's environment. PostgreSQL refuses to run as root, so when this runs as
root the peer's pytest runs as the `postgres` user.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PEER_VENV = REPO / "bench" / ".peers" / "venv"
PEER_PACKAGES = ["pytest-postgresql==10.0.0", "psycopg[binary]"]


def postgres_builds() -> list[tuple[str, Path]]:
    """(version, bindir) of each PostgreSQL seamline can find here, one per major version."""
    from seamline.services.pgbin import _version, candidates

    found: dict[str, tuple[str, Path]] = {}
    for bindir, _source in candidates(None):
        version = _version(bindir / "postgres") if (bindir / "postgres").is_file() else None
        if version and version.split(".")[0] not in found:
            found[version.split(".")[0]] = (version, bindir)
    return sorted(found.values())


def config(kind: str, isolation: str, bindir: Path | None) -> str:
    suffix = "pg" if kind == "postgres" else "sqlite"
    lines = [
        f'isolation = "{isolation}"',
        "[services.db]",
        f'kind = "{kind}"',
        f'schema = "{HERE / f"schema.{suffix}.sql"}"',
        f'seed = "{HERE / f"seed.{suffix}.sql"}"',
    ]
    if bindir is not None:
        lines.append(f'bindir = "{bindir}"')
    return "\n".join(lines) + "\n"


def per_test_ms(path: Path) -> list[float]:
    timings = json.loads(path.read_text())
    return [t * 1000 for t in timings[1:-1]]


def run_seamline(kind: str, isolation: str, bindir: Path | None, tests: int) -> list[float]:
    with tempfile.TemporaryDirectory() as work:
        toml = Path(work) / "seamline.toml"
        toml.write_text(config(kind, isolation, bindir))
        out = Path(work) / "timings.json"
        env = {
            **os.environ,
            "PYTHONPATH": str(HERE),
            "BENCH_TIMINGS": str(out),
            "BENCH_TESTS": str(tests),
            "SEAMLINE_RECORD_ROOT": str(Path(work) / "records"),
        }
        subprocess.run(
            [sys.executable, "-m", "pytest", str(HERE / "seamline_suite"), "-p", "timing",
             f"--seamline-config={toml}", "-W", "ignore"],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        return per_test_ms(out)


def ensure_peer() -> Path:
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        # As root, the venv's interpreter must be one the `postgres` user may run:
        # not one under /root (pyenv), which it cannot enter.
        base = sys.executable
        if os.geteuid() == 0:
            base = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin") or base
        subprocess.run([base, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
    return python


def run_peer(bindir: Path, tests: int) -> list[float]:
    python = ensure_peer()
    # Its data dir on tmpfs when there is one, as seamline's run dir is: its best case.
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    work = Path(tempfile.mkdtemp(prefix="seamline-bench-peer-", dir=shm))
    work.chmod(0o777)  # the peer may run as `postgres`, and writes here
    try:
        out = work / "timings.json"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(HERE),
            "BENCH_TIMINGS": str(out),
            "BENCH_TESTS": str(tests),
            "PG_CTL": str(bindir / "pg_ctl"),
            "HOME": str(work),
        }
        argv = [str(python), "-m", "pytest", str(HERE / "peer_suite"), "-p", "timing",
                f"--basetemp={work / 'tmp'}"]  # fmt: skip
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            user = pwd.getpwnam("postgres").pw_name
            assignments = [f"{key}={value}" for key, value in env.items()]
            argv = ["runuser", "-u", user, "--", "env", *assignments, *argv]
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, cwd=work)
        return per_test_ms(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def summary(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), statistics.mean(times)


def line(database: str, what: str, times: list[float]) -> str:
    median, mean = summary(times)
    return f"| {database} | {what} | {median:.1f} ms | {mean:.1f} ms |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tests", type=int, default=50)
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()
    print(f"| database | per-test reset ({args.tests} tests) | median | mean |")
    print("| --- | --- | ---: | ---: |")
    for version, bindir in postgres_builds():
        for isolation in ("truncate", "template"):
            times = run_seamline("postgres", isolation, bindir, args.tests)
            print(line(f"PostgreSQL {version}", f"seamline `{isolation}`", times), flush=True)
        if not args.no_peer:
            times = run_peer(bindir, args.tests)
            print(line(f"PostgreSQL {version}", "pytest-postgresql `postgresql`", times))
    for isolation in ("truncate", "template"):
        times = run_seamline("sqlite", isolation, None, args.tests)
        print(line("SQLite", f"seamline `{isolation}`", times), flush=True)


if __name__ == "__main__":
    main()
