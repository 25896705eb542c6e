"""Faults on a message seam: what the worker behind it gets, and what the journal shows."""

from __future__ import annotations

import json

import pytest
import redis

from seamline.seams.assertions import eventually
from seamline.system.harness import Harness


def shipments(system) -> list[str]:
    """What the worker handled, in the order it handled it."""
    stored = redis.Redis.from_url(system.direct_url("bus")).lrange("shipments", 0, -1)
    return [json.loads(item)["order_id"] for item in reversed(stored)]


def delivered(system):
    return system.messages("bus", delivered_to="fulfilment")


def publish_orders(system, *ids: int) -> None:
    for order_id in ids:
        system.publish("bus", "order.paid", json.dumps({"order_id": order_id}))


def test_a_dropped_event_never_reaches_the_worker_and_the_next_does(bus_system):
    system = bus_system("pubsub")
    system.message_seam("fulfilment", "bus").fault("drop", first=1)
    publish_orders(system, 1, 2)
    eventually(lambda: shipments(system) == [2])
    assert [(m.json["order_id"], m.fault) for m in delivered(system)] == [(1, "drop"), (2, None)]


def test_a_duplicated_event_is_handled_twice(bus_system):
    system = bus_system("pubsub")
    system.message_seam("fulfilment", "bus").fault("duplicate")
    publish_orders(system, 1)
    eventually(lambda: shipments(system) == [1, 1])
    assert delivered(system).count == 2


def test_a_reordered_event_is_handled_after_the_next(bus_system):
    system = bus_system("pubsub")
    system.message_seam("fulfilment", "bus").fault("reorder", first=1)
    publish_orders(system, 1, 2, 3)
    eventually(lambda: shipments(system) == [2, 1, 3])


def test_a_delayed_event_is_held_and_what_follows_stays_in_order(bus_system):
    system = bus_system("pubsub")
    system.message_seam("fulfilment", "bus").fault("delay", first=1, delay_ms=300)
    publish_orders(system, 1, 2)
    eventually(lambda: shipments(system) == [1, 2])
    sent = system.messages("bus", published_by="test")[0]
    late = delivered(system)[0]
    assert late.fault == "delay" and late.mono - sent.mono >= 0.3


def test_a_cut_closes_the_workers_connection_at_that_event(bus_system):
    system = bus_system("pubsub")
    system.message_seam("fulfilment", "bus").fault("cut", subject="order.paid")
    publish_orders(system, 1)
    eventually(lambda: "ConnectionError" in system.logs("fulfilment"))
    assert delivered(system).one().fault == "cut"
    assert shipments(system) == []


def celery_message(order_id: int) -> str:
    return json.dumps({"order_id": order_id})


# "list" pops with a 1 s timeout (Celery's way); "forever" with `BRPOP celery 0`, which Redis
# never answers nil: a worker written for real Redis would crash on a None
@pytest.mark.parametrize("mode", ["list", "forever"])
def test_a_popped_message_that_is_dropped_is_lost_and_the_pop_gets_the_next(bus_system, mode):
    system = bus_system(mode)
    system.message_seam("fulfilment", "bus").fault("drop", first=1)
    client = redis.Redis.from_url(system.url("bus"))
    client.lpush("celery", celery_message(1))
    eventually(lambda: delivered(system).count == 1)
    client.lpush("celery", celery_message(2))
    eventually(lambda: shipments(system) == [2])
    assert client.llen("celery") == 0  # taken off the list, never handled
    assert [m.fault for m in delivered(system)] == ["drop", None]
    assert "Traceback" not in system.logs("fulfilment")


def test_a_reordered_blocking_pop_gets_the_next_message_instead(bus_system):
    system = bus_system("forever")
    system.message_seam("fulfilment", "bus").fault("reorder", first=1)
    redis.Redis.from_url(system.url("bus")).lpush("celery", celery_message(1), celery_message(2))
    eventually(lambda: shipments(system) == [2, 1])
    assert "Traceback" not in system.logs("fulfilment")


def test_a_duplicated_pop_is_delivered_again(bus_system):
    system = bus_system("list")
    system.message_seam("fulfilment", "bus").fault("duplicate", first=1)
    redis.Redis.from_url(system.url("bus")).lpush("celery", celery_message(1))
    eventually(lambda: shipments(system) == [1, 1])
    assert [m.fault for m in delivered(system)] == ["duplicate", None]


def test_a_reordered_pop_goes_to_the_back_of_the_queue(bus_system):
    system = bus_system("list")
    system.message_seam("fulfilment", "bus").fault("reorder", first=1)
    # one LPUSH: both are queued before the worker pops the first
    redis.Redis.from_url(system.url("bus")).lpush("celery", celery_message(1), celery_message(2))
    eventually(lambda: shipments(system) == [2, 1])


def test_a_fault_is_cleared_by_use_real_and_by_the_next_test(bus_system):
    system = bus_system("pubsub")
    seam = system.message_seam("fulfilment", "bus").fault("drop")
    assert "drop" in repr(seam)
    seam.use_real()
    publish_orders(system, 1)
    eventually(lambda: shipments(system) == [1])
    seam.fault("drop")
    Harness(system).reset_seams()
    assert "real" in repr(seam)


@pytest.mark.parametrize("action", ["reorder", "duplicate"])
def test_a_sorted_set_member_put_back_by_a_fault_keeps_its_score_and_is_not_lost(
    bus_system, action
):
    system = bus_system("list")
    link = system.message_seam("zworker", "bus")  # the test's own consumer, as a party
    direct = redis.Redis.from_url(system.url("bus"))
    direct.zadd("jobs", {"a": 1, "b": 2})
    link.fault(action, first=1)
    host, port = link.address
    consumer = redis.Redis(host=host, port=port)
    try:
        popped = [consumer.bzpopmin("jobs", 2) for _ in range(2 if action == "reorder" else 3)]
    finally:
        consumer.close()
    # back with its score, so it comes in its turn again (a sorted set keeps no other order)
    expected = [(b"jobs", b"a", 1.0)] * (1 if action == "reorder" else 2) + [(b"jobs", b"b", 2.0)]
    assert popped == expected
    assert direct.zcard("jobs") == 0
    assert action in [m.fault for m in link.messages()]
