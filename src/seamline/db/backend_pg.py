"""A PostgreSQL test database: capture, and isolation by `truncate` or `template`.

`truncate` empties only the tables changed since the last reset and copies
their starting rows back from snapshots in the `seamline` schema, then sets
every sequence back. It runs in one transaction with `session_replication_role
= replica`, so neither the application's triggers nor foreign-key checks fire
(the restored rows were consistent when snapshotted). The services' connections
stay open.

`template` drops the test database and creates it again from the template
database (schema + seed, and capture installed): every connection to the test
database is terminated, so the services' pools must check connections before
use (SQLAlchemy: `create_engine(url, pool_pre_ping=True)`).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from seamline.db import capture_pg, guard
from seamline.db.backend import TRUNCATE_ABOVE_ROWS, Backend, Isolation
from seamline.db.changes import Captured
from seamline.db.errors import ResetError
from seamline.db.schema import Schema, Table, literal, load_postgres, quote
from seamline.services.postgres import PostgresService

# How long a reset waits for a lock a service holds (an idle transaction, say) before
# it gives up and says which connection holds it.
LOCK_TIMEOUT = "5s"
# How long a template reset waits for the terminated sessions to exit (s).
SESSION_EXIT_WAIT = 5.0


class PostgresBackend(Backend):
    def __init__(self, service: PostgresService, run_dir: Path, isolation: Isolation) -> None:
        super().__init__(service.name, isolation)
        self.service = service
        self.run_dir = run_dir
        self.database = service.spec.database
        # Autocommit: a read is one round trip, with no BEGIN and ROLLBACK around it; the
        # reset sends BEGIN ... COMMIT itself, in one round trip too.
        self.engine = sa.create_engine(
            self._url(self.database), isolation_level="AUTOCOMMIT", pool_size=2
        )
        self._admin: sa.Engine | None = None
        self.schema = Schema(service.name)
        self._seed_rows: dict[str, int] = {}  # table -> rows in its starting data
        self._snapshots: dict[str, str] = {}  # table -> the table holding its starting rows
        self._sequences_sql = ""
        self._server_version = 0

    def _url(self, database: str) -> str:
        s = self.service.spec
        return f"postgresql+psycopg://{s.user}@127.0.0.1:{self.service.port}/{database}"

    # -- attaching ---------------------------------------------------------

    def attach(self) -> None:
        allowed = (self.database, self.service.template_database)
        # Capture goes into the template for `template`, so every fresh copy carries it.
        target = self.service.template_database if self.isolation == "template" else self.database
        installer = sa.create_engine(self._url(target), poolclass=sa.pool.NullPool)
        try:
            with installer.begin() as conn:  # all or nothing
                self._install(conn, allowed)
                if self.isolation == "truncate":
                    self._snapshot(conn)
        finally:
            installer.dispose()
        if self.isolation == "template":
            self._recreate()

    def _install(self, conn: sa.Connection, allowed: tuple[str, ...]) -> None:
        guard.check_postgres(conn, self.run_dir, allowed)
        self._server_version = int(conn.exec_driver_sql("SHOW server_version_num").scalar_one())
        self.schema = load_postgres(conn, self.name)
        self.uncaptured = capture_pg.install(conn, self.schema)

    def _snapshot(self, conn: sa.Connection) -> None:
        """Copy the starting rows of every table, and every sequence's position."""
        for index, table in enumerate(self.schema.tables.values()):
            rows = conn.exec_driver_sql(f"SELECT count(*) FROM {table.sql}").scalar_one()
            if rows:
                self._snapshots[table.name] = f"seamline.seed_{index}"
                conn.exec_driver_sql(
                    f"CREATE TABLE {self._snapshots[table.name]} AS SELECT * FROM {table.sql}"
                )
            self._seed_rows[table.name] = int(rows)
        positions = [
            conn.exec_driver_sql(f"SELECT last_value, is_called FROM {sequence}").one()
            for sequence in self.schema.sequences
        ]
        self._sequences_sql = (
            "SELECT "
            + ", ".join(
                f"setval({literal(seq)}, {value}, {'true' if called else 'false'})"
                for seq, (value, called) in zip(self.schema.sequences, positions, strict=True)
            )
            + ";"
            if positions
            else ""
        )

    # -- reading -----------------------------------------------------------

    def read(self, after: int) -> list[Captured]:
        with self.engine.connect() as conn:
            return capture_pg.read(conn, after)

    # -- resetting ---------------------------------------------------------

    def reset(self, touched: set[str], inserted: Counter[str], read_up_to: int) -> int:
        if self.isolation == "template":
            self._recreate()
            return 0  # a fresh copy: an empty capture log, numbering from the start
        if self.isolation == "truncate":
            self._truncate(self.tables_to_reset(touched), inserted, read_up_to)
        return read_up_to

    def _truncate(self, tables: set[str], inserted: Counter[str], read_up_to: int) -> None:
        statements = [
            "BEGIN;",
            "SET LOCAL session_replication_role = replica;",
            f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}';",
        ]
        large = {t for t in tables if self._seed_rows.get(t, 0) + inserted[t] > TRUNCATE_ABOVE_ROWS}
        if large:
            # TRUNCATE refuses to leave rows that point into an emptied table, so the
            # tables referring to a large one are emptied and restored with it.
            large = self.schema.referencing(large)
            tables |= large
            names = ", ".join(self.schema.tables[t].sql for t in sorted(large))
            statements.append(f"TRUNCATE {names};")
        ordered = [t for t in self.schema.tables.values() if t.name in tables]
        statements += [f"DELETE FROM {t.sql};" for t in ordered if t.name not in large]
        statements += [self._restore(t) for t in ordered if t.name in self._snapshots]
        statements += [self._sequences_sql, capture_pg.CLEAR_SQL.format(mark=int(read_up_to))]
        statements.append("COMMIT;")
        with self.engine.connect() as conn:
            try:
                conn.exec_driver_sql("\n".join(statements))
            except sa.exc.DBAPIError as err:
                conn.exec_driver_sql("ROLLBACK")
                raise ResetError(self._lock_message(tables, err)) from None

    def _restore(self, table: Table) -> str:
        columns = ", ".join(quote(c) for c in table.insertable)
        return (
            f"INSERT INTO {table.sql} ({columns}) OVERRIDING SYSTEM VALUE "
            f"SELECT {columns} FROM {self._snapshots[table.name]};"
        )

    def _lock_message(self, tables: set[str], err: sa.exc.DBAPIError) -> str:
        with self.engine.connect() as conn:
            holders = conn.exec_driver_sql(
                "SELECT pid, application_name, state, left(query, 80) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state LIKE 'idle in transaction%'"
            ).all()
        listed = "\n".join(f"    pid {p} ({a or 'no name'}): {s}: {q}" for p, a, s, q in holders)
        return (
            f"database {self.name!r}: could not empty {', '.join(sorted(tables))} between tests: "
            f"{str(err.orig).strip()}\n  connections holding a transaction open:\n"
            f"{listed or '    (none now)'}\n  fix: make the service finish (commit or roll "
            'back) its transactions before it answers, or use isolation = "template"'
        )

    def _recreate(self) -> None:
        """Drop the test database and copy it again from the template."""
        self.engine.dispose()  # our own pooled connections would be terminated anyway
        database, template = quote(self.database), quote(self.service.template_database)
        # FILE_COPY copies the files (fast for a small database); WAL_LOG, the default
        # since PostgreSQL 15, writes every page to the WAL (bench/RESULTS.md).
        strategy = " STRATEGY FILE_COPY" if self._server_version >= 150000 else ""
        try:
            with self.admin().connect() as conn:
                self._end_sessions(conn)
                force = " WITH (FORCE)" if self._server_version >= 130000 else ""
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {database}{force}")
                conn.exec_driver_sql(f"CREATE DATABASE {database} TEMPLATE {template}{strategy}")
        except sa.exc.DBAPIError as err:
            raise ResetError(
                f"database {self.name!r}: could not copy {self.service.template_database} "
                f"to {self.database}: {str(err.orig).strip()}\n  fix: nothing may connect "
                f"to the template database {self.service.template_database}"
            ) from None

    def _end_sessions(self, conn: sa.Connection) -> None:
        """Terminate the services' sessions on the test database and wait until they are gone.

        DROP DATABASE ... WITH (FORCE) does this too, but then checks for leftovers in
        100 ms steps: a session still exiting costs a whole step. Waiting here in
        fine steps keeps a reset with connected services near the cost of the copy.
        """
        pids = [pid for pid, _ in conn.exec_driver_sql(_TERMINATE, {"db": self.database})]
        deadline = time.monotonic() + SESSION_EXIT_WAIT
        while pids and time.monotonic() < deadline:
            pids = [pid for pid in pids if _running(pid)]
            if pids:
                time.sleep(0.0005)

    def admin(self) -> sa.Engine:
        if self._admin is None:
            self._admin = sa.create_engine(
                self._url("postgres"), isolation_level="AUTOCOMMIT", pool_size=1
            )
        return self._admin

    def close(self) -> None:
        self.engine.dispose()
        if self._admin is not None:
            self._admin.dispose()


# In the select list, not the WHERE clause: the planner may order WHERE terms as it
# likes, and must not terminate a session before it has checked whose it is.
_TERMINATE = (
    "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = %(db)s AND pid <> pg_backend_pid()"
)


def _running(pid: int) -> bool:
    """Whether a server process still exists (the server is on this machine: we started it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as the server's user
        return True
    return True
