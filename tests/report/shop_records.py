"""A record dir of the shop's integration suite: checkout, failures, faults, secrets, big bodies.

The flows mirror examples/shop (web -> api -> payments, a database) and cover
everything the report must handle: a contract violation, a declined card, a
payment service that is down, a timeout fault, a 2 MB body cut by the journal,
a binary body, HTML and `</script>` in bodies and names, and secrets in every
place a secret can hide (headers, cookies, JSON, query, form, rows, logs,
tracebacks, URLs).
"""

from __future__ import annotations

from pathlib import Path

from tests.report.records_builder import RunBuilder, TestBuilder, violation

T = "tests/test_shop.py::"
INJECTION = '</script><script>alert("pwned")</script><img src=x onerror=alert(2)>'


def write_shop_run(root: Path, worker: str | None = None, killed: bool = False) -> RunBuilder:
    run = RunBuilder(root, system="shop", worker=worker)
    pg_password = run.secret("pgpass_77aa")
    run.service("db", "postgres", f"postgresql://seamline:{pg_password}@127.0.0.1:5433/app")
    run.service("payments", "process", "http://127.0.0.1:9002", "python -m payments")
    run.service("api", "process", "http://127.0.0.1:9001", "uvicorn shop.api:app")
    run.seam("api", "payments", "PAYMENTS_URL")
    run.seam("test", "api", "(client)")
    run.log("api", "INFO:     Uvicorn running on http://127.0.0.1:9001")
    run.log("payments", "payments sandbox ready")
    startup = TestBuilder(run, None)
    startup.exchange("test -> api", "GET", "/health", status=200, text="ok")
    create_user(run)
    checkout_with_contract_violation(run)
    declined_card(run)
    payment_service_down(run)
    payment_timeout(run)
    big_and_binary_bodies(run)
    login_form_and_cookies(run)
    with run.test(T + "test_gift_cards") as test:
        test.skip("gift cards are not built yet")
    if killed:
        with run.test(T + "test_double_submit") as test:
            test.exchange("test -> api", "POST", "/orders", req_json={"cart": 9}, status=201)
            test.log("api", "double submit: waiting for lock")
        return run
    run.finish()
    return run


def create_user(run: RunBuilder) -> None:
    password = run.secret("Tr0ub4dor&3-ada")
    with run.test(T + "test_create_user") as test:
        test.exchange(
            "test -> api", "POST", "/users",
            req_json={"email": "ada@example.com", "password": password},
            status=201, json={"id": 1, "email": "ada@example.com"},
        )  # fmt: skip
        test.db_change(
            "users", "insert",
            new={"id": 1, "email": "ada@example.com", "password_hash": run.secret("pbkdf2$x1$hh")},
        )  # fmt: skip
        test.log("api", "created user 1 <ada@example.com>")
        test.passed()


def checkout_with_contract_violation(run: RunBuilder) -> None:
    token = run.secret("tok_live_8f2e0c1d9a")
    api_key = run.secret("pk_sandbox_5b7c9e11")
    card = run.secret("4242424242424242")
    cvv = run.secret("7319")
    with run.test(T + "test_checkout_stores_the_order") as test:
        outer = test.open(
            "test -> api", "POST", "/orders",
            headers=[("Authorization", f"Bearer {token}"), ("X-Request-ID", "req-1")],
            json={"cart": 1, "card": {"number": card, "cvv": cvv, "exp": "12/30"}},
        )  # fmt: skip
        test.log("api", f"charging card {card} with key {api_key}")
        test.exchange(
            "api -> payments", "POST", "/charges",
            req_headers=[("X-Api-Key", api_key), ("X-Request-ID", "req-1")],
            req_json={"amount": 3998, "currency": "EUR", "card_number": card, "cvv": cvv},
            status=201, json={"id": "ch_1", "amount": "39.98", "status": "succeeded"},
            violations=[
                violation("api -> payments", "POST /charges", "response", 201, "/amount",
                          "integer", "'39.98'"),
                violation("api -> payments", "POST /charges", "request", None, "/card_number",
                          "string of 16 digits", f"'{card}'"),
            ],
        )  # fmt: skip
        test.db_change("orders", "insert", new={"id": 7, "user_id": 1, "total": 3998})
        test.db_change(
            "carts", "update", old={"id": 1, "status": "open"}, new={"id": 1, "status": "ordered"}
        )
        test.db_change("cart_items", "delete", old={"id": 3, "cart_id": 1, "sku": "mug"})
        test.log("payments", "charge ch_1 for 3998 EUR")
        test.close(outer, status=201, json={"order": 7, "total": 39.98, "note": INJECTION})
        test.fail(
            "AssertionError: assert 39.98 == 3998",
            "def test_checkout_stores_the_order(system):\n"
            f"    r = api.post('/orders', headers={{'Authorization': 'Bearer {token}'}})\n"
            f"    assert r.json() == {{'token': '{token}'}}\n"
            f"E   AssertionError: assert 39.98 == 3998 {INJECTION}",
        )


