"""Fixtures for the shop's integration suite.

seamline's plugin gives the `system` fixture: the whole shop (db, payments, api, web) started
once per session from examples/shop/seamline.toml, every link between the parts carried by a
recording seam; and `db`, the shop's database, put back to its starting data after every
test. These fixtures add the shop's own vocabulary on top.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from shop_client import ShopApi

if TYPE_CHECKING:
    from seamline import System


@pytest.fixture(scope="session")
def shop(system: System) -> ShopApi:
    """The api, called through the `test -> api` seam."""
    return ShopApi(system.client("api"))


class PaymentsLedger:
    """payments' own record of the charges made during the current test (`GET /charges`),
    read straight from the service: not through a seam, so it shows what the real processor
    holds even while a test has stubbed the `api -> payments` seam.

    payments is a third party: it keeps every charge of the session, while the shop's
    database starts each test afresh (so order ids repeat from test to test). Only the
    charges that were not there when the test began are this test's.
    """

    def __init__(self, http: httpx.Client) -> None:
        self._http = http
        self._before = {c["id"] for c in self._all()}

    def _all(self) -> list[dict[str, Any]]:
        response = self._http.get("/charges")
        assert response.status_code == 200, response.text
        charges: list[dict[str, Any]] = response.json()["data"]
        return charges

    def _new(self) -> list[dict[str, Any]]:
        return [c for c in self._all() if c["id"] not in self._before]

    def charges_for(self, order_id: int) -> list[dict[str, Any]]:
        return [c for c in self._new() if c["description"] == f"shop order {order_id}"]

    def charges_with_key(self, idempotency_key: str) -> list[dict[str, Any]]:
        return [c for c in self._new() if c["idempotency_key"] == idempotency_key]


@pytest.fixture(scope="session")
def _payments_http(system: System) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=system.direct_url("payments"), timeout=10.0) as http:
        yield http


@pytest.fixture
def payments_ledger(_payments_http: httpx.Client) -> PaymentsLedger:
    return PaymentsLedger(_payments_http)
