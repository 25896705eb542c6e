"""Change capture: what every process changed, in commit order, attributed to the test."""

from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa

from seamline.db import CaptureWarning, DatabaseError, NotATestDatabase, guard
from seamline.db.backend_pg import PostgresBackend
from seamline.db.backend_sqlite import SqliteBackend
from seamline.records.lines import FORMAT_VERSION
from seamline.seams import eventually
from seamline.system.core import System
from tests.db.conftest import Writer, one_test

# The shared schema has a table without a primary key and (SQLite) a virtual table on
# purpose; the warnings they give are the subject of their own tests in test_capture.py.
pytestmark = pytest.mark.filterwarnings("ignore::seamline.db.CaptureWarning")

KINDS = ["postgres", "sqlite"]


@pytest.mark.parametrize("kind", KINDS)
def test_changes_from_both_services_and_the_test_itself_in_commit_order(systems, kind):
    system: System = systems(kind, "truncate")
    a, b = Writer(system, "a"), Writer(system, "b")
    with one_test(system, "capture") as db:
        order = a.sql("INSERT INTO orders (customer_id) VALUES (3) RETURNING id")[0]["id"]
        b.sql("UPDATE customers SET name = 'Robert' WHERE id = 2")
        mine = db.insert("order_items", order_id=order, product_id=2, qty=5)
        a.sql("DELETE FROM order_items WHERE id = 1")
        changes = db.changes()
    assert [(c.op, c.table) for c in changes] == [
        ("insert", "orders"),
        ("update", "customers"),
        ("insert", "order_items"),
        ("delete", "order_items"),
    ]
    inserted, updated, mine_captured, deleted = changes
    assert inserted.old is None
    assert inserted.new == {"id": order, "customer_id": 3, "status": "new", "total_cents": 0}
    assert inserted.key == {"id": order}
    assert updated.changed == {"name": ("Bob", "Robert")}
    assert updated.old is not None and updated.old["email"] == "bob@example.com"
    assert mine_captured.new == mine
    assert deleted.new is None
    assert deleted.old == {"id": 1, "order_id": 1, "product_id": 1, "qty": 1}
    assert [c.seq for c in changes] == sorted(c.seq for c in changes)
    assert str(updated).endswith("update customers[id=2]: name: 'Bob' -> 'Robert'")


@pytest.mark.parametrize("kind", KINDS)
def test_changes_of_one_table_and_only_of_the_current_test(systems, kind):
    system: System = systems(kind, "truncate")
    a = Writer(system, "a")
    with one_test(system, "first"):
        a.sql("UPDATE customers SET name = 'x' WHERE id = 1")
    with one_test(system, "second") as db:
        assert db.changes() == []
        a.sql("INSERT INTO orders (customer_id) VALUES (1)")
        a.sql("UPDATE customers SET name = 'y' WHERE id = 3")
        assert [c.table for c in db.changes(table="customers")] == ["customers"]
        assert [c.key for c in db.changes(table="customers")] == [{"id": 3}]
        with pytest.raises(DatabaseError, match=r"no table 'custmers'; did you mean 'customers'"):
            db.changes(table="custmers")


def test_postgres_orders_changes_by_commit_not_by_when_the_row_was_written(systems):
    system: System = systems("postgres", "truncate")
    a, b = Writer(system, "a"), Writer(system, "b")
    with one_test(system, "commit order") as db:
        a.open("INSERT INTO orders (customer_id, status) VALUES (1, 'a-first-write')")
        b.sql("INSERT INTO orders (customer_id, status) VALUES (2, 'b-commits-first')")
        a.open("UPDATE orders SET status = 'a-second-write' WHERE status = 'a-first-write'")
        assert [c.new["status"] for c in db.changes() if c.new] == ["b-commits-first"]
        a.commit()
        statuses = [c.new["status"] for c in db.changes() if c.new]
    # written a, b, a; committed b, then a's transaction as a whole
    assert statuses == ["b-commits-first", "a-first-write", "a-second-write"]


def test_sqlite_orders_changes_by_commit_while_a_writer_waits_for_the_lock(systems):
    system: System = systems("sqlite", "truncate")
    a, b = Writer(system, "a"), Writer(system, "b")
    with one_test(system, "commit order") as db:
        a.open("INSERT INTO orders (customer_id, status) VALUES (1, 'a')")
        insert = "INSERT INTO orders (customer_id, status) VALUES (2, 'b')"
        waiting = threading.Thread(
            target=b.client.post,
            kwargs={"url": "/sql", "json": {"sql": insert}, "headers": {"X-Announce": "1"}},
        )
        waiting.start()  # blocks on a's write lock
        eventually(lambda: f"running: {insert}" in system.logs("b"))
        a.open("UPDATE orders SET status = 'a2' WHERE status = 'a'")
        a.commit()
        waiting.join()
        statuses = [(c.op, c.new["status"]) for c in db.changes() if c.new]
    assert statuses == [("insert", "a"), ("update", "a2"), ("insert", "b")]


@pytest.mark.parametrize("kind", KINDS)
def test_rolled_back_changes_are_not_captured(systems, kind):
    system: System = systems(kind, "truncate")
    a = Writer(system, "a")
    with one_test(system, "rollback") as db:
        a.open("INSERT INTO orders (customer_id, status) VALUES (1, 'never')")
        a.rollback()
        a.sql("INSERT INTO orders (customer_id, status) VALUES (1, 'kept')")
        assert [(c.op, c.new and c.new["status"]) for c in db.changes()] == [("insert", "kept")]