def declined_card(run: RunBuilder) -> None:
    card = run.secret("4000000000000002")
    with run.test(T + "test_declined_card[<visa>]") as test:
        outer = test.open("test -> api", "POST", "/orders", json={"cart": 2, "card_number": card})
        test.exchange(
            "api -> payments", "POST", "/charges", req_json={"amount": 1000, "card_number": card},
            status=402, json={"error": "card_declined"},
        )  # fmt: skip
        test.close(outer, status=402, json={"error": "payment declined"})
        test.passed()


def payment_service_down(run: RunBuilder) -> None:
    with run.test(T + "test_payment_service_down") as test:
        outer = test.open("test -> api", "POST", "/orders", json={"cart": 3})
        test.exchange(
            "api -> payments", "POST", "/charges", req_json={"amount": 500},
            status=None, outcome="refused", error="connection refused by 127.0.0.1:9002",
        )  # fmt: skip
        test.log("api", "ERROR payments unreachable: [Errno 111] Connection refused")
        test.close(outer, status=502, json={"error": "payments unavailable"})
        test.fail(
            "assert 502 == 503", "E   assert 502 == 503\nE    +  where 502 = <Response [502]>"
        )


def payment_timeout(run: RunBuilder) -> None:
    with run.test(T + "test_payment_timeout") as test:
        outer = test.open("test -> api", "POST", "/orders", json={"cart": 4})
        test.exchange(
            "api -> payments", "POST", "/charges", req_json={"amount": 700},
            status=None, after_ms=5000, mode="fault", outcome="timeout",
            error="no response within 5.0 s", fault={"kind": "timeout", "after_ms": 5000},
        )  # fmt: skip
        test.exchange(
            "api -> payments", "POST", "/charges", req_json={"amount": 700},
            status=503, mode="fault", outcome="fault", fault={"kind": "status", "status": 503},
            text="injected by seamline",
        )  # fmt: skip
        test.close(outer, status=504, json={"error": "payment timed out"})
        test.passed()


def big_and_binary_bodies(run: RunBuilder) -> None:
    logo = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    catalog = {
        "items": [{"sku": f"sku-{n}", "name": f"Item {n}", "price": n} for n in range(40_000)]
    }
    with run.test(T + "test_catalog_and_logo") as test:
        test.exchange("test -> api", "GET", "/catalog", status=200, json=catalog)
        test.exchange(
            "test -> api", "GET", "/logo.png", status=200,
            headers=[("content-type", "image/png")], raw=logo,
        )  # fmt: skip
        test.exchange(
            "test -> api", "GET", "/about", status=200,
            headers=[("content-type", "text/html")], text=f"<h1>About</h1>{INJECTION}",
        )  # fmt: skip
        for n in range(30):
            test.log("api", f"GET /catalog page {n}")
        test.passed()


def login_form_and_cookies(run: RunBuilder) -> None:
    form_password = run.secret("f0rm-s3cret-pw")
    session = run.secret("sess_9a8b7c6d5e")
    access = run.secret("qat_1122334455")
    with run.test(T + "test_login_sets_a_session") as test:
        test.exchange(
            "test -> api", "POST", "/login",
            req_headers=[("content-type", "application/x-www-form-urlencoded")],
            req_text=f"user=ada&password={form_password}",
            status=200, headers=[("Set-Cookie", f"session={session}; Path=/; HttpOnly")],
            json={"ok": True},
        )  # fmt: skip
        test.exchange(
            "test -> api", "GET", f"/orders?access_token={access}&page=2",
            req_headers=[("Cookie", f"session={session}; theme=dark")],
            status=200, json={"orders": [7]},
        )  # fmt: skip
        test.log("api", f"session {session} opened for ada")
        test.passed()
