"""How the api reads payments' answers (shop_api.payments.interpret)."""

import json

import pytest
from shop_api.payments import ChargeDeclined, ChargeFailed, ChargeSucceeded, interpret


def charge(**changes: object) -> bytes:
    body = {"id": "ch_1", "amount": 3998, "currency": "USD", "status": "succeeded", **changes}
    return json.dumps(body).encode()


@pytest.mark.parametrize("status", [200, 201])
def test_a_charge_for_the_order_amount_pays_it(status: int) -> None:
    outcome = interpret(status, charge(), amount_cents=3998, currency="USD")
    assert outcome == ChargeSucceeded("ch_1")


def test_an_amount_as_a_decimal_string_is_a_bad_response_naming_the_field() -> None:
    outcome = interpret(201, charge(amount="39.98"), amount_cents=3998, currency="USD")
    assert isinstance(outcome, ChargeFailed)
    assert outcome.code == "payments_bad_response"
    assert "amount" in outcome.message
    assert '"39.98"' in outcome.message


def test_an_amount_in_digits_but_a_string_is_still_a_bad_response() -> None:
    outcome = interpret(201, charge(amount="3998"), amount_cents=3998, currency="USD")
    assert isinstance(outcome, ChargeFailed)


def test_a_charge_missing_its_id_is_a_bad_response() -> None:
    body = json.loads(charge())
    del body["id"]
    outcome = interpret(201, json.dumps(body).encode(), amount_cents=3998, currency="USD")
    assert isinstance(outcome, ChargeFailed)
    assert "id" in outcome.message


def test_a_charge_for_another_amount_is_a_bad_response() -> None:
    outcome = interpret(201, charge(amount=1999), amount_cents=3998, currency="USD")
    assert isinstance(outcome, ChargeFailed)
    assert "1999" in outcome.message


def test_a_body_that_is_not_json_is_a_bad_response() -> None:
    outcome = interpret(201, b"<html>oops</html>", amount_cents=3998, currency="USD")
    assert isinstance(outcome, ChargeFailed)
    assert outcome.code == "payments_bad_response"


def test_a_402_with_an_error_is_a_decline_with_its_reason() -> None:
    body = json.dumps({"error": {"type": "card_error", "code": "card_declined", "message": "No."}})
    outcome = interpret(402, body.encode(), amount_cents=3998, currency="USD")
    assert outcome == ChargeDeclined("card_declined", "No.")


def test_a_402_without_an_error_body_is_a_bad_response() -> None:
    outcome = interpret(402, b"{}", amount_cents=3998, currency="USD")
    assert isinstance(outcome, ChargeFailed)


def test_a_server_error_means_payments_is_unavailable() -> None:
    outcome = interpret(503, b"upstream\n   down", amount_cents=3998, currency="USD")
    assert outcome == ChargeFailed("payments_unavailable", "payments answered 503: upstream down")


def test_an_unexpected_status_is_a_bad_response() -> None:
    outcome = interpret(404, b"Request was not matched", amount_cents=3998, currency="USD")
    assert isinstance(outcome, ChargeFailed)
    assert outcome.code == "payments_bad_response"
    assert "404" in outcome.message
