"""Break the shop once per behaviour the integration suite protects; check the suite notices.

    python scripts/break_check.py              # every breakage, one after the other (~3 min)
    python scripts/break_check.py -k timeout   # those whose behaviour mentions "timeout"
    python scripts/break_check.py --list

Each breakage removes one behaviour (a decline is not final, the timeout is not honoured, the
cart is not locked, ...) in a copy of the shop, runs the tests that protect it
against that copy, and expects them to fail. The working tree is never touched. Exits 1 if a
breakage went unnoticed, or no longer applies because the code it breaks has changed (then
update it here); 2 if the tests fail on the unbroken shop already.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SHOP = Path(__file__).resolve().parent.parent
FAILURES = "test_payment_failures.py::"


@dataclass(frozen=True)
class Breakage:
    behaviour: str
    file: str  # relative to the shop
    old: str  # must occur exactly once in the file
    new: str
    tests: tuple[str, ...]  # relative to tests/
    profile: str | None = None  # a seamline profile the breakage needs (e.g. postgres)


BREAKAGES = [
    Breakage(
        "a declined card settles the order as payment_failed",
        "api/shop_api/orders.py",
        'code, message=message):\n                values = {\n                    "status": '
        "OrderStatus.PAYMENT_FAILED,",
        'code, message=message):\n                values = {\n                    "status": '
        "OrderStatus.PAYMENT_ERROR,",
        (FAILURES + "test_a_declined_card_fails_the_order_with_402_and_nothing_is_charged_twice",),
    ),
    Breakage(
        "a declined key submitted again does not call payments again",
        "api/shop_api/orders.py",
        "if order.status == OrderStatus.PAYMENT_ERROR and self._claim(\n"
        "            order.id, OrderStatus.PAYMENT_ERROR\n        ):",
        "if order.status in (OrderStatus.PAYMENT_ERROR, OrderStatus.PAYMENT_FAILED) and "
        "self._claim(\n            order.id, order.status\n        ):",
        (FAILURES + "test_a_declined_card_fails_the_order_with_402_and_nothing_is_charged_twice",),
    ),
    Breakage(
        "a decline is answered 402",
        "api/shop_api/routes/orders.py",
        '402, order.failure_code or "card_declined"',
        '400, order.failure_code or "card_declined"',
        (FAILURES + "test_a_declined_card_fails_the_order_with_402_and_nothing_is_charged_twice",),
    ),
    Breakage(
        "the api waits at most PAYMENTS_TIMEOUT",
        "api/shop_api/payments.py",
        "timeout=httpx.Timeout(timeout)",
        "timeout=httpx.Timeout(timeout * 3)",
        (
            FAILURES + "test_payments_hanging_is_cut_off_at_the_api_timeout_with_504_and_the_order"
            "_is_not_pending",
        ),
    ),
    Breakage(
        "the whole answer must arrive within PAYMENTS_TIMEOUT",
        "api/shop_api/payments.py",
        "        if time.monotonic() > deadline:",
        "        if False:",
        (FAILURES + "test_payments_trickling_its_answer_is_cut_off_at_the_api_timeout_too",),
    ),
    Breakage(
        "a timeout leaves the order payment_error, not pending",
        "api/shop_api/payments.py",
        "        except httpx.TimeoutException as err:\n"
        "            outcome: ChargeOutcome = ChargeFailed(\n"
        '                "payments_timeout", f"payments did not answer in time '
        '({type(err).__name__})"\n            )',
        "        except httpx.TimeoutException as err:\n"
        '            raise RuntimeError("payments timed out") from err',
        (
            FAILURES + "test_payments_hanging_is_cut_off_at_the_api_timeout_with_504_and_the"
            "_order_is_not_pending",
            FAILURES + "test_a_timed_out_payment_is_charged_once_when_the_same_key_is_retried",
        ),
    ),
    Breakage(
        "a timeout is answered 504",
        "api/shop_api/routes/orders.py",
        'status = 504 if code == "payments_timeout" else 502',
        "status = 502",
        (
            FAILURES + "test_payments_hanging_is_cut_off_at_the_api_timeout_with_504_and_the_order"
            "_is_not_pending",
        ),
    ),
    Breakage(
        "a payment_error order is retried by its key",
        "api/shop_api/orders.py",
        "if order.status == OrderStatus.PAYMENT_ERROR and self._claim(",
        "if False and self._claim(",
        (
            FAILURES + "test_a_timed_out_payment_is_charged_once_when_the_same_key_is_retried",
            FAILURES + "test_payments_down_answers_502_and_the_same_key_pays_once_it_is_back",
        ),
    ),
    Breakage(
        "the charge's idempotency key is the same for every retry of an order",
        "api/shop_api/orders.py",
        '    return f"shop-order-{order_key}"',
        '    import uuid\n\n    return f"shop-order-{order_key}-{uuid.uuid4().hex[:6]}"',
        (
            FAILURES + "test_payments_down_answers_502_and_the_same_key_pays_once_it_is_back"
            "[answer-cut-off]",
        ),
    ),
    Breakage(
        "payments unreachable makes a payment_error",
        "api/shop_api/payments.py",
        "        except httpx.TransportError as err:\n"
        '            outcome = ChargeFailed("payments_unavailable", f"payments could not be '
        'reached: {err}")',
        "        except httpx.TransportError as err:\n"
        '            raise RuntimeError("payments down") from err',
        (FAILURES + "test_payments_down_answers_502_and_the_same_key_pays_once_it_is_back",),
    ),
    Breakage(
        "payments answering 5xx is payments_unavailable",
        "api/shop_api/payments.py",
        '        return ChargeFailed("payments_unavailable", f"payments answered {status}: '
        '{snippet}")',
        '        return ChargeDeclined("card_declined", f"payments answered {status}: {snippet}")',
        (FAILURES + "test_payments_down_answers_502_and_the_same_key_pays_once_it_is_back",),
    ),
    Breakage(
        "a charge that breaks payments' contract is refused",
        "api/shop_api/payments.py",
        "        charge, problem = _parse(_Charge, body)\n        if charge is None:",
        "        charge, problem = _parse(_Charge, body)\n"
        '        if charge is None and body.startswith(b"{"):\n'
        '            return ChargeSucceeded(str(json.loads(body).get("id")))\n'
        "        if charge is None:",
        (
            FAILURES + "test_payments_answering_a_malformed_charge_gets_502_and_the_order_is"
            "_payment_error",
        ),
    ),
    Breakage(
        "the amount charged is checked against the order",
        "api/shop_api/payments.py",
        "        if (charge.amount, charge.currency) != (amount_cents, currency):",
        "        if charge.currency != currency:",
        (
            FAILURES + "test_payments_answering_a_malformed_charge_gets_502_and_the_order_is"
            "_payment_error",
        ),
    ),
    Breakage(
        "an answer that is not JSON is handled",
        "api/shop_api/payments.py",
        "def _parse(model: type[M], body: bytes) -> tuple[M | None, str]:\n    try:",
        "def _parse(model: type[M], body: bytes) -> tuple[M | None, str]:\n"
        "    json.loads(body)\n    try:",
        (
            FAILURES + "test_payments_answering_a_malformed_charge_gets_502_and_the_order_is"
            "_payment_error",
        ),
    ),
    Breakage(
        "only the submission that created the order pays it",
        "api/shop_api/orders.py",
        "                    raise _cart_has_order(request.cart_id) from None\n",
        "                    raise _cart_has_order(request.cart_id) from None\n"
        "                return self._pay(order, request)\n",
        ("test_concurrency.py",),
    ),
    Breakage(
        "a cart has at most one live order (the partial unique index)",
        "db/schema.sqlite.sql",
        "CREATE UNIQUE INDEX orders_one_live_per_cart",
        "CREATE INDEX orders_one_live_per_cart",
        (
            "test_concurrency.py::test_one_cart_checked_out_20_times_at_once_with_different_keys"
            "_is_charged_once",
            "test_checkout.py::test_a_second_key_for_a_paid_cart_is_refused_without_charging",
        ),
    ),
    Breakage(
        "the cart is locked while an item is added (PostgreSQL)",
        "api/shop_api/routes/carts.py",
        "cart = _cart(session, cart_id, lock=True)",
        "cart = _cart(session, cart_id)",
        (
            "test_concurrency.py::test_an_item_added_while_its_cart_is_ordered_is_in_the_order_or"
            "_refused",
        ),
        profile="postgres",
    ),
    Breakage(
        "the api passes X-Request-ID on to payments",
        "api/shop_api/payments.py",
        'headers = {"Idempotency-Key": idempotency_key, "X-Request-ID": request_id}',
        'headers = {"Idempotency-Key": idempotency_key}',
        ("test_checkout.py",),
    ),
    Breakage(
        "a checkout writes only its own rows",
        "api/shop_api/orders.py",
        "            session.add(order)\n",
        "            session.add(order)\n"
        "            for item in cart.items:\n"
        '                item.product.description = "sold"\n',
        ("test_data_consistency.py",),
    ),
    Breakage(
        "CORS lets the page (another loopback origin) call the api",
        "api/shop_api/main.py",
        r'LOOPBACK_ORIGIN = r"^https?://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$"',
        r'LOOPBACK_ORIGIN = r"^https?://(localhost|\[::1\])(:\d+)?$"',
        ("test_checkout_in_browser.py",),
    ),
    Breakage(
        "payments' contract says amount is an integer (so seamline can see the string)",
        "contracts/payments.yaml",
        "        amount:\n          type: integer\n          format: int64\n          minimum: 1\n"
        "          description: In the currency's minor unit (cents), as requested.",
        "        amount:\n          type: [integer, string]\n"
        "          description: In the currency's minor unit (cents), as requested.",
        ("test_contract_check.py",),
    ),
    Breakage(
        "fulfilment ships an order once however often order.paid is delivered",
        "api/shop_api/fulfilment.py",
        '    "ON CONFLICT (order_id) DO NOTHING"\n',
        "",
        ("test_fulfilment.py::test_a_duplicated_delivery_ships_the_order_once",),
    ),
    Breakage(
        "fulfilment ships only an order paid with the event's charge",
        "api/shop_api/fulfilment.py",
        "WHERE id = :order_id AND status = 'paid' AND charge_id = :charge_id ",
        "WHERE id = :order_id ",
        ("test_fulfilment.py::test_an_event_for_an_order_not_paid_ships_nothing",),
    ),
    Breakage(
        "an order the webhook makes paid is announced to fulfilment",
        "api/shop_api/orders.py",
        "            if result.rowcount == 1:\n",
        "            if False:\n",
        ("test_payment_webhook.py::test_a_charge_whose_answer_was_lost_is_settled_by_the_webhook",),
    ),
    Breakage(
        "the bus's events are checked against contracts/events.yaml",
        "contracts/events.yaml",
        "          total_cents:\n            type: integer\n",
        "          total_cents:\n            type: [integer, string]\n",
        ("test_fulfilment.py::test_an_event_that_breaks_the_contract_is_named",),
    ),
]


def fresh_copy(scratch: Path) -> Path:
    copy = scratch / "shop"
    shutil.rmtree(copy, ignore_errors=True)
    ignore = shutil.ignore_patterns(".seamline", "__pycache__", "seamline-report")
    shutil.copytree(SHOP, copy, ignore=ignore)
    return copy


def pytest(copy: Path, tests: Sequence[str], profile: str | None) -> tuple[int, str]:
    """Run `tests` of the shop at `copy` against that copy: (pytest's exit code, its summary)."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        *(str(copy / "tests" / test) for test in tests),
        f"--seamline-config={copy / 'seamline.toml'}",
        f"--rootdir={copy}",
        "-p",
        "no:cacheprovider",
        "-q",
        "-x",
    ]
    if profile:
        command.append(f"--seamline-profile={profile}")
    result = subprocess.run(
        command, cwd=copy, capture_output=True, text=True, timeout=600, check=False
    )
    return result.returncode, (result.stdout.strip().splitlines() or ["(no output)"])[-1]


