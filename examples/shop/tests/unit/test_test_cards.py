"""The payments sandbox's test cards (shop_payments.cards)."""

import pytest
from shop_payments.cards import (
    DECLINED,
    HANGS,
    INSUFFICIENT_FUNDS,
    SUCCEEDS,
    Decline,
    Hang,
    Succeed,
    behaviour,
    luhn_valid,
)


@pytest.mark.parametrize(
    "number", [SUCCEEDS, DECLINED, INSUFFICIENT_FUNDS, HANGS, "4111111111111111"]
)
def test_every_test_card_has_a_valid_check_digit(number: str) -> None:
    assert luhn_valid(number)


@pytest.mark.parametrize("number", ["4242424242424241", "1234567812345678", "42424242x4242424"])
def test_a_wrong_check_digit_or_a_letter_fails_the_luhn_check(number: str) -> None:
    assert not luhn_valid(number)


def test_each_test_card_does_what_it_is_for() -> None:
    assert behaviour(SUCCEEDS) == Succeed()
    assert behaviour(DECLINED) == Decline("card_declined", "Your card was declined.")
    assert isinstance(behaviour(INSUFFICIENT_FUNDS), Decline)
    assert behaviour(HANGS) == Hang()


def test_any_other_valid_number_is_charged_and_a_mistyped_one_declined() -> None:
    assert behaviour("4111111111111111") == Succeed()
    declined = behaviour("4242424242424241")
    assert isinstance(declined, Decline)
    assert declined.code == "incorrect_number"
