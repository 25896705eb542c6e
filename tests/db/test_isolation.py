"""Per-test isolation while two service processes keep writing through their own pools."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from seamline.db import DatabaseError
from seamline.seams import eventually
from seamline.system.core import System
from tests.db.conftest import STARTING_DATA, Writer, one_test

# The shared schema has a table without a primary key and (SQLite) a virtual table on
# purpose; the warnings they give are the subject of their own tests in test_capture.py.
pytestmark = pytest.mark.filterwarnings("ignore::seamline.db.CaptureWarning")

MODES = [
    ("postgres", "truncate"),
    ("postgres", "template"),
    ("sqlite", "truncate"),
    ("sqlite", "template"),
]


def starting_data(kind: str) -> dict[str, int]:
    return {**STARTING_DATA, "notes": 1} if kind == "sqlite" else STARTING_DATA


def write_a_lot(a: Writer, b: Writer, kind: str) -> dict[str, int]:
    """What a test's requests might do, split over both services; returns the new ids."""
    order = a.sql("INSERT INTO orders (customer_id, total_cents) VALUES (2, 100) RETURNING id")
    b.sql("INSERT INTO order_items (order_id, product_id, qty) VALUES (:o, 2, 3)", o=order[0]["id"])
    b.sql("UPDATE customers SET name = 'Robert' WHERE id = 2")
    a.sql("DELETE FROM order_items WHERE order_id = 1")
    a.sql("DELETE FROM products WHERE id = 1")
    customer = a.sql("INSERT INTO customers (email) VALUES ('new@example.com') RETURNING id")
    product = b.sql("INSERT INTO products (sku, price_cents) VALUES ('cap', 999) RETURNING id")
    b.sql("INSERT INTO audit_log (message) VALUES ('order placed')")
    if kind == "sqlite":
        a.sql("INSERT INTO notes (body) VALUES ('written by a test')")
    return {
        "order": order[0]["id"],
        "customer": customer[0]["id"],
        "product": product[0]["id"],
    }


def seen_by(writer: Writer, kind: str) -> dict[str, int]:
    return {
        table: writer.sql(f"SELECT count(*) AS n FROM {table}")[0]["n"]
        for table in starting_data(kind)
    }


@pytest.mark.parametrize(("kind", "isolation"), MODES)
def test_every_test_starts_from_the_same_data_while_two_services_write(systems, kind, isolation):
    system: System = systems(kind, isolation)
    a, b = Writer(system, "a"), Writer(system, "b")
    first_ids = None
    for number in range(4):
        with one_test(system, f"test {number}") as db:
            assert db.isolation == isolation
            for writer in (a, b):  # each through its own pool, kept across tests
                assert seen_by(writer, kind) == starting_data(kind), f"test {number}"
                assert writer.sql("SELECT name FROM customers WHERE id = 2") == [{"name": "Bob"}]
                product = writer.sql("SELECT sku, price_label FROM products WHERE id = 1")
                assert product == [{"sku": "mug", "price_label": "$19"}]
            ids = write_a_lot(a, b, kind)
            # sequences were put back too: the same ids come out in every test
            assert first_ids in (None, ids)
            first_ids = ids
            assert seen_by(b, kind)["customers"] == 4


