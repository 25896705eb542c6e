"""The user's scenario, step by step: create a user via the api, add items to a cart, submit
the order, payments is called, the order is stored correctly in the database, and the response
sent back to the frontend is right. Once against the real payments sandbox, once with payments
stubbed by the WireMock mappings in examples/shop/stubs/payments.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from shop_client import CARD_OK, MUG, ShopApi, new_key, new_request_id

from seamline.seams import eventually

PAYMENTS = [
    # the real sandbox is what this case is about: a strategy's replayed step leaves it real
    pytest.param("real", id="payments-real", marks=pytest.mark.seams(payments="real")),
    pytest.param("stub", id="payments-stubbed", marks=pytest.mark.seams(payments="stub")),
]


@pytest.mark.parametrize("payments", PAYMENTS)
def test_checkout_charges_the_cart_total_once_and_stores_the_paid_order(
    system, db, payments_ledger, payments
):
    api = system.client("api")

    # 1. Create a test user via the api.
    email = f"ada-{uuid.uuid4().hex[:12]}@example.com"
    created = api.post("/users", json={"email": email, "name": "Ada Lovelace"})
    assert created.status_code == 201, created.text
    user = created.json()
    assert (user["email"], user["name"]) == (email, "Ada Lovelace")

    # 2. Add items to a shopping cart: the mug, twice (the second add raises its quantity).
    opened = api.post("/carts", json={"user_id": user["id"]})
    assert opened.status_code == 201, opened.text
    cart = opened.json()
    assert (cart["user_id"], cart["items"], cart["total_cents"]) == (user["id"], [], 0)
    catalogue = {product["sku"]: product for product in api.get("/products").json()}
    mug = catalogue[MUG]
    assert (mug["price_cents"], mug["currency"]) == (1999, "USD")
    for quantity in (1, 2):
        added = api.post(f"/carts/{cart['id']}/items", json={"product_id": mug["id"]})
        assert added.status_code == 200, added.text
        assert [(i["sku"], i["quantity"]) for i in added.json()["items"]] == [(MUG, quantity)]
    assert (added.json()["total_cents"], added.json()["currency"]) == (3998, "USD")

    # 3. Submit the order.
    key, request_id = new_key(), new_request_id()
    response = api.post(
        "/orders",
        json={"cart_id": cart["id"], "card_number": CARD_OK},
        headers={"Idempotency-Key": key, "X-Request-ID": request_id},
    )

    # 4. payments was called once, after the order came in, for the cart's total, with the
    #    order's idempotency key and the request id passed on; its answer kept its contract.
    charge = system.seam("api", "payments").one("POST", "/charges")
    assert charge.mode == payments
    flow = system.seams.sequence()
    assert flow.index_of("test -> api", "POST", "/orders") < flow.index_of(
        "api -> payments", "POST", "/charges"
    )
    sent = charge.request.json
    assert (sent["amount"], sent["currency"], sent["card_number"]) == (3998, "USD", CARD_OK)
    assert charge.request.headers.get("Idempotency-Key") == f"shop-order-{key}"
    assert charge.request.headers.get("X-Request-ID") == request_id
    assert charge.violations == [], "\n".join(v.message for v in charge.violations)
    assert charge.status == 201
    charged = charge.response.json
    assert (charged["amount"], charged["currency"], charged["status"]) == (3998, "USD", "succeeded")

    # 5. The order is stored correctly in the database.
    order = db.one("orders", idempotency_key=key)
    assert sent["description"] == f"shop order {order['id']}"
    assert (order["user_id"], order["cart_id"]) == (user["id"], cart["id"])
    assert (order["status"], order["charge_id"]) == ("paid", charged["id"])
    assert (order["total_cents"], order["currency"]) == (3998, "USD")
    assert (order["failure_code"], order["failure_message"]) == (None, None)
    assert db.rows("order_items", order_id=order["id"]) == [
        {"order_id": order["id"], "product_id": mug["id"], "quantity": 2, "unit_price_cents": 1999}
    ]

    # 6. The response sent back to the frontend says so too, and reads back the same.
    assert response.status_code == 201, response.text
    assert response.headers["X-Request-ID"] == request_id
    assert response.headers["Idempotent-Replayed"] == "false"
    placed = response.json()
    assert (placed["id"], placed["status"], placed["charge_id"]) == (
        order["id"],
        "paid",
        order["charge_id"],
    )
    assert (placed["total_cents"], placed["currency"]) == (3998, "USD")
    assert placed["items"] == [{"product_id": mug["id"], "quantity": 2, "unit_price_cents": 1999}]
    assert api.get(f"/orders/{order['id']}").json() == placed

    # payments' own books: the real processor holds exactly this charge; a stubbed run
    # never reached it.
    held = payments_ledger.charges_with_key(f"shop-order-{key}")
    if payments == "real":
        assert [(c["id"], c["amount"], c["status"]) for c in held] == [
            (order["charge_id"], 3998, "succeeded")
        ]
    else:
        assert held == []


@pytest.mark.seams(payments="real")  # it reads the real payments' log
def test_the_request_id_is_passed_on_from_the_client_through_the_api_to_payments(
    system, shop: ShopApi
):
    # The cart is filled on the api's own address, bypassing the seams, so the only call on
    # `test -> api` in this test is the order, the call that reaches payments.
    with httpx.Client(base_url=system.direct_url("api"), timeout=10.0) as direct:
        shopper = ShopApi(direct).shopper()
    request_id = new_request_id()

    response = shop.place_order(shopper.cart_id, request_id=request_id)

    assert response.status_code == 201, response.text
    system.seams.assert_header_propagated("X-Request-ID", from_="test -> api", to="api -> payments")
    assert response.headers["X-Request-ID"] == request_id
    charge = system.seam("api", "payments").one("POST", "/charges")
    assert charge.response.headers.get("X-Request-ID") == request_id  # payments echoed it
    eventually(lambda: f"request {request_id}" in system.logs("payments"))


def test_resubmitting_a_paid_order_replays_it_without_charging_again(system, shop: ShopApi):
    shopper = shop.shopper()
    key = new_key()

    first = shop.place_order(shopper.cart_id, key=key)
    again = shop.place_order(shopper.cart_id, key=key)

    assert (first.status_code, first.headers["Idempotent-Replayed"]) == (201, "false")
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (200, "true")
    assert again.json() == first.json()
    system.seam("api", "payments").one("POST", "/charges")  # the replay did not call payments


def test_a_second_key_for_a_paid_cart_is_refused_without_charging(system, shop: ShopApi, db):
    shopper = shop.shopper()
    assert shop.place_order(shopper.cart_id).status_code == 201

    other = shop.place_order(shopper.cart_id)  # a new checkout attempt for the same cart

    assert other.status_code == 409, other.text
    assert other.json()["error"]["code"] == "cart_has_order"
    system.seam("api", "payments").one("POST", "/charges")
    assert [o["status"] for o in db.rows("orders", cart_id=shopper.cart_id)] == ["paid"]
