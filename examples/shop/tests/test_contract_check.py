"""Negative contract tests, in the shop's own session: exchanges that break
`contracts/payments.yaml` on purpose, with the violations expected instead of failing the test.

- The function form, `with system.seams.expect_violations() as seen:`: the test sends payments
  an invalid charge (amount as a decimal string) and checks that payments refuses it.
- The marker form, `@pytest.mark.expect_violations`: payments (a stub on the `api -> payments`
  seam) answers `amount` as a string ("39.98") instead of integer cents, the README's "see a
  failure"; the api refuses the answer, and the contract check names the seam, the operation
  and the field. (The real run of the README's story is tests/report/test_shop_report.py.)
"""

from __future__ import annotations

import pytest
from shop_client import CARD_OK, ShopApi, error_of, new_key

from seamline.mock import post

VIOLATION = (
    "api -> payments: POST /charges response 201: body.amount: "
    "expected integer, found string '39.98'"
)
CHARGE_WITH_AMOUNT_AS_A_STRING = {
    "id": "ch_" + "0" * 24,
    "amount": "39.98",
    "currency": "USD",
    "status": "succeeded",
    "card_last4": "4242",
    "description": None,
    "idempotency_key": "key-1",
    "failure_code": None,
    "failure_message": None,
    "created": "2026-11-30T12:00:00Z",
}


def test_payments_refuses_a_charge_whose_amount_is_not_integer_cents(system):
    payments = system.client("payments")
    with system.seams.expect_violations() as seen:
        refused = payments.post(
            "/charges",
            json={"amount": "39.98", "currency": "USD", "card_number": CARD_OK},
            headers={"Idempotency-Key": new_key()},
        )
    assert refused.status_code == 422
    assert refused.json()["error"]["param"] == "amount"
    assert [(v.seam, v.where, v.pointer) for v in seen] == [
        ("test -> payments", "request", "/amount")
    ]
    assert system.seams.violations() == []  # expected: they do not fail the test


@pytest.mark.expect_violations
def test_payments_answering_amount_as_a_string_fails_checkout_naming_seam_operation_and_field(
    system, shop: ShopApi, db, mock
):
    mock.stub(post("/charges")).reply(201, json=CHARGE_WITH_AMOUNT_AS_A_STRING)
    system.seam("api", "payments").use_stub(mock)
    shopper = shop.shopper()

    answer = shop.place_order(shopper.cart_id, key=new_key())

    status, error, order = error_of(answer)
    assert (status, error, order["status"]) == (502, "payments_bad_response", "payment_error")
    assert db.one("orders", id=order["id"])["status"] == "payment_error"
    assert [v.message for v in system.seams.violations()] == [VIOLATION]
