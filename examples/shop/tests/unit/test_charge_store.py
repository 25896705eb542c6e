"""The payments sandbox's idempotency keys (shop_payments.store)."""

import pytest
from shop_payments.store import Charge, ChargeStore, KeyReused, fingerprint, new_charge_id


def make_charge(key: str | None, amount: int = 3998) -> Charge:
    return Charge(
        id=new_charge_id(),
        amount=amount,
        currency="USD",
        status="succeeded",
        card_last4="4242",
        description=None,
        idempotency_key=key,
    )


def test_the_same_key_and_body_return_the_first_charge_and_charge_nothing_new() -> None:
    store = ChargeStore()
    body = fingerprint(3998, "USD", "4242424242424242", None)
    first, created = store.add(make_charge("k"), body)
    again, created_again = store.add(make_charge("k"), body)
    assert created
    assert not created_again
    assert again == first
    assert store.for_key("k", body) == first
    assert store.all() == [first]


def test_the_same_key_with_another_body_is_refused() -> None:
    store = ChargeStore()
    store.add(make_charge("k"), fingerprint(3998, "USD", "4242424242424242", None))
    with pytest.raises(KeyReused):
        store.for_key("k", fingerprint(1, "USD", "4242424242424242", None))


def test_without_a_key_every_request_is_a_new_charge() -> None:
    store = ChargeStore()
    body = fingerprint(3998, "USD", "4242424242424242", None)
    store.add(make_charge(None), body)
    store.add(make_charge(None), body)
    assert len(store.all()) == 2
    assert store.for_key(None, body) is None


def test_charge_ids_look_like_the_contract_says() -> None:
    charge_id = new_charge_id()
    assert charge_id.startswith("ch_")
    assert len(charge_id) == 27
    int(charge_id[3:], 16)
