"""The messages example's tests: what crossed the links to the bus."""

from __future__ import annotations

import redis

from seamline.seams import eventually


def shipped(system) -> int:
    return redis.Redis.from_url(system.url("bus")).llen("shipments")


def test_a_paid_order_is_delivered_to_fulfilment_and_shipped(system):
    system.publish("bus", "order.paid", '{"order_id": 7}')
    eventually(lambda: shipped(system) == 1)
    paid = system.messages("bus", subject="order.paid", delivered_to="fulfilment").one()
    assert paid.json == {"order_id": 7}
    shipment = system.messages("bus", queue="shipments", published_by="fulfilment").one()
    assert shipment.json == {"order_id": 7}


def test_a_dropped_event_leaves_the_order_unshipped(system):
    system.message_seam("fulfilment", "bus").fault("drop", first=1)
    system.publish("bus", "order.paid", '{"order_id": 8}')
    dropped = eventually(lambda: system.messages("bus", delivered_to="fulfilment").one())
    assert dropped.fault == "drop"
    system.messages("bus", queue="shipments").none()
