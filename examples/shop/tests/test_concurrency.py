"""Requests that race: the same order submitted 20 times at once (a double click, a retrying
proxy, an impatient user on a slow network) is charged once and every client is told the same
thing; an item added while its cart is being ordered is either in the order or refused. The
api holds no lock of its own; the database arbitrates, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
from shop_client import CARD_OK, STICKERS, ShopApi, new_key

AT_ONCE = 20
RACES = 12  # add-vs-order races per test; on PostgreSQL, without a lock, most go wrong


def all_at_once(
    url: str, submit: Callable[[httpx.Client, int], httpx.Response]
) -> list[httpx.Response]:
    """Call `submit` from AT_ONCE threads, each on its own connection, released together."""
    start = threading.Barrier(AT_ONCE)

    def one(i: int) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=30.0) as client:
            start.wait()
            return submit(client, i)

    with ThreadPoolExecutor(AT_ONCE) as pool:
        return list(pool.map(one, range(AT_ONCE)))


def add_and_order_at_once(
    url: str, cart_id: int, product_id: int
) -> tuple[httpx.Response, httpx.Response]:
    """`POST /carts/{id}/items` and `POST /orders` for one cart, on two connections, together."""
    start = threading.Barrier(2)

    def add() -> httpx.Response:
        with httpx.Client(base_url=url, timeout=30.0) as client:
            start.wait()
            return client.post(f"/carts/{cart_id}/items", json={"product_id": product_id})

    def order() -> httpx.Response:
        with httpx.Client(base_url=url, timeout=30.0) as client:
            start.wait()
            return client.post(
                "/orders",
                json={"cart_id": cart_id, "card_number": CARD_OK},
                headers={"Idempotency-Key": new_key()},
            )

    with ThreadPoolExecutor(2) as pool:
        added, placed = pool.submit(add), pool.submit(order)
        return added.result(), placed.result()


def test_the_same_order_submitted_20_times_at_once_is_charged_once(
    system, shop: ShopApi, db, payments_ledger
):
    shopper = shop.shopper()
    key = new_key()

    responses = all_at_once(
        system.url("api"),
        lambda client, i: client.post(
            "/orders",
            json={"cart_id": shopper.cart_id, "card_number": CARD_OK},
            headers={"Idempotency-Key": key, "X-Request-ID": f"double-submit-{i}"},
        ),
    )

    # Every client is told the same: one paid order, paid by exactly one of them.
    assert Counter(r.status_code for r in responses) == {201: 1, 200: AT_ONCE - 1}, [
        r.text for r in responses if r.status_code not in (200, 201)
    ]
    assert Counter(r.headers["Idempotent-Replayed"] for r in responses) == {
        "false": 1,
        "true": AT_ONCE - 1,
    }
    orders = {(r.json()["id"], r.json()["status"], r.json()["charge_id"]) for r in responses}
    assert len(orders) == 1, orders
    ((order_id, status, charge_id),) = orders
    assert status == "paid"

    # All 20 reached the api; one charge crossed to payments, and payments holds one.
    assert system.seam("test", "api").calls("POST", "/orders").count == AT_ONCE
    charge = system.seam("api", "payments").one("POST", "/charges")
    assert charge.response.json["id"] == charge_id
    assert [c["id"] for c in payments_ledger.charges_for(order_id)] == [charge_id]

    # One order in the database, paid with that charge.
    stored = db.one("orders", cart_id=shopper.cart_id)
    assert (stored["id"], stored["status"], stored["charge_id"]) == (order_id, "paid", charge_id)


def test_one_cart_checked_out_20_times_at_once_with_different_keys_is_charged_once(
    system, shop: ShopApi, db, payments_ledger
):
    shopper = shop.shopper()
    keys = [new_key() for _ in range(AT_ONCE)]

    responses = all_at_once(
        system.url("api"),
        lambda client, i: client.post(
            "/orders",
            json={"cart_id": shopper.cart_id, "card_number": CARD_OK},
            headers={"Idempotency-Key": keys[i]},
        ),
    )

    assert Counter(r.status_code for r in responses) == {201: 1, 409: AT_ONCE - 1}
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {
        "cart_has_order"
    }
    (paid,) = [r.json() for r in responses if r.status_code == 201]
    system.seam("api", "payments").one("POST", "/charges")
    assert [c["id"] for c in payments_ledger.charges_for(paid["id"])] == [paid["charge_id"]]
    stored = db.one("orders", cart_id=shopper.cart_id)
    assert (stored["id"], stored["status"]) == (paid["id"], "paid")


def test_an_item_added_while_its_cart_is_ordered_is_in_the_order_or_refused(
    system, shop: ShopApi, db
):
    """The cart must not change under an order being placed: an add that races the order
    either lands before it (and is in the order) or after it (and is refused with 409)."""
    stickers = shop.product_id(STICKERS)
    for _ in range(RACES):
        shopper = shop.shopper()
        added, placed = add_and_order_at_once(system.url("api"), shopper.cart_id, stickers)

        assert placed.status_code == 201, placed.text
        in_cart = [
            (i["product_id"], i["quantity"]) for i in db.rows("cart_items", cart_id=shopper.cart_id)
        ]
        ordered = [(i["product_id"], i["quantity"]) for i in placed.json()["items"]]
        if added.status_code == 200:
            assert ordered == in_cart, "an item was added to the cart but left out of its order"
        else:
            assert (added.status_code, added.json()["error"]["code"]) == (409, "cart_has_order")
            assert ordered == in_cart
