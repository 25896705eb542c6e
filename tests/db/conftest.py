"""Real systems for the database tests: a database (PostgreSQL or SQLite) and two writer
services, each a separate process writing through its own connection pool."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from seamline.db import Database
from seamline.runtime import rundir
from seamline.system.core import System

WRITER = Path(__file__).parent / "apps" / "writer.py"

SCHEMAS = {
    "postgres": """
CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL UNIQUE, name text);
CREATE TABLE products (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku text NOT NULL UNIQUE,
    price_cents integer NOT NULL,
    price_label text GENERATED ALWAYS AS ('$' || (price_cents / 100)::text) STORED
);
CREATE TABLE orders (
    id serial PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers(id),
    status text NOT NULL DEFAULT 'new',
    total_cents integer NOT NULL DEFAULT 0
);
CREATE TABLE order_items (
    id serial PRIMARY KEY,
    order_id integer NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    product_id integer NOT NULL REFERENCES products(id),
    qty integer NOT NULL
);
CREATE TABLE audit_log (at timestamptz NOT NULL DEFAULT now(), message text NOT NULL);
""",
    "sqlite": """
CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, name TEXT
);
CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    price_cents INTEGER NOT NULL,
    price_label TEXT GENERATED ALWAYS AS ('$' || (price_cents / 100)) STORED
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    status TEXT NOT NULL DEFAULT 'new',
    total_cents INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE order_items (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products(id),
    qty INTEGER NOT NULL
);
CREATE TABLE audit_log (at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, message TEXT NOT NULL);
CREATE VIRTUAL TABLE notes USING fts5(body);
""",
}
SEED = """
INSERT INTO customers (email, name) VALUES ('ada@example.com', 'Ada'), ('bob@example.com', 'Bob'),
    ('cy@example.com', 'Cy');
INSERT INTO products (sku, price_cents) VALUES ('mug', 1999), ('tee', 2499);
INSERT INTO orders (customer_id, status, total_cents) VALUES (1, 'paid', 1999);
INSERT INTO order_items (order_id, product_id, qty) VALUES (1, 1, 1);
"""
SQLITE_SEED_EXTRA = "INSERT INTO notes (body) VALUES ('seeded note');\n"

# What every test must start from, whatever the previous test did.
STARTING_DATA = {"customers": 3, "products": 2, "orders": 1, "order_items": 1, "audit_log": 0}


def config_text(kind: str, isolation: str, database: str = "db") -> str:
    schema = "schema.pg.sql" if kind == "postgres" else "schema.sqlite.sql"
    seed = "seed.pg.sql" if kind == "postgres" else "seed.sqlite.sql"
    writer = f'["{sys.executable}", "{WRITER}", "--port", "{{self.port}}"]'
    return f"""
isolation = "{isolation}"

[services.{database}]
kind = "{kind}"
schema = "{schema}"
seed = "{seed}"

[services.a]
command = {writer}
env = {{ DATABASE_URL = "{{{database}.url}}" }}
ready = "http GET /health"

[services.b]
command = {writer}
env = {{ DATABASE_URL = "{{{database}.url}}" }}
ready = "http GET /health"
"""


def write_files(directory: Path) -> None:
    (directory / "schema.pg.sql").write_text(SCHEMAS["postgres"])
    (directory / "schema.sqlite.sql").write_text(SCHEMAS["sqlite"])
    (directory / "seed.pg.sql").write_text(SEED)
    (directory / "seed.sqlite.sql").write_text(SEED + SQLITE_SEED_EXTRA)


def private_run_root() -> Path:
    """Not under pytest's tmp_path: PostgreSQL runs as another user when we are root."""
    path = Path(tempfile.mkdtemp(prefix="seamline-dbtest-", dir=rundir.default_run_root().parent))
    path.chmod(0o755)
    return path


@pytest.fixture(scope="module")
def systems(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str, str], System]]:
    """`systems(kind, isolation)`: a started system, shared by the module's tests."""
    started: dict[tuple[str, str], System] = {}
    root = private_run_root()

    def get(kind: str, isolation: str) -> System:
        if (kind, isolation) not in started:
            directory = tmp_path_factory.mktemp(f"{kind}-{isolation}")
            write_files(directory)
            (directory / "seamline.toml").write_text(config_text(kind, isolation))
            system = System.from_config(directory, run_root=root)
            started[(kind, isolation)] = system.start()
        return started[(kind, isolation)]

    yield get
    for system in started.values():
        system.stop(failed=True)
    shutil.rmtree(root, ignore_errors=True)


class Writer:
    """One writer service, seen from the test: SQL sent over HTTP, run through its pool."""

    def __init__(self, system: System, name: str) -> None:
        self.client = system.client(name)  # through the test -> service seam

    def sql(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        return self._post("/sql", sql, params)

    def open(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        return self._post("/open", sql, params)

    def commit(self) -> None:
        self.client.post("/commit").raise_for_status()

    def rollback(self) -> None:
        self.client.post("/rollback").raise_for_status()

    def _post(self, path: str, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.client.post(path, json={"sql": sql, "params": params})
        assert response.status_code == 200, f"{sql}: {response.text}"
        rows: list[dict[str, Any]] = response.json()["rows"]
        return rows


@contextmanager
def one_test(system: System, name: str) -> Iterator[Database]:
    """What the fixtures do around a test, for tests that drive it by hand."""
    system.databases.begin_test(name)
    yield system.db()
    system.databases.end_test()


__all__ = ["STARTING_DATA", "Writer", "one_test"]
