"""The asynchronous half of the checkout: once an order is paid, the api sends `order.paid` as a
Celery task over the bus, and the fulfilment worker (a real Celery worker) writes the order's
shipment. "If this part sends a message, does the other part receive and handle it correctly?"

The `api -> bus` and `fulfilment -> bus` links are message seams: each test reads what crossed
them (`system.messages`) and sets faults on the worker's link (`system.message_seam`) to show
what a lost, repeated or late delivery does to the orders.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from celery import Celery
from kombu import Exchange, Queue
from shop_client import CARD_DECLINED, ShopApi

from seamline.seams import eventually

ORDER_PAID = "order.paid"  # the event, its queue, its AsyncAPI channel (contracts/events.yaml)
SHIP_ORDER = "shop.fulfilment.ship_order"  # the Celery task that carries it
SHIPPING_TIMEOUT = 10.0  # s: the worker is one process on a shared 2-core machine


def task_kwargs(message: Any) -> dict[str, Any]:
    """The keyword arguments of the Celery task a message carries. On Redis the payload is
    kombu's JSON envelope, whose body ([args, kwargs, embed]) is base64-encoded; on AMQP the
    payload is that body itself."""
    payload = message.json
    if isinstance(payload, dict):
        body = payload["body"]
        if payload["properties"].get("body_encoding") == "base64":
            body = base64.b64decode(body)
        payload = json.loads(body)
    _args, kwargs, _embed = payload
    return dict(kwargs)


@pytest.fixture
def worker_link(system):
    """The `fulfilment -> bus` message seam (Redis by default, AMQP with `--profile rabbitmq`)."""
    return system.message_seam("fulfilment", "bus")


@pytest.fixture
def worker_log(system):
    """The fulfilment worker's log written during this test (order ids repeat across tests:
    the database starts each test afresh)."""
    start = len(system.logs("fulfilment"))
    return lambda: system.logs("fulfilment")[start:]


def url_through_seam(system, consumer: str) -> str:
    """The bus's URL as `consumer` reaches it: through its message seam."""
    host, port = system.message_seam(consumer, "bus").address
    direct = urlsplit(system.url("bus"))
    credentials = direct.netloc.rpartition("@")[0]
    netloc = f"{credentials}@{host}:{port}" if credentials else f"{host}:{port}"
    return direct._replace(netloc=netloc).geturl()


def send_order_paid(system, *events: dict[str, Any]) -> None:
    """Send `order.paid` tasks as the api does, from the test, through the `test -> bus` seam."""
    queue = Queue(ORDER_PAID, Exchange(""), routing_key=ORDER_PAID)
    with Celery("test", broker=url_through_seam(system, "test"), set_as_current=False) as app:
        for event in events:
            app.send_task(SHIP_ORDER, kwargs={"currency": "USD", **event}, queue=queue)


def paid_order(shop: ShopApi) -> dict[str, Any]:
    shopper = shop.shopper()
    response = shop.place_order(shopper.cart_id)
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["status"] == "paid"
    return dict(order)


def shipment_of(db, order_id: int) -> dict[str, Any]:
    return eventually(lambda: db.one("shipments", order_id=order_id), timeout=SHIPPING_TIMEOUT)


def test_a_paid_order_is_shipped(shop: ShopApi, db, worker_log):
    order = paid_order(shop)

    shipment = shipment_of(db, order["id"])

    assert db.count("shipments") == 1
    # the worker logs once the row is committed: the test may read the row first
    shipped = f"order {order['id']} shipped: shipment {shipment['id']}"
    eventually(lambda: shipped in worker_log(), timeout=SHIPPING_TIMEOUT)


def test_order_paid_crosses_the_bus_with_the_order_and_its_charge(
    shop: ShopApi, db, system, worker_link
):
    order = paid_order(shop)
    shipment_of(db, order["id"])

    expected = {
        "order_id": order["id"],
        "charge_id": order["charge_id"],
        "total_cents": order["total_cents"],
        "currency": order["currency"],
    }
    sent = system.messages("bus", published_by="api").one()
    assert ORDER_PAID in (sent.queue, sent.subject)  # Redis: the list; AMQP: the routing key
    assert task_kwargs(sent) == expected
    assert (sent.task["name"], sent.task["kwargs"]) == (SHIP_ORDER, expected)
    received = system.messages("bus", queue=ORDER_PAID, delivered_to="fulfilment").one()
    assert task_kwargs(received) == expected
    assert received.fault is None
    # The event went out once the card was charged, never before.
    flow = system.seams.sequence()
    assert flow.index_of("api -> payments", "POST", "/charges") < flow.index_of("api -> bus")


