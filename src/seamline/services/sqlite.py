"""`kind = "sqlite"`: the embedded default, a database file in the run dir.

The schema and seed are applied to a template file once per start; the test
database is a copy of it, which is what per-test isolation restores.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from seamline.config.model import SqliteSpec
from seamline.errors import StartError
from seamline.services.base import Render, RunContext, Service
from seamline.services.seeding import is_callable_seed, run_callable_seed


class SqliteService(Service[SqliteSpec]):
    kind = "sqlite"

    def __init__(self, name: str, spec: SqliteSpec, ctx: RunContext) -> None:
        super().__init__(name, spec, ctx)
        self.path = Path()
        self.template_path = Path()

    def allocate(self) -> None:
        directory = self.ctx.dirs.service_dir(self.name)
        self.path = directory / f"{self.name}.db"
        self.template_path = directory / f"{self.name}_template.db"

    def attributes(self) -> dict[str, str]:
        return {"url": f"sqlite:///{self.path}", "path": str(self.path), "name": self.name}

    def start(self, render: Render) -> None:
        if self.path.exists():  # a restart (start_service): nothing runs, the data stays
            return
        with sqlite3.connect(self.template_path) as conn:
            # WAL lets several service processes read while one writes.
            conn.execute("PRAGMA journal_mode=WAL")
            for key in ("schema_", "seed"):
                value = getattr(self.spec, key)
                if value is not None and not is_callable_seed(value):
                    self._run_sql_file(conn, self.ctx.config.resolve(value))
        conn.close()
        seed = self.spec.seed
        if seed is not None and is_callable_seed(seed):
            run_callable_seed(
                self.ctx.config, str(seed), f"sqlite:///{self.template_path}", self.name
            )
        copy_database(self.template_path, self.path)

    def stop(self) -> None:
        """Nothing runs; the file goes with the run dir."""

    def version(self) -> str | None:
        return f"SQLite {sqlite3.sqlite_version}"

    def describe(self) -> str:
        return f"SQLite {sqlite3.sqlite_version}"

    def _run_sql_file(self, conn: sqlite3.Connection, path: Path) -> None:
        statement, first_line = "", 1
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(True), start=1):
            if not statement.strip():
                first_line = number
            statement += line
            if sqlite3.complete_statement(statement):
                try:
                    conn.execute(statement)
                except sqlite3.Error as err:
                    raise StartError(
                        self.name,
                        f"{path}:{first_line}: {err}\n  fix the SQL in "
                        f"{path.name}; it is applied to the template database",
                    ) from None
                statement = ""
        if statement.strip():
            raise StartError(
                self.name,
                f"{path}:{first_line}: incomplete SQL statement at the "
                "end of the file (a missing ';'?)",
            )


def copy_database(source: Path, target: Path) -> None:
    """Copy with SQLite's backup API: consistent even if something holds the source open."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    for suffix in ("-wal", "-shm"):
        stale = Path(str(target) + suffix)
        if stale.exists() and not Path(str(source) + suffix).exists():
            shutil.rmtree(stale, ignore_errors=True)
