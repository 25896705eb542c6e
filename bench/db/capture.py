"""Change-capture overhead: 10,000 inserts with and without seamline's triggers.

    python bench/db/capture.py

A write-heavy loop through a plain driver connection (a service's view): each
insert its own transaction (autocommit), then all in one transaction. "without"
is measured before seamline attaches to the database, "with" after; best of 3.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from seamline.system.core import System

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from isolation import config, postgres_builds  # noqa: E402

INSERTS = 10_000
ROUNDS = 3


def loop(conn: Any, one_transaction: bool) -> float:
    sql = "INSERT INTO events (kind, payload) VALUES ('order', '{\"id\": 1}')"
    started = time.perf_counter()
    for _ in range(INSERTS):
        conn.execute(sql)
        if not one_transaction:
            conn.commit()
    conn.commit()
    return time.perf_counter() - started


def best(connect: Callable[[], Any], one_transaction: bool) -> float:
    times = []
    for _ in range(ROUNDS):
        conn = connect()
        times.append(loop(conn, one_transaction))
        conn.close()
    return min(times)


def measure(kind: str, bindir: Path | None) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "seamline.toml").write_text(config(kind, "none", bindir))
        with System.from_config(work, record_root=Path(work) / "records") as system:
            service = system.service("db")
            attrs = service.attributes()

            def connect() -> Any:
                if kind == "sqlite":
                    return sqlite3.connect(attrs["path"])
                return psycopg.connect(attrs["dsn"])

            plain = {mode: best(connect, mode == "one transaction") for mode in MODES}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                system.db()  # installs the triggers
            captured = {mode: best(connect, mode == "one transaction") for mode in MODES}
            return {mode: (plain[mode], captured[mode]) for mode in MODES}


MODES = ("autocommit", "one transaction")


def main() -> None:
    targets: list[tuple[str, str, Path | None]] = [
        (f"PostgreSQL {version}", "postgres", bindir) for version, bindir in postgres_builds()
    ]
    targets.append((f"SQLite {sqlite3.sqlite_version}", "sqlite", None))
    print(f"| database | {INSERTS:,} inserts | without triggers | with triggers | overhead |")
    print("| --- | --- | ---: | ---: | ---: |")
    for label, kind, bindir in targets:
        for mode, (plain, captured) in measure(kind, bindir).items():
            print(
                f"| {label} | {mode} | {plain * 1000:.0f} ms | {captured * 1000:.0f} ms "
                f"| +{(captured / plain - 1) * 100:.0f}% "
                f"({(captured - plain) / INSERTS * 1e6:.0f} µs/row) |",
                flush=True,
            )


if __name__ == "__main__":
    main()