@pytest.mark.parametrize("kind", KINDS)
def test_each_tests_changes_go_to_db_changes_jsonl(systems, kind):
    system: System = systems(kind, "truncate")
    a = Writer(system, "a")
    path = system.record_dir / "db-changes.jsonl"
    before = len(path.read_text().splitlines()) if path.exists() else 0
    with one_test(system, "tests/x.py::test_one"):
        a.sql("UPDATE customers SET name = 'Z' WHERE id = 1")
    with one_test(system, "tests/x.py::test_two"):
        a.sql("DELETE FROM order_items WHERE id = 1")
    lines = [json.loads(line) for line in path.read_text().splitlines()[before:]]
    assert [(r["test"], r["table"], r["op"]) for r in lines] == [
        ("tests/x.py::test_one", "customers", "update"),
        ("tests/x.py::test_two", "order_items", "delete"),
    ]
    first = lines[0]
    assert set(first) == {"v", "db", "test", "seq", "table", "op", "old", "new", "at"}
    assert first["v"] == FORMAT_VERSION and first["db"] == "db"
    assert first["old"]["name"] == "Ada" and first["new"]["name"] == "Z"
    assert first["at"].endswith("Z") and len(first["at"]) == len("2026-01-01T00:00:00.000000Z")
    assert lines[1]["seq"] > first["seq"]


def test_a_change_made_between_tests_is_recorded_and_cleaned_up(systems):
    system: System = systems("sqlite", "truncate")
    a = Writer(system, "a")
    with one_test(system, "before"):
        pass
    a.sql("UPDATE customers SET name = 'late' WHERE id = 1")  # e.g. a background job
    with one_test(system, "after") as db:
        assert db.one("customers", id=1)["name"] == "Ada"
        assert db.changes() == []
    lines = (system.record_dir / "db-changes.jsonl").read_text().splitlines()
    assert any(json.loads(line)["test"] is None for line in lines)


def test_postgres_truncate_by_a_service_is_captured_and_reset(systems):
    system: System = systems("postgres", "truncate")
    a = Writer(system, "a")
    with one_test(system, "truncating") as db:
        a.sql("TRUNCATE order_items")
        assert [(c.op, c.table, c.old, c.new) for c in db.changes()] == [
            ("truncate", "order_items", None, None)
        ]
    with one_test(system, "after") as db:
        assert db.count("order_items") == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_table_without_primary_key_is_captured_whole_and_named_in_a_warning(systems, kind):
    system: System = systems(kind, "truncate")
    db = system.db()
    assert any("'audit_log' has no primary key" in note for note in db.notes)
    with one_test(system, "no key"):
        Writer(system, "b").sql("INSERT INTO audit_log (message) VALUES ('hello')")
        (change,) = db.changes(table="audit_log")
    assert change.key is None and change.new is not None and change.new["message"] == "hello"
    assert "insert audit_log {" in str(change)


def test_sqlite_virtual_table_is_not_captured_but_the_rest_is_and_it_is_still_reset(systems):
    system: System = systems("sqlite", "truncate")
    db = system.db()
    (note,) = [n for n in db.notes if "'notes'" in n]
    assert "is not captured: it is a virtual table" in note
    assert "resets it after every test" in note
    a = Writer(system, "a")
    with one_test(system, "virtual"):
        a.sql("INSERT INTO notes (body) VALUES ('one more')")
        a.sql("INSERT INTO audit_log (message) VALUES ('still captured')")
        assert [c.table for c in db.changes()] == ["audit_log"]
        with pytest.raises(DatabaseError, match=r"'notes' of database 'db' is not captured"):
            db.changes(table="notes")
    with one_test(system, "after"):
        assert db.count("notes") == 1


def test_the_warning_is_raised_when_the_database_is_attached(tmp_path, write_config, start_system):
    (tmp_path / "schema.sql").write_text("CREATE TABLE log (line TEXT);\n")
    system = start_system(write_config('[services.db]\nkind = "sqlite"\nschema = "schema.sql"\n'))
    with pytest.warns(CaptureWarning, match=r"table 'log' has no primary key"):
        system.db()


def test_triggers_are_refused_for_a_postgres_server_outside_the_run(systems, tmp_path):
    system: System = systems("postgres", "none")
    service = system.service("db")
    foreign = PostgresBackend(service, tmp_path, "none")  # type: ignore[arg-type]
    with pytest.raises(NotATestDatabase, match=r"its server's data directory is .* expected one"):
        foreign.attach()
    foreign.close()
    engine = sa.create_engine(system.db().engine.url.set(database="postgres"))
    with engine.connect() as conn:  # the refusal came before any change
        assert conn.exec_driver_sql("SELECT to_regnamespace('seamline')").scalar() is None
    engine.dispose()


def test_triggers_are_refused_for_a_database_that_is_not_the_test_database(systems):
    system: System = systems("postgres", "none")
    engine = sa.create_engine(system.db().engine.url.set(database="postgres"))
    try:
        with (
            engine.connect() as conn,
            pytest.raises(NotATestDatabase, match=r"database 'postgres': expected one of app"),
        ):
            guard.check_postgres(conn, system.run_dir, ("app", "app_template"))
    finally:
        engine.dispose()


def test_triggers_are_refused_for_an_sqlite_file_outside_the_run(systems, tmp_path):
    system: System = systems("sqlite", "none")
    service = system.service("db")
    elsewhere = tmp_path / "production.db"
    elsewhere.write_bytes(b"")
    service_path, service.path = service.path, elsewhere  # type: ignore[attr-defined]
    try:
        backend = SqliteBackend(service, system.run_dir, "none")  # type: ignore[arg-type]
        with pytest.raises(NotATestDatabase, match=r"SQLite file .*production\.db: expected"):
            backend.attach()
    finally:
        service.path = service_path  # type: ignore[attr-defined]
    assert elsewhere.read_bytes() == b""
