"""Message seams on links to Redis, exercised with redis-py and a real worker process."""

from __future__ import annotations

import json
import socket

import pytest
import redis

from seamline.records.reader import read_record_dir
from seamline.seams.assertions import eventually
from seamline.system.harness import Harness


def shipments(system) -> list[bytes]:
    return redis.Redis.from_url(system.direct_url("bus")).lrange("shipments", 0, -1)


def test_pubsub_message_published_by_the_test_and_delivered_to_the_worker(bus_system):
    system = bus_system("pubsub")
    system.publish("bus", "order.paid", json.dumps({"order_id": 7}))

    eventually(lambda: shipments(system))
    published = system.messages("bus", subject="order.paid", published_by="test").one()
    delivered = system.messages("bus", subject="order.paid", delivered_to="fulfilment").one()
    assert published.json == delivered.json == {"order_id": 7}
    assert delivered.seam == "fulfilment -> bus" and delivered.protocol == "resp"
    stored = system.messages("bus", queue="shipments", published_by="fulfilment").one()
    assert stored.json == {"order_id": 7}
    assert system.env("fulfilment")["BUS_URL"] != system.direct_url("bus")


def test_a_failed_one_lists_every_message_that_crossed(bus_system):
    system = bus_system("pubsub")
    system.publish("bus", "order.paid", "{}")
    eventually(lambda: system.messages("bus", delivered_to="fulfilment").count == 1)

    with pytest.raises(AssertionError) as failure:
        system.messages("bus", subject="order.refunded").one()
    shown = str(failure.value)
    assert "expected exactly one message subject 'order.refunded'" in shown
    assert "test -> bus published order.paid: {}" in shown
    assert "fulfilment -> bus delivered order.paid: {}" in shown


def test_list_delivery_shows_a_celery_task_as_the_call_it_stands_for(bus_system):
    system = bus_system("list")
    body = json.dumps([[], {"order_id": 7}, {}]).encode()
    envelope = {
        "body": __import__("base64").b64encode(body).decode(),
        "headers": {"task": "shop.tasks.ship", "id": "abc-1", "retries": 0},
        "properties": {"body_encoding": "base64"},
    }
    redis.Redis.from_url(system.url("bus")).lpush("celery", json.dumps(envelope))

    eventually(lambda: shipments(system))
    delivered = system.messages("bus", queue="celery", delivered_to="fulfilment").one()
    assert delivered.task == {
        "name": "shop.tasks.ship",
        "id": "abc-1",
        "retries": 0,
        "args": [],
        "kwargs": {"order_id": 7},
    }
    assert "shop.tasks.ship(order_id=7)" in str(delivered)
    assert system.messages("bus", queue="celery", published_by="test").one().task == delivered.task


def test_stream_entries_show_whether_the_consumer_acked_them(bus_system):
    system = bus_system("stream")
    client = redis.Redis.from_url(system.url("bus"))
    acked = client.xadd("orders", {"order_id": "7"}).decode()
    unacked = client.xadd("orders", {"order_id": "8", "ack": "no"}, maxlen=100).decode()

    eventually(lambda: system.messages("bus", queue="orders", delivered_to="fulfilment").count == 2)
    eventually(lambda: system.messages("bus", delivered_to="fulfilment")[0].ack == "acked")
    first, second = system.messages("bus", queue="orders", delivered_to="fulfilment")
    assert (first.id, first.ack, first.json) == (acked, "acked", {"order_id": "7"})
    assert (second.id, second.ack) == (unacked, "unacked")
    assert second.json == {"order_id": "8", "ack": "no"}
    assert system.messages("bus", queue="orders", published_by="test").count == 2


def test_undecodable_bytes_are_forwarded_untouched_and_flagged(bus_system):
    system = bus_system("pubsub")
    host, port = system.message_seam("test", "bus").address
    with socket.create_connection((host, port), timeout=5) as connection:
        connection.sendall(b"garbage here\r\n")  # an inline command: not RESP
        reply = connection.recv(1024)
    assert reply.startswith(b"-ERR")  # Redis saw the bytes as they were sent
    flagged = system.messages("bus", published_by="test").one()
    assert flagged.problem is not None and "not decoded" in flagged.problem
    assert flagged.payload.data == b"garbage here\r\n"


def test_large_payloads_are_capped_as_http_bodies_are(bus_system):
    system = bus_system("pubsub", "[seams]\nbody_cap = 1024")
    system.publish("bus", "order.paid", "x" * 100_000)
    message = system.messages("bus", published_by="test").one()
    assert (message.payload.size, message.payload.truncated) == (100_000, True)
    assert len(message.payload.data) == 1024


def test_messages_are_in_the_record_dir_with_acks_settled(bus_system):
    system = bus_system("stream")
    redis.Redis.from_url(system.url("bus")).xadd("orders", {"order_id": "7"})
    # .one() fails (and eventually retries) until the worker has read it; [0] would raise
    eventually(lambda: system.messages("bus", delivered_to="fulfilment").one().ack == "acked")

    lines = read_record_dir(system.record_dir).messages
    assert [(m["direction"], m["consumer"], m["ack"]) for m in lines] == [
        ("published", "test", None),
        ("delivered", "fulfilment", "acked"),
    ]


def test_messages_take_their_place_in_the_sequence_between_exchanges(write_config, start_system):
    from tests.conftest import APP
    from tests.messages.conftest import config

    extra = f"""
[services.api]
command = "{APP} --port {{self.port}}"
ready = "http GET /health"
"""
    system = start_system(write_config(config("pubsub") + extra))
    Harness(system).begin_test("t")
    api = system.client("api")
    api.get("/health")
    system.publish("bus", "order.paid", '{"order_id": 7}')
    eventually(lambda: system.messages("bus", published_by="fulfilment").count == 1)
    api.get("/health")

    flow = system.seams.sequence()
    assert flow.seams == [
        "test -> api",
        "test -> bus",
        "fulfilment -> bus",
        "fulfilment -> bus",  # the shipment it stored
        "test -> api",
    ]
    assert flow.index_of("fulfilment -> bus") == 2
    assert "fulfilment -> bus delivered order.paid" in str(flow)
