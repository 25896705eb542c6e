"""What the shop does when payments says no, is too slow, is down, or answers nonsense.

Every order leaves `pending`: a declined card makes it `payment_failed` (final, 402); a
payments problem makes it `payment_error` (502/504), which the same Idempotency-Key retries
later without ever charging the card twice.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from typing import NamedTuple

import pytest
from shop_client import (
    CARD_DECLINED,
    CARD_HANGS,
    CARD_INSUFFICIENT_FUNDS,
    CARD_OK,
    ShopApi,
    error_of,
    new_key,
)

from seamline.mock import post
from seamline.seams import SeamView, eventually

# --- declined cards -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("card", "code"),
    [
        pytest.param(CARD_DECLINED, "card_declined", id="declined-payments-real"),
        pytest.param(
            CARD_DECLINED,
            "card_declined",
            id="declined-payments-stubbed",
            marks=pytest.mark.seams(payments="stub"),
        ),
        pytest.param(CARD_INSUFFICIENT_FUNDS, "insufficient_funds", id="insufficient-funds"),
    ],
)
def test_a_declined_card_fails_the_order_with_402_and_nothing_is_charged_twice(
    system, shop: ShopApi, db, card, code
):
    shopper = shop.shopper()
    key = new_key()
    payments = system.seam("api", "payments")

    declined = shop.place_order(shopper.cart_id, card, key=key)

    status, error, order = error_of(declined)
    assert (status, error, order["status"]) == (402, code, "payment_failed")
    assert declined.headers["Idempotent-Replayed"] == "false"
    stored = db.one("orders", idempotency_key=key)
    assert (stored["status"], stored["failure_code"], stored["charge_id"]) == (
        "payment_failed",
        code,
        None,
    )
    assert payments.one("POST", "/charges").status == 402

    # The same attempt again (a double click): the same answer, and payments is not asked.
    again = shop.place_order(shopper.cart_id, card, key=key)
    assert error_of(again)[:2] == (402, code)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert payments.calls("POST", "/charges").count == 1

    # A new attempt with another card pays the same cart, once.
    paid = shop.place_order(shopper.cart_id, CARD_OK)
    assert paid.status_code == 201, paid.text
    assert [c.status for c in payments.calls("POST", "/charges")] == [402, 201]
    assert [o["status"] for o in db.rows("orders", cart_id=shopper.cart_id)] == [
        "payment_failed",
        "paid",
    ]


def test_a_decline_is_recorded_by_payments_as_one_failed_charge(shop: ShopApi, payments_ledger):
    shopper = shop.shopper()
    key = new_key()

    for _ in range(2):
        assert shop.place_order(shopper.cart_id, CARD_DECLINED, key=key).status_code == 402

    held = payments_ledger.charges_with_key(f"shop-order-{key}")
    assert [(c["status"], c["failure_code"]) for c in held] == [("failed", "card_declined")]


# --- payments too slow ----------------------------------------------------------------------


def a_charge(amount: int) -> dict[str, object]:
    """A succeeded charge as contracts/payments.yaml describes it."""
    return {
        "id": "ch_" + "0" * 24,
        "amount": amount,
        "currency": "USD",
        "status": "succeeded",
        "card_last4": "4242",
        "description": None,
        "idempotency_key": None,
        "failure_code": None,
        "failure_message": None,
        "created": "2026-01-01T00:00:00Z",
    }


HANG_SECONDS = 30.0  # how long the sandbox hangs on CARD_HANGS (SHOP_PAYMENTS_HANG_SECONDS)


def test_payments_hanging_is_cut_off_at_the_api_timeout_with_504_and_the_order_is_not_pending(
    system, shop: ShopApi, db, payments_ledger
):
    timeout = float(system.env("api")["PAYMENTS_TIMEOUT"])
    shopper = shop.shopper()
    key = new_key()

    started = time.monotonic()
    response = shop.place_order(shopper.cart_id, CARD_HANGS, key=key)  # payments hangs 30 s
    waited = time.monotonic() - started

    assert error_of(response)[:2] == (504, "payments_timeout")
    # Cut off by the api's timeout, not by payments: sooner than the 30 s payments hangs.
    # (Bounds that hold on any machine; how close to the timeout it answers is bench's.)
    assert timeout <= waited < HANG_SECONDS, f"answered after {waited:.2f} s"
    stored = db.one("orders", idempotency_key=key)
    assert (stored["status"], stored["failure_code"]) == ("payment_error", "payments_timeout")
    # The api hung up on payments at its timeout; the seam passed that on, and the sandbox,
    # seeing its client leave, charged nothing.
    hop = system.seam("api", "payments").calls("POST", "/charges").one()
    assert hop.outcome == "timeout"
    assert "the consumer gave up" in (hop.error or "")
    order_id = stored["id"]
    assert eventually(lambda: "no charge made" in system.logs("payments"), timeout=5)
    assert payments_ledger.charges_for(order_id) == []


def test_payments_trickling_its_answer_is_cut_off_at_the_api_timeout_too(
    system, shop: ShopApi, db, mock
):
    # A well-formed charge, sent a few bytes at a time over 3 x PAYMENTS_TIMEOUT: each read
    # comes well within the timeout, the whole answer does not.
    timeout = float(system.env("api")["PAYMENTS_TIMEOUT"])
    shopper = shop.shopper()
    key = new_key()
    mock.stub(post("/charges")).reply(
        201, json=a_charge(3998), dribble=(12, int(3 * timeout * 1000))
    )
    system.seam("api", "payments").use_stub(mock)

    started = time.monotonic()
    response = shop.place_order(shopper.cart_id, key=key)
    waited = time.monotonic() - started

    assert error_of(response)[:2] == (504, "payments_timeout")
    # Cut off by the api's timeout: before the whole answer (3 x the timeout) could arrive.
    assert timeout <= waited < 3 * timeout, f"answered after {waited:.2f} s"
    assert db.one("orders", idempotency_key=key)["status"] == "payment_error"
    # the seam saw the api give up halfway through the answer: not an answer to check
    cut = system.seam("api", "payments").calls("POST", "/charges").one()
    assert cut.outcome == "error"
    assert "before the answer ended" in (cut.error or "")
    assert cut.violations == []


def test_a_timed_out_payment_is_charged_once_when_the_same_key_is_retried(
    system, shop: ShopApi, db, payments_ledger
):
    shopper = shop.shopper()
    key = new_key()
    payments = system.seam("api", "payments").fault(timeout=True)  # payments never answers

    timed_out = shop.place_order(shopper.cart_id, key=key)

    status, error, order = error_of(timed_out)
    assert (status, error, order["status"]) == (504, "payments_timeout", "payment_error")
    assert db.one("orders", idempotency_key=key)["status"] == "payment_error"

    payments.use_real()
    retried = shop.place_order(shopper.cart_id, key=key)

    assert retried.status_code == 201, retried.text
    assert (retried.json()["id"], retried.json()["status"]) == (order["id"], "paid")
    assert [c.outcome for c in payments.calls("POST", "/charges")] == ["fault", "ok"]
    stored = db.one("orders", idempotency_key=key)
    assert stored["status"] == "paid"
    assert [c["id"] for c in payments_ledger.charges_for(order["id"])] == [stored["charge_id"]]


# --- payments down ----------------------------------------------------------------------------


@pytest.fixture
def nothing_listening() -> Iterator[str]:
    """An address where no server listens: a port held bound, never listening, so a connection
    to it is refused (as to payments when its process is not running) and no one else gets it."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{held.getsockname()[1]}"


