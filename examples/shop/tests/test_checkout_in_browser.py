"""The user's scenario through the real page in a real browser: seamline's `page` fixture
(headless Chromium, Debian's `chromium`, driven by Playwright) opens `web`, the one service
that hands the browser an address; the shopper signs up, adds to the cart, pays and sees the
confirmation; the page's calls cross the `browser -> api` seam, where the test checks them.
Then the same page with the api behind it failing, or answering from a stub.
"""

from __future__ import annotations

import re
import uuid

import pytest
from shop_client import CARD_OK, MUG

from seamline.browser import HOW_TO_GET_PLAYWRIGHT, skip_or_fail
from seamline.mock import get

try:
    from playwright import sync_api as playwright
except ImportError:  # skipped on a laptop without it, failed in CI
    skip_or_fail(f"the shop's UI tests need {HOW_TO_GET_PLAYWRIGHT}", allow_module_level=True)


def allowed_preflights(seam, origin: str) -> set[str]:
    """The paths whose CORS preflight the api allowed for the page's origin and headers."""
    preflights = seam.calls("OPTIONS")
    for preflight in preflights:
        asked = preflight.request.headers
        answer = preflight.response.headers
        assert asked.get("Origin") == origin
        assert asked.get("Access-Control-Request-Method") in ("POST", "GET")
        assert (preflight.status, answer.get("Access-Control-Allow-Origin")) == (200, origin)
        allowed = (answer.get("Access-Control-Allow-Headers") or "").lower()
        wanted = (asked.get("Access-Control-Request-Headers") or "").lower().split(",")
        assert all(h.strip() in allowed for h in wanted if h.strip()), (wanted, allowed)
    return {preflight.request.path for preflight in preflights}


def test_a_shopper_pays_in_the_browser_and_the_page_calls_cross_the_browser_to_api_seam(
    system, page, db
):
    expect = playwright.expect
    email = f"grace-{uuid.uuid4().hex[:12]}@example.com"

    # the page fixture opened web's browser_url already: the browser -> web seam
    page.get_by_test_id("signup-name").fill("Grace Hopper")
    page.get_by_test_id("signup-email").fill(email)
    page.get_by_test_id("signup-submit").click()
    expect(page.get_by_test_id("user-badge")).to_contain_text(email)

    add_mug = page.get_by_test_id(f"add-to-cart-{MUG}")
    add_mug.click()
    expect(page.get_by_test_id(f"cart-item-{MUG}")).to_contain_text("1")
    add_mug.click()
    expect(page.get_by_test_id(f"cart-item-{MUG}")).to_contain_text("2")
    expect(page.get_by_test_id("cart-total")).to_have_text("$39.98")

    page.get_by_test_id("card-number").fill("4242 4242 4242 4242")
    page.get_by_test_id("place-order").click()

    confirmation = page.get_by_test_id("confirmation")
    expect(confirmation).to_be_visible()
    expect(page.get_by_test_id("order-status")).to_have_text("paid")
    expect(page.get_by_test_id("order-total")).to_have_text("$39.98")
    expect(page.get_by_test_id("error")).to_be_hidden()
    order_id = int(page.get_by_test_id("order-id").inner_text())

    # What the page did, as the browser -> api seam saw it: the catalogue, the sign-up, a
    # cart, two adds and one order, in that order, each answered as the page expected.
    api = system.seam("browser", "api")
    assert api.one("GET", "/products").status == 200
    user = api.one("POST", "/users")
    assert (user.status, user.request.json["email"]) == (201, email)
    cart = api.one("POST", "/carts")
    assert (cart.status, cart.request.json) == (201, {"user_id": user.response.json["id"]})
    cart_id = cart.response.json["id"]
    adds = api.calls("POST", f"/carts/{cart_id}/items")
    assert [(a.status, a.response.json["items"][0]["quantity"]) for a in adds] == [
        (200, 1),
        (200, 2),
    ]
    order = api.one("POST", "/orders")
    assert (order.status, order.request.json) == (201, {"cart_id": cart_id, "card_number": CARD_OK})
    assert re.fullmatch(r"[0-9a-f-]{36}", order.request.headers.get("Idempotency-Key") or "")
    assert order.response.json["id"] == order_id
    flow = system.seams.sequence()
    assert flow.index_of("browser -> api", "POST", "/orders") < flow.index_of(
        "api -> payments", "POST", "/charges"
    )

    # The page itself came through the browser -> web seam, and told the page the api's
    # address: the browser -> api seam's.
    assert system.seam("browser", "web").one("GET", "/config.js").response.body.text == (
        f'window.SHOP_CONFIG = {{"apiUrl": "{system.browser_url("api")}"}};\n'
    )

    # Each POST was preceded by a CORS preflight, which the api allowed for the page's origin.
    preflighted = allowed_preflights(api, origin=system.browser_url("web"))
    assert preflighted == {"/users", "/carts", f"/carts/{cart_id}/items", "/orders"}

    stored = db.one("orders", id=order_id)
    assert (stored["status"], stored["total_cents"], stored["user_id"]) == (
        "paid",
        3998,
        user.response.json["id"],
    )


@pytest.mark.seams({"browser -> api": {"status": 503, "body": "down for maintenance"}})
def test_with_the_api_failing_behind_it_the_page_says_the_catalogue_could_not_load(system, page):
    expect = playwright.expect
    expect(page.get_by_test_id("products-loading")).to_have_text(
        "The catalogue could not be loaded."
    )
    expect(page.get_by_test_id("error")).to_be_visible()
    assert system.seam("browser", "api").one("GET", "/products").status == 503


@pytest.mark.page("web", path=None)  # opened below, once the api behind it is a stub
def test_a_stubbed_api_behind_the_real_page_fills_its_catalogue(system, page, mock):
    teapot = {
        "id": 99,
        "sku": "TEA-POT",
        "name": "Stub teapot",
        "description": "served by the stub, never by the api",
        "price_cents": 4200,
        "currency": "USD",
    }
    # the page's origin is web's: the browser reads a cross-origin answer only with this
    origin = system.browser_url("web")
    mock.stub(get("/products")).reply(
        200,
        json=[teapot],
        headers={"Access-Control-Allow-Origin": origin, "X-Request-ID": "stub-1"},
    )
    system.seam("browser", "api").use_stub(mock)

    page.goto("/")

    playwright.expect(page.get_by_test_id("price-TEA-POT")).to_have_text("$42.00")
    products = system.seam("browser", "api").one("GET", "/products")
    assert (products.status, products.response.json) == (200, [teapot])
    assert system.seam("browser", "web").one("GET", "/").status == 200