@pytest.mark.parametrize(("kind", "isolation"), MODES)
def test_a_service_reading_during_the_switch_never_sees_half_reset_data(systems, kind, isolation):
    """A reader hammering the database across test switches sees the old or the new data,
    never a table emptied and not yet refilled."""
    system: System = systems(kind, isolation)
    a, b = Writer(system, "a"), Writer(system, "b")
    seen: list[int] = []
    errors: list[str] = []
    stop = threading.Event()

    def read_forever() -> None:
        while not stop.is_set():
            response = b.client.post("/sql", json={"sql": "SELECT count(*) AS n FROM customers"})
            if response.status_code == 200:
                seen.append(response.json()["rows"][0]["n"])
            else:
                errors.append(response.text)

    reader = threading.Thread(target=read_forever)
    reader.start()
    try:

        def read_twice_more() -> None:
            """Until a read began after now: each state lasts until the reader has seen it."""
            mark = len(seen) + len(errors)
            eventually(lambda: len(seen) + len(errors) >= mark + 2)

        for number in range(10):
            with one_test(system, f"switch {number}"):
                read_twice_more()
                a.sql("INSERT INTO customers (email) VALUES ('x@example.com')")
                read_twice_more()
    finally:
        stop.set()
        reader.join()
    assert seen, "the reader never got an answer"
    assert set(seen) <= {3, 4}, f"a reader saw customers half reset: {sorted(set(seen))}"
    if (kind, isolation) == ("postgres", "template"):
        # Dropping the database ends every connection to it, and until CREATE DATABASE
        # is done a new one is refused: docs/db.md says so. Only then may a request
        # fail, and never with stale data.
        ended = ("does not exist", "terminating connection", "server closed the connection")
        assert all(any(reason in e for reason in ended) for e in errors), set(errors)
    else:
        assert errors == []
        assert 3 in seen and 4 in seen  # the reads did span the switches


@pytest.mark.parametrize("kind", ["postgres", "sqlite"])
def test_a_change_committed_after_the_last_read_is_kept_recorded_and_cleaned_up(systems, kind):
    system: System = systems(kind, "truncate")
    a = Writer(system, "a")
    with one_test(system, "racing a late write") as db:
        a.sql("UPDATE customers SET name = 'during' WHERE id = 1")
        backend = db._backend
        (read,) = backend.read(db._mark)
        a.sql("INSERT INTO audit_log (message) VALUES ('late')")  # after the read
        backend.reset({"customers"}, Counter(), read.mark)
        assert [(c.table, c.op) for c in backend.read(read.mark)] == [("audit_log", "insert")]
    with one_test(system, "next") as db:
        assert db.count("audit_log") == 0
        assert db.one("customers", id=1)["name"] == "Ada"


TRIGGERED_SCHEMA = """
CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER NOT NULL);
CREATE TABLE stats (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO stats VALUES ('orders', 0);
CREATE TRIGGER count_orders AFTER INSERT ON orders
BEGIN UPDATE stats SET value = value + 1 WHERE name = 'orders'; END;
"""


def test_sqlite_schema_with_triggers_gets_template_from_auto_and_a_clear_no_from_truncate(
    tmp_path, write_config, start_system
):
    (tmp_path / "schema.sql").write_text(TRIGGERED_SCHEMA)
    auto = start_system(
        write_config('[services.db]\nkind = "sqlite"\nschema = "schema.sql"\n', name="auto.toml")
    )
    db = auto.db()
    assert db.isolation == "template"
    for _ in range(2):
        auto.databases.begin_test("t")
        assert db.one("stats", name="orders")["value"] == 0
        db.insert("orders", total=5)
        db.assert_changes(inserted={"orders": 1}, updated={"stats": 1})
        auto.databases.end_test()
    explicit = start_system(
        write_config(
            '[services.db]\nkind = "sqlite"\nschema = "schema.sql"\nisolation = "truncate"\n',
            name="truncate.toml",
        )
    )
    with pytest.raises(DatabaseError) as refused:
        explicit.db()
    assert str(refused.value) == (
        "database 'db': isolation = \"truncate\" cannot reset an SQLite database whose "
        "tables have triggers (orders): SQLite cannot turn them off while seamline restores "
        "rows, and they would change other tables.\n"
        '  fix: use isolation = "template" (or "auto") for this database'
    )


def test_a_service_isolation_overrides_the_systems(tmp_path, write_config, start_system):
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
    system = start_system(
        write_config("""
        isolation = "none"
        [services.kept]
        kind = "sqlite"
        schema = "schema.sql"
        [services.reset]
        kind = "sqlite"
        schema = "schema.sql"
        isolation = "template"
        """)
    )
    kept, reset = system.db("kept"), system.db("reset")
    assert (kept.isolation, reset.isolation) == ("none", "template")
    for number in range(2):
        system.databases.begin_test(f"t{number}")
        assert (kept.count("t"), reset.count("t")) == (number, 0)
        kept.insert("t")
        reset.insert("t")
        assert len(kept.changes()) == 1  # each test sees only its own changes
        system.databases.end_test()