class Outage(NamedTuple):
    take_down: Callable[[SeamView, str], object]
    outcome: str | None  # what the seam records of the api's call (None: nothing reached it)
    charged: bool  # whether payments charged the card before the api lost it


OUTAGES = {
    # its process is not running: nothing listens where it should be, so the seam does not
    # listen either and the api's connection is refused by the kernel, as in production
    "not-running": Outage(lambda seam, address: seam.use_stub(address), None, False),
    # it crashes while the api is connected
    "connection-reset": Outage(lambda seam, _: seam.fault(reset=True), "fault", False),
    # it is up but failing
    "answers-503": Outage(lambda seam, _: seam.fault(status=503, body="{}"), "fault", False),
    # it charges the card, then the connection drops halfway through its answer: the api
    # cannot know the card was charged, and its retry must not charge it again
    "answer-cut-off": Outage(lambda seam, _: seam.fault(drop_after_bytes=20), "fault", True),
}


@pytest.mark.parametrize("outage", list(OUTAGES))
def test_payments_down_answers_502_and_the_same_key_pays_once_it_is_back(
    system, shop: ShopApi, db, payments_ledger, nothing_listening, outage
):
    shopper = shop.shopper()
    key = new_key()
    payments = system.seam("api", "payments")
    down_by = OUTAGES[outage]
    down_by.take_down(payments, nothing_listening)

    down = shop.place_order(shopper.cart_id, key=key)

    status, error, order = error_of(down)
    assert (status, error, order["status"]) == (502, "payments_unavailable", "payment_error")
    if down_by.outcome is None:
        payments.none()
    else:
        assert payments.one("POST", "/charges").outcome == down_by.outcome
    assert len(payments_ledger.charges_for(order["id"])) == int(down_by.charged)
    if down_by.charged:
        # payments' webhook tells the api what the lost answer did not: the card was charged
        assert eventually(lambda: db.one("orders", idempotency_key=key)["status"] == "paid")
    else:
        assert db.one("orders", idempotency_key=key)["status"] == "payment_error"

    payments.use_real()
    back = shop.place_order(shopper.cart_id, key=key)

    # 201: this retry paid; 200: the webhook had, and the retry replays the paid order
    assert back.status_code == (200 if down_by.charged else 201), back.text
    assert back.json()["id"] == order["id"]
    stored = db.one("orders", idempotency_key=key)
    assert stored["status"] == "paid"
    assert [c["id"] for c in payments_ledger.charges_for(order["id"])] == [stored["charge_id"]]


