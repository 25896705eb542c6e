"""seamline's side of the isolation benchmark: the `db` fixture, one writer connection.

The writer stands for a service: its own connection, kept across tests, opened
again when a reset ended it (isolation = "template" on PostgreSQL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from seamline.db.pytest_fixtures import db, seamline_databases
from seamline.system.core import System

__all__ = ["db", "seamline_databases"]


@pytest.fixture(scope="session")
def writer(system: System) -> Callable[[], Any]:
    service = system.service(system.databases.names[0])
    held: list[Any] = []

    def connect() -> Any:
        if service.kind == "sqlite":
            return sqlite3.connect(service.attributes()["path"], timeout=10)
        return psycopg.connect(service.attributes()["dsn"])

    def get() -> Any:
        if held:
            try:
                held[0].execute("SELECT 1")
                held[0].commit()
                return held[0]
            except (psycopg.Error, sqlite3.Error):
                held.clear()
        held.append(connect())
        return held[0]

    return get
