"""The shop's api as a test drives it: one method per step of the user's flow.

Each method makes exactly one call (so what crosses the `test -> api` seam is what the test
reads) and checks only that the step succeeded; the tests assert on the rest.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

# The payments sandbox's test cards (examples/shop/README.md, "Test cards").
CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_INSUFFICIENT_FUNDS = "4000000000009995"
CARD_HANGS = "4000000000000259"

MUG = "MUG-SEAM"  # 19.99 USD: two of them make the 39.98 of the README's "see a failure"
STICKERS = "STICKERS"  # 4.99 USD

Json = dict[str, Any]


def new_key() -> str:
    """A fresh Idempotency-Key: one per checkout attempt, as the page makes them."""
    return str(uuid.uuid4())


def new_request_id() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@dataclass
class Shopper:
    """A user with an open cart, made through the api."""

    user: Json
    cart: Json

    @property
    def cart_id(self) -> int:
        return int(self.cart["id"])


class ShopApi:
    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self._catalogue: dict[str, Json] | None = None

    def products(self) -> dict[str, Json]:
        """The catalogue by SKU (the seeded products; ids are the database's)."""
        if self._catalogue is None:
            response = self.client.get("/products")
            assert response.status_code == 200, response.text
            self._catalogue = {p["sku"]: p for p in response.json()}
        return self._catalogue

    def product_id(self, sku: str) -> int:
        return int(self.products()[sku]["id"])

    def sign_up(self, name: str = "Ada Lovelace") -> Json:
        email = f"ada-{uuid.uuid4().hex[:12]}@example.com"
        response = self.client.post("/users", json={"email": email, "name": name})
        assert response.status_code == 201, response.text
        return dict(response.json())

    def new_cart(self, user_id: int) -> Json:
        response = self.client.post("/carts", json={"user_id": user_id})
        assert response.status_code == 201, response.text
        return dict(response.json())

    def add(self, cart_id: int, sku: str, quantity: int = 1) -> Json:
        item = {"product_id": self.product_id(sku), "quantity": quantity}
        response = self.client.post(f"/carts/{cart_id}/items", json=item)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def shopper(self, items: dict[str, int] | None = None) -> Shopper:
        """A new user with a new cart holding `items` (SKU -> quantity; two mugs by default)."""
        user = self.sign_up()
        cart = self.new_cart(user["id"])
        for sku, quantity in (items or {MUG: 2}).items():
            cart = self.add(cart["id"], sku, quantity)
        return Shopper(user, cart)

    def place_order(
        self,
        cart_id: int,
        card_number: str = CARD_OK,
        *,
        key: str | None = None,
        request_id: str | None = None,
    ) -> httpx.Response:
        """`POST /orders`, answered whatever its status."""
        return self.client.post(
            "/orders",
            json={"cart_id": cart_id, "card_number": card_number},
            headers={
                "Idempotency-Key": key or new_key(),
                "X-Request-ID": request_id or new_request_id(),
            },
        )

    def order(self, order_id: int) -> Json:
        response = self.client.get(f"/orders/{order_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())


def error_of(response: httpx.Response) -> tuple[int, str, Json]:
    """(status, error code, order) of an order that was not paid."""
    body = response.json()
    assert "error" in body, f"expected an error, found {response.status_code} {body}"
    return response.status_code, body["error"]["code"], body.get("order") or {}
