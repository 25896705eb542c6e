"""The database: an engine for SQLite or PostgreSQL, and short read or write transactions.

Handlers say what they do: `with db.read() as session:` or `with db.write() as session:`.
The transaction commits when the block ends (rolls back if it raises) and the session
closes; nothing stays open across a call to payments.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

# How long a SQLite writer waits for another one to finish before giving up ("database is
# locked"). SQLite has one writer at a time; 20 simultaneous order submissions queue here.
SQLITE_BUSY_TIMEOUT_MS = 5000
_BEGIN = "shop_sqlite_begin"  # execution option: the BEGIN statement for a SQLite transaction


class Database:
    def __init__(self, url: URL) -> None:
        self.engine = create_db_engine(url)
        writer = self.engine
        if url.get_backend_name() == "sqlite":
            writer = self.engine.execution_options(**{_BEGIN: "BEGIN IMMEDIATE"})
        # expire_on_commit=False: objects stay readable once their transaction has ended.
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._writes = sessionmaker(writer, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reads() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._writes() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def create_db_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    # pool_pre_ping: seamline isolates tests by dropping the database and re-creating it from
    # a template, which ends the connections this pool holds. Pinging a connection when it
    # is checked out finds such a dead one and opens a fresh one, instead of failing the
    # next request with "terminating connection due to administrator command".
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_engine(url: URL) -> Engine:
    # NullPool: a connection is opened per transaction and closed after it. Opening a SQLite
    # file costs microseconds, and no connection outlives a request holding on to an old
    # copy of a database file that the test harness has since replaced. pool_pre_ping is
    # kept for symmetry; with no pool it has nothing to check.
    engine = create_engine(_must_exist(url), poolclass=NullPool, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # WAL: readers see a snapshot and neither block the writer nor wait for it.
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode, NORMAL syncs at checkpoints rather than at every commit: still safe
        # against the process crashing, at a fraction of the fsyncs.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers BEGIN IMMEDIATE: they take the write lock up front, queueing on the busy
        # timeout. A deferred transaction that reads and then writes would instead fail at
        # once (SQLITE_BUSY) if another writer committed in between, busy timeout or not.
        # Readers BEGIN (deferred): a consistent snapshot, no lock.
        connection.exec_driver_sql(connection.get_execution_options().get(_BEGIN, "BEGIN"))

    return engine


def _must_exist(url: URL) -> URL:
    """Open the SQLite file read-write but never create it: a missing database is an error
    (the api is not ready), not a new empty file without the shop's tables."""
    path = url.database or ""
    if path in ("", ":memory:") or path.startswith("file:"):
        return url
    return url.set(database=f"file:{path}", query={**url.query, "mode": "rw", "uri": "true"})