def test_a_duplicated_delivery_ships_the_order_once(
    shop: ShopApi, db, system, worker_link, worker_log
):
    worker_link.fault("duplicate", first=1)

    order = paid_order(shop)

    eventually(lambda: system.messages("bus", delivered_to="fulfilment").count == 2)
    first, again = system.messages("bus", delivered_to="fulfilment")
    assert task_kwargs(first) == task_kwargs(again)
    # The seam put the first delivery back on the queue, so the broker delivered it again.
    assert (first.fault, again.fault) == ("duplicate", None)
    eventually(
        lambda: f"order {order['id']} was already shipped" in worker_log(),
        timeout=SHIPPING_TIMEOUT,
    )
    assert len(db.rows("shipments", order_id=order["id"])) == 1


def test_a_dropped_event_leaves_the_order_paid_but_unshipped(
    shop: ShopApi, db, system, worker_link, worker_log
):
    worker_link.fault("drop", first=1)

    lost = paid_order(shop)
    shipped = paid_order(shop)  # its event is delivered: once it is shipped, the worker is past

    shipment_of(db, shipped["id"])
    assert db.one("orders", id=lost["id"])["status"] == "paid"
    assert db.rows("shipments", order_id=lost["id"]) == []
    # Why: the api did send it, the seam dropped its delivery; the worker never saw it.
    sent = [task_kwargs(m)["order_id"] for m in system.messages("bus", published_by="api")]
    assert sent == [lost["id"], shipped["id"]]
    deliveries = system.messages("bus", delivered_to="fulfilment")
    assert [(task_kwargs(m)["order_id"], m.fault) for m in deliveries] == [
        (lost["id"], "drop"),
        (shipped["id"], None),
    ]
    assert f"order {lost['id']} shipped" not in worker_log()


def test_a_delayed_event_is_handled_in_order(shop: ShopApi, db, system, worker_link):
    delay_ms = 800
    worker_link.fault("delay", first=1, delay_ms=delay_ms)

    late = paid_order(shop)
    after = paid_order(shop)  # paid while the first order's event is held back

    shipments = [shipment_of(db, order["id"]) for order in (late, after)]
    assert shipments[0]["id"] < shipments[1]["id"]  # shipped in the order they were paid
    sent = system.messages("bus", published_by="api")
    delivered = system.messages("bus", delivered_to="fulfilment")
    assert [task_kwargs(m)["order_id"] for m in delivered] == [late["id"], after["id"]]
    assert (delivered[0].fault, delivered[1].fault) == ("delay", None)
    assert delivered[0].mono - sent[0].mono >= delay_ms / 1000
    assert delivered[1].mono >= delivered[0].mono  # the second waited behind the first


def test_an_event_for_an_order_not_paid_ships_nothing(
    shop: ShopApi, db, system, worker_link, worker_log
):
    declined = shop.place_order(shop.shopper().cart_id, CARD_DECLINED)
    unpaid = declined.json()["order"]
    paid = paid_order(shop)
    shipment_of(db, paid["id"])

    # Forged (or stale: order ids repeat from test to test) events, sent by the test's own
    # Celery client through the `test -> bus` seam: for an order that was never paid, and for
    # one that does not exist.
    send_order_paid(
        system,
        {"order_id": unpaid["id"], "charge_id": "ch_forged", "total_cents": 3998},
        {"order_id": paid["id"] + 1, "charge_id": paid["charge_id"], "total_cents": 3998},
    )

    def both_refused() -> bool:
        log = worker_log()
        assert log.count("nothing shipped") == 2, f"the worker's log:\n{log}"
        return True

    eventually(both_refused, timeout=SHIPPING_TIMEOUT)
    assert [s["order_id"] for s in db.rows("shipments")] == [paid["id"]]
    assert system.messages("bus", published_by="test").count == 2


def test_an_event_that_breaks_the_contract_is_named(shop: ShopApi, system, worker_link, worker_log):
    unpaid = shop.place_order(shop.shopper().cart_id, CARD_DECLINED).json()["order"]

    with system.seams.expect_violations() as seen:
        # the total as a decimal string, as the README's payments answers it
        send_order_paid(
            system, {"order_id": unpaid["id"], "charge_id": "ch_1", "total_cents": "39.98"}
        )
        eventually(lambda: "nothing shipped" in worker_log(), timeout=SHIPPING_TIMEOUT)

    # Named on both links it crossed: as the test published it, as the worker got it.
    assert sorted(v.message for v in seen) == [
        f"{seam}: channel {ORDER_PAID} {where}: payload.total_cents: "
        "expected integer, found string '39.98'"
        for seam, where in (("fulfilment -> bus", "delivered"), ("test -> bus", "published"))
    ]
    assert system.seams.violations() == []  # expected: they do not fail the test