def run(breakage: Breakage, scratch: Path) -> tuple[str, str]:
    """('noticed' | 'MISSED' | 'STALE', detail), with the breakage made in a copy of the shop."""
    copy = fresh_copy(scratch)
    target = copy / breakage.file
    text = target.read_text(encoding="utf-8")
    if text.count(breakage.old) != 1:
        found = text.count(breakage.old)
        return "STALE", f"expected the code to break once in {breakage.file}, found it {found}x"
    target.write_text(text.replace(breakage.old, breakage.new), encoding="utf-8")
    code, summary = pytest(copy, breakage.tests, breakage.profile)
    # pytest exits 1 when tests failed; anything else (none ran, usage error) proves nothing
    return ("noticed" if code == 1 else "MISSED"), summary


def unbroken_passes(chosen: Sequence[Breakage], scratch: Path) -> bool:
    """The same tests pass on an unbroken copy: otherwise a failure would prove nothing."""
    copy = fresh_copy(scratch)
    for profile in sorted({b.profile or "" for b in chosen}):
        tests = sorted({t for b in chosen if (b.profile or "") == profile for t in b.tests})
        code, summary = pytest(copy, tests, profile or None)
        print(f"unbroken ({profile or 'default profile'}): {summary}", flush=True)
        if code != 0:
            return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-k", default="", help="only breakages whose behaviour contains this")
    parser.add_argument("--list", action="store_true", help="list the breakages and stop")
    args = parser.parse_args()
    chosen = [b for b in BREAKAGES if args.k.lower() in b.behaviour.lower()]
    if args.list:
        for breakage in chosen:
            print(f"{breakage.behaviour}\n    {breakage.file} -> {', '.join(breakage.tests)}")
        return 0
    bad = 0
    with tempfile.TemporaryDirectory(prefix="shop-break-") as scratch:
        if not unbroken_passes(chosen, Path(scratch)):
            print("the tests fail on the unbroken shop: fix that first")
            return 2
        for breakage in chosen:
            started = time.monotonic()
            verdict, detail = run(breakage, Path(scratch))
            bad += verdict != "noticed"
            took = time.monotonic() - started
            print(f"{verdict:8} {breakage.behaviour} ({took:.0f} s: {detail})", flush=True)
    print(f"{len(chosen) - bad} of {len(chosen)} breakages noticed by the suite")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
