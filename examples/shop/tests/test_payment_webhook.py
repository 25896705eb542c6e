"""payments' webhook: once a charge is made, payments calls the api back (`POST
/payments/events`), which settles what the api could not know from the answer alone."""

from __future__ import annotations

from shop_client import CARD_OK, ShopApi, error_of, new_key

from seamline.mock import post
from seamline.seams import eventually


def test_the_sandbox_calls_back_after_a_charge_and_a_paid_order_stays_paid(
    system, shop: ShopApi, db
):
    shopper = shop.shopper()
    paid = shop.place_order(shopper.cart_id, CARD_OK, key=new_key())
    assert paid.status_code == 201, paid.text
    order_id = paid.json()["id"]

    # the charge request asked for the webhook, at the api's own address
    [charge] = system.seam("api", "payments").calls("POST", "/charges")
    assert charge.request.json["notify_url"].endswith("/payments/events")
    line = f"payments event charge.succeeded for order {order_id}: order is paid"
    assert eventually(lambda: line in system.logs("api"), timeout=10)
    assert db.one("orders", id=order_id)["status"] == "paid"


def test_a_charge_whose_answer_was_lost_is_settled_by_the_webhook(system, shop: ShopApi, db, mock):
    # payments charges the card, then its connection drops before it answers: the api cannot
    # know the charge happened, so the order is payment_error. The webhook, templated from
    # the charge request by the stub engine, tells it.
    mock.add_mapping({
        "request": {"method": "POST", "urlPath": "/charges"},
        "response": {"fault": "CONNECTION_RESET_BY_PEER"},
        "serveEventListeners": [{"name": "webhook", "parameters": {
            "method": "POST",
            "url": "{{jsonPath originalRequest.body '$.notify_url'}}",
            "headers": {"Content-Type": "application/json"},
            "body": """{"type": "charge.succeeded", "charge": {
                "id": "ch_from_webhook", "status": "succeeded",
                "amount": {{jsonPath originalRequest.body '$.amount'}},
                "currency": "{{jsonPath originalRequest.body '$.currency'}}",
                "idempotency_key": "{{originalRequest.headers.Idempotency-Key}}"}}""",
            "delay": {"type": "fixed", "milliseconds": 100},
        }}],
    })  # fmt: skip
    system.seam("api", "payments").use_stub(mock)
    shopper = shop.shopper()
    key = new_key()

    lost = shop.place_order(shopper.cart_id, CARD_OK, key=key)

    assert error_of(lost)[:2] == (502, "payments_unavailable")
    mock.wait_for(post("/charges"))

    def settled() -> bool:
        return db.one("orders", idempotency_key=key)["status"] == "paid"

    assert eventually(settled, timeout=10)
    order = db.one("orders", idempotency_key=key)
    assert order["charge_id"] == "ch_from_webhook"
    # The webhook made it paid, so the webhook's request sent order.paid: it is shipped.
    eventually(lambda: db.one("shipments", order_id=order["id"]), timeout=10)
