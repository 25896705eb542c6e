"""Test card numbers and what each does (see README.md: "Test cards")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Succeed:
    pass


@dataclass(frozen=True)
class Decline:
    code: str
    message: str


@dataclass(frozen=True)
class Hang:
    """Answer only after the sandbox's hang time (30 s by default): longer than any sane timeout."""


Behaviour = Succeed | Decline | Hang

SUCCEEDS = "4242424242424242"
DECLINED = "4000000000000002"
INSUFFICIENT_FUNDS = "4000000000009995"
HANGS = "4000000000000259"

TEST_CARDS: dict[str, Behaviour] = {
    SUCCEEDS: Succeed(),
    DECLINED: Decline("card_declined", "Your card was declined."),
    INSUFFICIENT_FUNDS: Decline("insufficient_funds", "Your card has insufficient funds."),
    HANGS: Hang(),
}
_INCORRECT = Decline("incorrect_number", "Your card number is incorrect.")


def behaviour(card_number: str) -> Behaviour:
    """A test card does what it is for; any other number succeeds if its check digit is right."""
    if card_number in TEST_CARDS:
        return TEST_CARDS[card_number]
    return Succeed() if luhn_valid(card_number) else _INCORRECT


def luhn_valid(number: str) -> bool:
    """The Luhn check digit that every card number carries."""
    if not number.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0
