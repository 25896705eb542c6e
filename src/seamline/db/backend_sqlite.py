"""An SQLite test database: capture, and isolation by `template` or `truncate`.

The services hold the same file open in other processes, so the file is never
replaced or removed: that would leave them reading a deleted inode. Both
isolations write into the live file through SQLite itself, in one write
transaction, which the other connections see at their next transaction.

`template` copies the template file into the live one with SQLite's backup
API: every page, in a single write transaction (WAL included).
`truncate` empties the touched tables and copies their starting rows back from
a snapshot of the file taken when seamline attached (ATTACHed as `baseline`).
Both run with foreign-key enforcement off on seamline's own connection.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from seamline.db import capture_sqlite, guard
from seamline.db.backend import Backend, Isolation
from seamline.db.changes import Captured
from seamline.db.errors import DatabaseError, ResetError
from seamline.db.schema import Schema, load_sqlite, quote
from seamline.services.sqlite import SqliteService

# How long seamline's connection waits for a service's write to finish (ms).
BUSY_TIMEOUT_MS = 10_000


def _configure(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


def sqlite_engine(path: Path, pooled: bool = False) -> sa.Engine:
    options: dict[str, Any] = {} if pooled else {"poolclass": sa.pool.NullPool}
    engine = sa.create_engine(f"sqlite:///{path}", **options)
    sa.event.listen(engine, "connect", _configure)
    return engine


class SqliteBackend(Backend):
    def __init__(
        self, service: SqliteService, run_dir: Path, isolation: Isolation, auto: bool = False
    ) -> None:
        super().__init__(service.name, isolation, auto)
        self.service = service
        self.run_dir = run_dir
        self.path = service.path
        self.baseline = service.path.with_name(f"{service.name}_seamline_baseline.db")
        self.engine = sqlite_engine(self.path, pooled=True)
        self.schema = Schema(service.name)
        self._keeper: sqlite3.Connection | None = None

    def attach(self) -> None:
        guard.check_sqlite(self.path, self.run_dir)
        guard.check_sqlite(self.service.template_path, self.run_dir)
        if self.isolation == "truncate":
            self._check_truncate_possible()
        target = self.service.template_path if self.isolation == "template" else self.path
        installer = sqlite_engine(target)
        try:
            with installer.begin() as conn:
                self.schema = load_sqlite(conn, self.name)
                self.uncaptured = capture_sqlite.install(conn, list(self.schema.tables.values()))
        finally:
            installer.dispose()
        if self.isolation == "template":
            self._copy(self.service.template_path)
        elif self.isolation == "truncate":
            with sqlite3.connect(self.path) as live, sqlite3.connect(self.baseline) as copy:
                live.backup(copy)
            live.close()
            copy.close()
        # One connection kept open for the whole run: reads are cheaper on a warm
        # page cache, and the reset can reuse its ATTACH of the baseline.
        self._keeper = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._keeper.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if self.isolation == "truncate":
            self._keeper.execute("ATTACH DATABASE ? AS baseline", (str(self.baseline),))

    def _check_truncate_possible(self) -> None:
        """`truncate` needs the application's triggers silent while it restores rows.

        PostgreSQL silences them for the reset (session_replication_role); SQLite
        cannot (before Python 3.12 exposes SQLITE_DBCONFIG_ENABLE_TRIGGER), and a
        trigger firing on the restored rows would leave other tables changed.
        """
        with self.engine.connect() as conn:
            triggered = load_sqlite(conn, self.name).triggered
        if not triggered:
            return
        if self.auto:
            self.isolation = "template"
            return
        raise DatabaseError(
            f'database {self.name!r}: isolation = "truncate" cannot reset an SQLite '
            f"database whose tables have triggers ({', '.join(triggered)}): SQLite cannot "
            "turn them off while seamline restores rows, and they would change other "
            'tables.\n  fix: use isolation = "template" (or "auto") for this database'
        )

    def read(self, after: int) -> list[Captured]:
        with self.engine.connect() as conn:
            return capture_sqlite.read(conn, after)

    def reset(self, touched: set[str], inserted: Counter[str], read_up_to: int) -> int:
        if self.isolation == "template":
            self._copy(self.service.template_path)
            return 0  # a fresh copy: an empty capture log, numbering from the start
        if self.isolation == "truncate":
            self._truncate(self.tables_to_reset(touched), read_up_to)
        return read_up_to

    def _copy(self, source: Path) -> None:
        try:
            with sqlite3.connect(source) as src, sqlite3.connect(self.path) as dst:
                dst.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                src.backup(dst)
            src.close()
            dst.close()
        except sqlite3.Error as err:
            raise ResetError(
                f"database {self.name!r}: could not copy the template {source} into "
                f"{self.path}: {err}\n  fix: a service may hold a write transaction open; "
                "make it commit or roll back before it answers"
            ) from None

    def _truncate(self, tables: set[str], read_up_to: int) -> None:
        assert self._keeper is not None
        ordered = [t for t in self.schema.tables.values() if t.name in tables]
        script = ["PRAGMA foreign_keys = OFF;", "BEGIN IMMEDIATE;", capture_sqlite.RESET_START_SQL]
        for table in ordered:
            columns = ", ".join(quote(c) for c in table.insertable)
            script.append(f"DELETE FROM main.{table.sql};")
            script.append(
                f"INSERT INTO main.{table.sql} ({columns}) "
                f"SELECT {columns} FROM baseline.{table.sql};"
            )
        if ordered and self._has_sequences():
            names = ", ".join(f"'{t.name.replace(chr(39), chr(39) * 2)}'" for t in ordered)
            script.append(f"DELETE FROM main.sqlite_sequence WHERE name IN ({names});")
            script.append(
                "INSERT INTO main.sqlite_sequence SELECT * FROM baseline.sqlite_sequence "
                f"WHERE name IN ({names});"
            )
        script += [capture_sqlite.RESET_END_SQL.format(mark=int(read_up_to)), "COMMIT;"]
        try:
            self._keeper.executescript("\n".join(script))
        except sqlite3.Error as err:
            if self._keeper.in_transaction:
                self._keeper.execute("ROLLBACK")
            raise ResetError(
                f"database {self.name!r}: could not empty {', '.join(sorted(tables))} "
                f"between tests: {err}\n  fix: a service may hold a write transaction open; "
                'make it commit or roll back before it answers, or use isolation = "template"'
            ) from None

    def _has_sequences(self) -> bool:
        assert self._keeper is not None
        found = self._keeper.execute(
            "SELECT 1 FROM baseline.sqlite_schema WHERE name = 'sqlite_sequence'"
        ).fetchone()
        return found is not None

    def close(self) -> None:
        self.engine.dispose()
        if self._keeper is not None:
            self._keeper.close()
            self._keeper = None