# --- payments answering nonsense ---------------------------------------------------------------

# Answers injected on the seam in payments' place (seamline checks contracts on what
# providers answer, not on what a test injects, so these do not fail the test's teardown;
# the contract check itself is test_contract_check.py's subject).
MALFORMED = [
    pytest.param("<html>Bad Gateway</html>", "invalid json", id="not-json"),
    pytest.param(
        '{"id": "ch_1", "currency": "USD", "status": "succeeded"}',
        "amount: field required",
        id="amount-missing",
    ),
    pytest.param(
        '{"id": "ch_1", "amount": "39.98", "currency": "USD", "status": "succeeded"}',
        'amount: input should be a valid integer (found "39.98")',
        id="amount-as-a-string",
    ),
    pytest.param(
        '{"id": "ch_1", "amount": 1, "currency": "USD", "status": "succeeded"}',
        "payments charged 1 USD for an order of 3998 USD",
        id="wrong-amount",
    ),
]


@pytest.mark.parametrize(("body", "reason"), MALFORMED)
def test_payments_answering_a_malformed_charge_gets_502_and_the_order_is_payment_error(
    system, shop: ShopApi, db, body, reason
):
    shopper = shop.shopper()  # two mugs: 3998 USD
    key = new_key()
    system.seam("api", "payments").fault(status=201, body=body)

    response = shop.place_order(shopper.cart_id, key=key)

    status, error, order = error_of(response)
    assert (status, error, order["status"]) == (502, "payments_bad_response", "payment_error")
    assert reason in response.json()["error"]["message"]
    stored = db.one("orders", idempotency_key=key)
    assert (stored["status"], stored["charge_id"]) == ("payment_error", None)
    assert reason in stored["failure_message"]
