"""Data consistency: the rows a checkout changes are exactly the ones it should, and the api's
database and payments' books agree on the money. A paid order's shipment is written by another
process, the fulfilment worker, once `order.paid` reaches it: the test waits for it.

Whole tables are compared before and after the flow, by primary key, so a stray write
anywhere (a second order, a cart emptied, a price rewritten) fails the test; and seamline's
change capture says what was written on the way, in commit order.
"""

from __future__ import annotations

from typing import Any

from shop_client import CARD_DECLINED, MUG, STICKERS, ShopApi, new_key

from seamline.seams import eventually

# Each table of the shop (db/schema.*.sql) and its primary key.
TABLES = {
    "users": ("id",),
    "products": ("id",),
    "carts": ("id",),
    "cart_items": ("cart_id", "product_id"),
    "orders": ("id",),
    "order_items": ("order_id", "product_id"),
    "shipments": ("id",),
}

Rows = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


def everything(db) -> Rows:
    return {
        table: {tuple(row[c] for c in key): row for row in db.rows(table)}
        for table, key in TABLES.items()
    }


def differences(before: Rows, after: Rows) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    """Per table, the keys of the rows inserted, updated and deleted (empty tables left out)."""
    changes = {}
    for table in TABLES:
        old, new = before[table], after[table]
        change = {
            "inserted": sorted(k for k in new if k not in old),
            "updated": sorted(k for k in new if k in old and new[k] != old[k]),
            "deleted": sorted(k for k in old if k not in new),
        }
        if any(change.values()):
            changes[table] = {kind: keys for kind, keys in change.items() if keys}
    return changes


def test_a_checkout_inserts_its_user_cart_items_and_order_and_changes_nothing_else(
    system, shop: ShopApi, db, payments_ledger
):
    before = everything(db)

    shopper = shop.shopper({MUG: 2, STICKERS: 3})
    placed = shop.place_order(shopper.cart_id, key=new_key())

    assert placed.status_code == 201, placed.text
    user, cart, order = shopper.user["id"], shopper.cart_id, placed.json()["id"]
    mug, stickers = shop.product_id(MUG), shop.product_id(STICKERS)
    shipment = eventually(lambda: db.one("shipments", order_id=order), timeout=10.0)["id"]
    after = everything(db)
    assert differences(before, after) == {
        "users": {"inserted": [(user,)]},
        "carts": {"inserted": [(cart,)]},
        "cart_items": {"inserted": sorted([(cart, mug), (cart, stickers)])},
        "orders": {"inserted": [(order,)]},
        "order_items": {"inserted": sorted([(order, mug), (order, stickers)])},
        "shipments": {"inserted": [(shipment,)]},
    }

    # What every service wrote, captured in commit order by seamline's triggers: the same
    # rows, plus the order's one update from pending to paid (a net diff cannot show it).
    db.assert_changes(
        inserted={
            "users": 1,
            "carts": 1,
            "cart_items": 2,
            "orders": 1,
            "order_items": 2,
            "shipments": 1,
        },
        updated={"orders": 1},
        deleted={},
    )
    (paid,) = [c for c in db.changes(table="orders") if c.op == "update"]
    assert paid.changed["status"] == ("pending", "paid")
    (shipped,) = db.changes(table="shipments")
    assert shipped.seq > paid.seq  # shipped only once the order was paid

    # The order is a faithful snapshot of the cart at the catalogue's prices ...
    products = after["products"]
    items = [after["order_items"][(order, p)] for p in (mug, stickers)]
    assert [(i["quantity"], i["unit_price_cents"]) for i in items] == [
        (2, products[(mug,)]["price_cents"]),
        (3, products[(stickers,)]["price_cents"]),
    ]
    stored = after["orders"][(order,)]
    assert stored["total_cents"] == sum(i["quantity"] * i["unit_price_cents"] for i in items)
    assert stored["total_cents"] == 2 * 1999 + 3 * 499

    # ... and payments charged exactly that, under the charge id the order keeps.
    (charge,) = payments_ledger.charges_for(order)
    assert (charge["id"], charge["amount"], charge["currency"], charge["status"]) == (
        stored["charge_id"],
        stored["total_cents"],
        stored["currency"],
        "succeeded",
    )
    crossed = system.seam("api", "payments").one("POST", "/charges").request.json
    assert (crossed["amount"], crossed["currency"]) == (stored["total_cents"], stored["currency"])


def test_a_declined_checkout_keeps_the_cart_and_stores_one_failed_order(shop: ShopApi, db):
    shopper = shop.shopper()
    before = everything(db)

    declined = shop.place_order(shopper.cart_id, CARD_DECLINED)

    assert declined.status_code == 402, declined.text
    order = declined.json()["order"]["id"]
    after = everything(db)
    assert differences(before, after) == {
        "orders": {"inserted": [(order,)]},
        "order_items": {"inserted": [(order, shop.product_id(MUG))]},
    }
    assert after["orders"][(order,)]["status"] == "payment_failed"
    assert after["orders"][(order,)]["charge_id"] is None
