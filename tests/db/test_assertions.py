"""Data assertions: rows, counts, inserts, assert_changes, and what bad input is told."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from seamline.db import DatabaseError
from seamline.errors import SeamlineError
from seamline.system.core import System
from tests.db.conftest import Writer, one_test

# The shared schema has a table without a primary key and (SQLite) a virtual table on
# purpose; the warnings they give are the subject of their own tests in test_capture.py.
pytestmark = pytest.mark.filterwarnings("ignore::seamline.db.CaptureWarning")

KINDS = ["postgres", "sqlite"]


@pytest.mark.parametrize("kind", KINDS)
def test_one_rows_count_and_scalar_read_what_the_services_wrote(systems, kind):
    system: System = systems(kind, "truncate")
    a = Writer(system, "a")
    with one_test(system, "reads") as db:
        order = a.sql("INSERT INTO orders (customer_id, total_cents) VALUES (2, 500) RETURNING id")
        oid = order[0]["id"]
        a.sql("INSERT INTO order_items (order_id, product_id, qty) VALUES (:o, 1, 1)", o=oid)
        a.sql("INSERT INTO order_items (order_id, product_id, qty) VALUES (:o, 2, 4)", o=oid)
        assert db.one("orders", id=oid) == {
            "id": oid,
            "customer_id": 2,
            "status": "new",
            "total_cents": 500,
        }
        assert [r["qty"] for r in db.rows("order_items", order_id=oid)] == [1, 4]
        assert db.count("order_items") == 3
        assert db.count("orders", customer_id=2, status="new") == 1
        assert db.count("customers", name=None) == 0  # None matches NULL
        assert db.scalar("SELECT sum(qty) FROM order_items WHERE order_id = :o", o=oid) in (
            5,
            Decimal(5),
        )


@pytest.mark.parametrize("kind", KINDS)
def test_one_shows_the_rows_that_were_there_when_none_matches(systems, kind):
    system: System = systems(kind, "truncate")
    with one_test(system, "one") as db:
        with pytest.raises(AssertionError) as failure:
            db.one("customers", email="zed@example.com")
        message = str(failure.value)
        assert message.startswith(
            "db.one('customers', email='zed@example.com'): expected one row, found none. "
            "customers holds 3 rows:\n"
        )
        assert "{id: 2, email: 'bob@example.com', name: 'Bob'}" in message
        with pytest.raises(AssertionError, match=r"expected one row, found 3:\n    \{id: 1"):
            db.one("customers")


@pytest.mark.parametrize("kind", KINDS)
def test_insert_commits_a_row_the_services_see_with_defaults_filled_in(systems, kind):
    system: System = systems(kind, "truncate")
    with one_test(system, "insert") as db:
        row = db.insert("products", sku="cap", price_cents=1200)
        assert row == {"id": 3, "sku": "cap", "price_cents": 1200, "price_label": "$12"}
        seen = Writer(system, "b").sql("SELECT sku FROM products WHERE id = :i", i=row["id"])
        assert seen == [{"sku": "cap"}]
        db.assert_changes(inserted={"products": 1}, updated={}, deleted={})
        with pytest.raises(DatabaseError, match=r"db.insert\('products', sku='cap'.*\) failed: .*"):
            db.insert("products", sku="cap", price_cents=1)  # sku is unique


def test_assert_changes_passes_when_the_counts_match_and_ignores_kinds_left_out(systems):
    system: System = systems("sqlite", "truncate")
    a, b = Writer(system, "a"), Writer(system, "b")
    with one_test(system, "consistent") as db:
        oid = a.sql("INSERT INTO orders (customer_id) VALUES (1) RETURNING id")[0]["id"]
        b.sql("INSERT INTO order_items (order_id, product_id, qty) VALUES (:o, 1, 1)", o=oid)
        b.sql("INSERT INTO order_items (order_id, product_id, qty) VALUES (:o, 2, 1)", o=oid)
        a.sql("UPDATE customers SET name = 'Ada L.' WHERE id = 1")
        db.assert_changes(
            inserted={"orders": 1, "order_items": 2}, updated={"customers": 1}, deleted={}
        )
        db.assert_changes(inserted={"orders": 1, "order_items": 2})  # updates not checked


def test_assert_changes_failure_reads_as_a_table_of_expected_and_found(systems):
    system: System = systems("sqlite", "truncate")
    a = Writer(system, "a")
    with one_test(system, "inconsistent") as db:
        oid = a.sql("INSERT INTO orders (customer_id) VALUES (1) RETURNING id")[0]["id"]
        a.sql("INSERT INTO order_items (order_id, product_id, qty) VALUES (:o, 1, 1)", o=oid)
        a.sql("DELETE FROM order_items WHERE id = 1")
        with pytest.raises(AssertionError) as failure:
            db.assert_changes(inserted={"orders": 1, "order_items": 2}, updated={})
    first, *lines = str(failure.value).splitlines()
    assert first == "database 'db': the rows changed during this test are not the expected ones"
    table = "\n".join(lines[:5])
    assert re.search(r"inserted:\n\s+order_items\s+expected\s+2\s+found\s+1\s+<-- differs", table)
    assert re.search(r"orders\s+expected\s+1\s+found\s+1\n", table)
    assert "updated: nothing, as expected" in table
    assert "deleted" not in table  # not asked about
    assert lines[4] == "the changes to order_items, in commit order:"
    row = f"{{id: 2, order_id: {oid}, product_id: 1, qty: 1}}"
    assert lines[5].endswith(f"insert order_items[id=2] {row}")


def test_assert_changes_names_an_unknown_table_and_a_bad_count(systems):
    system: System = systems("sqlite", "truncate")
    with one_test(system, "bad input") as db:
        with pytest.raises(DatabaseError, match=r"no table 'order'; did you mean 'orders'\?"):
            db.assert_changes(inserted={"order": 1})
        with pytest.raises(DatabaseError, match=r"expected a number of rows .* found '1'"):
            db.assert_changes(inserted={"orders": "1"})  # type: ignore[dict-item]


def test_unknown_tables_and_columns_say_what_exists(systems):
    system: System = systems("sqlite", "truncate")
    with one_test(system, "typos") as db:
        with pytest.raises(DatabaseError) as failure:
            db.rows("customer")
        assert str(failure.value) == (
            "database 'db' has no table 'customer'; did you mean 'customers'?\n"
            "  tables: audit_log, customers, notes, order_items, orders, products"
        )
        with pytest.raises(DatabaseError) as failure:
            db.one("orders", state="paid")
        assert str(failure.value) == (
            "db.one('orders', state='paid'): table 'orders' has no column 'state'; "
            "did you mean 'status'?\n"
            "  columns of orders: id, customer_id, status, total_cents"
        )
        with pytest.raises(DatabaseError, match=r"db.count\('orders', x=1\): table 'orders'"):
            db.count("orders", x=1)
        with pytest.raises(DatabaseError, match=r"db.insert\('orders', customer_id=1, y=2\): "):
            db.insert("orders", customer_id=1, y=2)
        with pytest.raises(DatabaseError, match=r"database 'db': no such column: nope\n  in: "):
            db.scalar("SELECT nope FROM orders")


def test_system_db_names_the_databases_when_it_cannot_pick_one(systems):
    system: System = systems("sqlite", "truncate")
    with pytest.raises(DatabaseError, match=r"service 'a' is a 'process' service, expected a "):
        system.db("a")
    with pytest.raises(SeamlineError, match=r"no service named 'dbb'; did you mean 'db'\?"):
        system.db("dbb")
    assert system.db("db") is system.db()


def test_several_databases_in_one_system_each_isolated(tmp_path, write_config, start_system):
    (tmp_path / "orders.sql").write_text("CREATE TABLE orders (id INTEGER PRIMARY KEY, sku TEXT);")
    (tmp_path / "stock.sql").write_text(
        "CREATE TABLE stock (sku text PRIMARY KEY, qty int);\n"
        "INSERT INTO stock VALUES ('mug', 5);\n"
    )
    system = start_system(
        write_config("""
        [services.orders_db]
        kind = "sqlite"
        schema = "orders.sql"
        [services.inventory_db]
        kind = "postgres"
        schema = "stock.sql"
        """)
    )
    with pytest.raises(DatabaseError, match=r"expected exactly one database .* found 2"):
        system.db()
    orders, stock = system.db("orders_db"), system.db("inventory_db")
    assert (orders.isolation, stock.isolation) == ("truncate", "truncate")  # "auto" per kind
    for _ in range(2):
        system.databases.begin_test("t")
        assert orders.count("orders") == 0 and stock.one("stock", sku="mug")["qty"] == 5
        orders.insert("orders", sku="mug")
        with stock.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE stock SET qty = qty - 1 WHERE sku = 'mug'")
        orders.assert_changes(inserted={"orders": 1}, updated={}, deleted={})
        stock.assert_changes(inserted={}, updated={"stock": 1}, deleted={})
        system.databases.end_test()
