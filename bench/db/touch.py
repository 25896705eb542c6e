"""What one benchmark test does to the database: ~100 rows in 10 tables, like a test of a shop.

Plain DB-API calls with literal values, so the same code runs on psycopg and sqlite3
and in the peer's environment, which has no seamline.
"""

from __future__ import annotations

from typing import Any

ORDERS_PER_TEST = 10


def touch(conn: Any) -> int:
    """Insert, update and delete about 100 rows in one transaction; returns how many."""
    cur = conn.cursor()
    rows = 0
    for i in range(1, ORDERS_PER_TEST + 1):
        cur.execute(f"INSERT INTO carts (customer_id) VALUES ({i}) RETURNING id")
        cart = cur.fetchone()[0]
        for product in (i, i + 1):
            cur.execute(
                f"INSERT INTO cart_items (cart_id, product_id, qty) VALUES ({cart}, {product}, 1)"
            )
        cur.execute(
            "INSERT INTO orders (customer_id, status, total_cents) "
            f"VALUES ({i}, 'new', {i * 300}) RETURNING id"
        )
        order = cur.fetchone()[0]
        for product in (i, i + 1, i + 2):
            cur.execute(
                "INSERT INTO order_items (order_id, product_id, qty, price_cents) "
                f"VALUES ({order}, {product}, 1, {product * 100})"
            )
        cur.execute(
            f"INSERT INTO payments (order_id, amount_cents, status) VALUES ({order}, 600, 'ok')"
        )
        cur.execute(f"INSERT INTO shipments (order_id, carrier) VALUES ({order}, 'post')")
        cur.execute(f"INSERT INTO events (kind, payload) VALUES ('order', '{{\"id\": {order}}}')")
        cur.execute(f"UPDATE customers SET name = 'Buyer {i}' WHERE id = {i}")
        cur.execute(f"UPDATE orders SET status = 'paid' WHERE id = {order}")
        rows += 12
    cur.execute(f"DELETE FROM reviews WHERE id <= {ORDERS_PER_TEST // 2}")
    rows += ORDERS_PER_TEST // 2
    conn.commit()
    return rows
