"""Message seams on links to RabbitMQ (AMQP 0-9-1), exercised with pika against a real node.

A node boots in 3-8 s, so one module-wide system serves every test; each test declares its
own queues (`begin_test` gives each its own slice of the journal). The test process plays
both services: `shop` publishes through the `shop -> bus` seam, `worker` consumes through
`worker -> bus`.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import struct
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pika
import pytest

from seamline.seams.amqp import FRAME_BODY, FRAME_HEADER, FRAME_METHOD, PUBLISH, frame
from seamline.seams.assertions import eventually
from seamline.services.amqp import AmqpConnection
from seamline.system.core import System
from seamline.system.harness import Harness

CONFIG = """
[seams]
body_cap = 1000
[services.bus]
kind = "rabbitmq"
ready_timeout = 120
asyncapi = "events.yaml"
[services.echo]
command = "{python} {script}"
ready = "log ^ready"
env = {{ AMQP_URL = "{{bus.amqp_url}}", URL = "{{bus.url}}", PORT = "{{bus.port}}" }}
"""
# A real Celery worker consuming `ship.tasks` through its seam, when Celery is installed.
WORKER = f"""
[services.fulfilment]
command = "{sys.executable} -m celery -A celery_tasks worker --pool=solo -Q ship.tasks -l INFO"
ready = 'log ready[.]'
ready_timeout = 60
env = {{ BUS_URL = "{{bus.amqp_url}}", PYTHONPATH = "{Path(__file__).parent.parent / "apps"}" }}
"""
HAS_CELERY = importlib.util.find_spec("celery") is not None
ECHO = """
import os, sys, time
print("env", os.environ["AMQP_URL"], os.environ["URL"], os.environ["PORT"])
print("ready", flush=True)
time.sleep(600)  # a service that just stays up until it is stopped
"""
EVENTS = """\
asyncapi: 3.0.0
info: {title: shop events, version: "1"}
channels:
  orderPaid:
    address: order.paid
    messages:
      orderPaid:
        payload:
          type: object
          required: [order_id]
          properties: {order_id: {type: integer}}
"""
_names = itertools.count(1)


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    base = tmp_path_factory.mktemp("amqp")
    (base / "echo.py").write_text(ECHO)
    (base / "events.yaml").write_text(EVENTS)
    path = base / "seamline.toml"
    config = CONFIG.format(python=sys.executable, script=base / "echo.py")
    path.write_text(config + (WORKER if HAS_CELERY else ""))
    started = System.from_config(path).start()
    yield started
    started.stop()


@pytest.fixture
def queue(system: System, request: pytest.FixtureRequest) -> str:
    """A fresh queue `q<n>` bound to the `shop` topic exchange by its own name."""
    Harness(system).begin_test(request.node.name)
    name = f"q{next(_names)}"
    ch = connect(system, "shop")
    ch.exchange_declare("shop", "topic")
    ch.queue_declare(name)
    ch.queue_bind(name, "shop", name)
    ch.connection.close()
    return name


def connect(system: System, service: str) -> pika.adapters.blocking_connection.BlockingChannel:
    """A pika channel of `service`, through its seam into `bus`."""
    host, port = system.message_seam(service, "bus").address
    params = pika.ConnectionParameters(
        host, port, credentials=pika.PlainCredentials("guest", "guest")
    )
    return pika.BlockingConnection(params).channel()


def publish(system: System, key: str, *bodies: bytes, **props: object) -> None:
    ch = connect(system, "shop")
    ch.confirm_delivery()  # each publish returns once the broker has it
    for body in bodies:
        ch.basic_publish("shop", key, body, pika.BasicProperties(**props))  # type: ignore[arg-type]
    ch.connection.close()


def receive(ch, queue: str, count: int, settle=None) -> list[bytes]:
    """`count` bodies consumed from `queue`, each settled by `settle(ch, tag)` (none: never)."""
    got: list[bytes] = []

    def on_message(ch, method, properties, body):
        got.append(body)
        if settle is not None:
            settle(ch, method.delivery_tag)

    ch.basic_consume(queue, on_message)
    deadline = time.monotonic() + 10
    while len(got) < count:
        assert time.monotonic() < deadline, f"got {got}, expected {count} messages"
        ch.connection.process_data_events(time_limit=0.05)
    return got


def ack(ch, tag):
    ch.basic_ack(tag)


def test_a_published_message_and_its_delivery_are_journaled_with_their_ack(system, queue):
    publish(
        system,
        queue,
        b'{"order_id": 7}',
        content_type="application/json",
        correlation_id="c-1",
        headers={"seq": 3, "source": "api", "tags": ["a", "b"]},
    )
    worker = connect(system, "worker")
    assert receive(worker, queue, 1, ack) == [b'{"order_id": 7}']
    eventually(lambda: system.messages("bus", delivered_to="worker").one().ack == "acked")
    sent = system.messages("bus", published_by="shop").one()
    assert (sent.protocol, sent.exchange, sent.subject, sent.json) == (
        "amqp",
        "shop",
        queue,
        {"order_id": 7},
    )
    assert dict(sent.headers) == {"seq": "3", "source": "api", "tags": '["a", "b"]'}
    assert sent.properties is not None
    assert sent.properties["content_type"] == "application/json"
    assert sent.properties["correlation_id"] == "c-1"
    got = system.messages("bus", delivered_to="worker", queue=queue).one()
    assert (got.exchange, got.subject, got.json, dict(got.headers)) == (
        "shop",
        queue,
        {"order_id": 7},
        dict(sent.headers),
    )
    assert got.properties is not None
    assert got.properties["delivery_tag"] == 1 and got.properties["redelivered"] is False
    assert got.properties["consumer_tag"].startswith("ctag")
    worker.connection.close()


def test_nack_reject_and_no_ack_each_settle_their_own_delivery(system, queue):
    publish(system, queue, b"1", b"2", b"3")
    worker = connect(system, "worker")
    worker.basic_qos(prefetch_count=3)
    outcomes = iter(
        [
            lambda ch, t: ch.basic_nack(t, requeue=False),
            lambda ch, t: ch.basic_reject(t, requeue=False),
            None,
        ]
    )

    def settle(ch, tag):
        how = next(outcomes)
        if how is not None:
            how(ch, tag)

    receive(worker, queue, 3, settle)
    delivered = system.messages("bus", delivered_to="worker")
    eventually(
        lambda: (
            [m.ack for m in system.messages("bus", delivered_to="worker")]
            == ["nacked", "rejected", "unacked"]
        )
    )
    assert [m.payload.text for m in delivered] == ["1", "2", "3"]
    worker.connection.close()


def test_one_ack_with_multiple_settles_every_delivery_before_it(system, queue):
    publish(system, queue, b"1", b"2", b"3")
    worker = connect(system, "worker")
    receive(worker, queue, 3)
    worker.basic_ack(2, multiple=True)
    worker.connection.process_data_events(time_limit=0)
    eventually(
        lambda: (
            [m.ack for m in system.messages("bus", delivered_to="worker")]
            == ["acked", "acked", "unacked"]
        )
    )
    worker.connection.close()


def test_basic_get_is_a_delivery_from_its_queue(system, queue):
    publish(system, queue, b'{"n": 1}')
    worker = connect(system, "worker")
    method, _, body = worker.basic_get(queue)
    assert body == b'{"n": 1}'
    worker.basic_ack(method.delivery_tag)
    assert worker.basic_get(queue) == (None, None, None)
    eventually(
        lambda: system.messages("bus", delivered_to="worker", queue=queue).one().ack == "acked"
    )
    worker.connection.close()


def raw_publish(channel: int, exchange: str, key: str, body: bytes) -> bytes:
    name = exchange.encode(), key.encode()
    method = struct.pack(">HHH", *PUBLISH, 0) + b"".join(bytes([len(n)]) + n for n in name) + b"\0"
    header = struct.pack(">HHQH", 60, 0, len(body), 0)
    return (
        frame(FRAME_METHOD, channel, method)
        + frame(FRAME_HEADER, channel, header)
        + frame(FRAME_BODY, channel, body)
    )


def test_frames_split_across_reads_and_many_in_one_read_are_all_decoded(system, queue):
    _, port = system.message_seam("shop", "bus").address
    with AmqpConnection(port) as conn:  # seamline's own minimal client, through the seam
        one_by_one = raw_publish(1, "shop", queue, b"split")
        for at in range(len(one_by_one)):
            conn.sock.sendall(one_by_one[at : at + 1])
            time.sleep(0.001)  # not to wait for anything: so each byte is a read of its own
        conn.sock.sendall(b"".join(raw_publish(1, "shop", queue, b"%d" % n) for n in range(50)))
    eventually(lambda: system.messages("bus", published_by="shop").count == 51)
    sent = system.messages("bus", published_by="shop")
    assert [m.payload.text for m in sent] == ["split", *map(str, range(50))]
    worker = connect(system, "worker")
    assert len(receive(worker, queue, 51, ack)) == 51  # the broker got every one of them
    worker.connection.close()


def test_a_large_body_spans_body_frames_and_is_capped_in_the_journal(system, queue):
    body = json.dumps({"blob": "x" * 300_000}).encode()  # > frame_max (128 KiB): 3 frames
    publish(system, queue, body)
    worker = connect(system, "worker")
    assert receive(worker, queue, 1, ack) == [body]
    got = system.messages("bus", delivered_to="worker").one()
    assert (got.payload.size, got.payload.truncated, len(got.payload.text)) == (
        len(body),
        True,
        1000,
    )
    worker.connection.close()


def test_bytes_that_are_not_amqp_are_forwarded_and_flagged(system, queue):
    _, port = system.message_seam("shop", "bus").address
    conn = AmqpConnection(port)
    conn.sock.sendall(b"\x09garbage that is not a frame\xce")
    closed = conn.sock.recv(4096)  # the broker read them: it answers with a close (or EOF)
    conn.sock.close()
    assert closed == b"" or closed[0] == FRAME_METHOD
    flagged = system.messages("bus", published_by="shop").one()
    assert flagged.problem is not None and "frame type" in flagged.problem
    assert flagged.payload.text.startswith("\x09garbage")


def test_a_celery_task_over_amqp_shows_as_the_call_it_stands_for(system, queue):
    celery = pytest.importorskip("celery", reason="celery is not installed")
    tasks = f"{queue}.celery"  # Celery declares its queues durable: one of its own
    task_id = send_ship(celery.Celery, system, tasks)
    worker = connect(system, "worker")
    receive(worker, tasks, 1, ack)
    worker.connection.close()
    sent = system.messages("bus", published_by="shop").one()
    got = system.messages("bus", delivered_to="worker").one()
    assert got.task == sent.task
    assert sent.task == {
        "name": "shop.tasks.ship",
        "id": task_id,
        "retries": 0,
        "args": [],
        "kwargs": {"order_id": 7},
    }
    assert "shop.tasks.ship(order_id=7)" in str(got)


def send_ship(celery_app, system: System, queue: str) -> str:  # type: ignore[no-untyped-def]
    """`shop.tasks.ship(order_id=7)` sent by the `shop` service with Celery; its id."""
    app = celery_app("shop", broker=_url(system, "shop"))
    with app.connection_for_write() as connection, connection.Producer() as producer:
        sent = app.send_task(
            "shop.tasks.ship", kwargs={"order_id": 7}, queue=queue, producer=producer
        )
    return str(sent.id)


def _url(system: System, service: str) -> str:
    host, port = system.message_seam(service, "bus").address
    return f"amqp://guest:guest@{host}:{port}//"


def worker_gets(system: System, queue: str, count: int) -> list[bytes]:
    worker = connect(system, "worker")
    try:
        return receive(worker, queue, count, ack)
    finally:
        worker.connection.close()
        system.message_seam("worker", "bus").use_real()


def depth(system: System, queue: str) -> int:
    probe = connect(system, "probe")
    try:
        return int(probe.queue_declare(queue, passive=True).method.message_count)
    finally:
        probe.connection.close()


def test_a_dropped_delivery_is_lost_and_the_next_arrives(system, queue):
    system.message_seam("worker", "bus").fault("drop", first=1)
    publish(system, queue, b"1", b"2")
    assert worker_gets(system, queue, 1) == [b"2"]
    dropped, arrived = system.messages("bus", delivered_to="worker")
    assert (dropped.payload.text, dropped.fault, dropped.ack) == ("1", "drop", "unacked")
    assert (arrived.payload.text, arrived.ack) == ("2", "acked")
    assert depth(system, queue) == 0  # the seam acked it: the broker does not give it again


def test_a_duplicated_delivery_arrives_twice_under_two_tags(system, queue):
    system.message_seam("worker", "bus").fault("duplicate", first=1)
    publish(system, queue, b"1", b"2")
    assert sorted(worker_gets(system, queue, 3)) == [b"1", b"1", b"2"]
    delivered = system.messages("bus", delivered_to="worker")
    eventually(lambda: all(m.ack == "acked" for m in system.messages("bus", delivered_to="worker")))
    assert [m.fault for m in delivered if m.payload.text == "1"] == ["duplicate", None]
    tags = {m.properties["delivery_tag"] for m in delivered if m.properties}
    assert len(tags) == 3  # no tag given twice: the consumer's acks are all valid


def test_duplicating_every_delivery_duplicates_each_once_not_its_copies_again(system, queue):
    system.message_seam("worker", "bus").fault("duplicate")
    publish(system, queue, b"1", b"2")
    assert sorted(worker_gets(system, queue, 4)) == [b"1", b"1", b"2", b"2"]
    faults = [m.fault for m in system.messages("bus", delivered_to="worker")]
    assert faults.count("duplicate") == 2 and faults.count(None) == 2
    assert depth(system, queue) == 0  # no copy of a copy was published


def test_a_reordered_delivery_arrives_after_the_next(system, queue):
    system.message_seam("worker", "bus").fault("reorder", first=1)
    publish(system, queue, b"1", b"2", b"3")
    assert worker_gets(system, queue, 3) == [b"2", b"1", b"3"]
    eventually(
        lambda: [m.ack for m in system.messages("bus", delivered_to="worker")] == ["acked"] * 3
    )


def test_a_delayed_delivery_waits_and_what_follows_stays_in_order(system, queue):
    system.message_seam("worker", "bus").fault("delay", first=1, delay_ms=300)
    publish(system, queue, b"1", b"2")
    began = time.monotonic()
    assert worker_gets(system, queue, 2) == [b"1", b"2"]
    assert time.monotonic() - began >= 0.3
    assert system.messages("bus", delivered_to="worker")[0].fault == "delay"


def test_a_cut_closes_the_consumers_connection_and_the_broker_keeps_the_message(system, queue):
    system.message_seam("worker", "bus").fault("cut")
    publish(system, queue, b"1")
    worker = connect(system, "worker")
    with pytest.raises(pika.exceptions.AMQPConnectionError):
        receive(worker, queue, 1, ack)
    system.message_seam("worker", "bus").use_real()
    assert system.messages("bus", delivered_to="worker").one().fault == "cut"
    assert worker_gets(system, queue, 1) == [b"1"]  # never acked: delivered again


def test_system_publish_goes_through_the_test_seam(system, queue):
    system.publish("bus", queue, '{"order_id": 9}', exchange="shop")
    assert worker_gets(system, queue, 1) == [b'{"order_id": 9}']
    system.publish("bus", queue, '{"order_id": 10}')  # the default exchange: to that queue
    assert worker_gets(system, queue, 1) == [b'{"order_id": 10}']
    via_shop, direct = system.messages("bus", published_by="test")
    assert (via_shop.exchange, via_shop.subject, via_shop.queue) == ("shop", queue, None)
    assert (direct.exchange, direct.subject, direct.queue) == ("", queue, queue)
    assert via_shop.json == {"order_id": 9}


def test_a_services_urls_and_port_lead_through_its_seam(system):
    port = system.message_seam("echo", "bus").address[1]
    line = next(line for line in system.logs("echo").splitlines() if " env " in line)
    amqp_url, url, seen_port = line.split(" env ")[1].split()
    assert amqp_url == url == f"amqp://guest:guest@127.0.0.1:{port}/%2F"
    assert seen_port == str(port) != system.service("bus").attributes()["port"]


@pytest.mark.skipif(not HAS_CELERY, reason="celery is not installed (the examples extra)")
def test_a_celery_worker_gets_its_task_through_the_seam_and_acks_it(system, queue):
    from celery import Celery

    send_ship(Celery, system, "ship.tasks")
    eventually(lambda: "shipped 7" in system.logs("fulfilment"))

    def delivered():
        return system.messages("bus", delivered_to="fulfilment", queue="ship.tasks").one()

    eventually(lambda: delivered().ack == "acked")  # Celery acks as it starts the task
    assert str(delivered()).endswith("shop.tasks.ship(order_id=7) (acked)")
    assert delivered().task["retries"] == 0


def test_an_amqp_message_is_checked_against_its_routing_keys_channel(system, queue):
    ch = connect(system, "shop")
    ch.queue_bind(queue, "shop", "order.paid")
    ch.connection.close()
    publish(system, "order.paid", b'{"order_id": "7"}')
    assert worker_gets(system, queue, 1) == [b'{"order_id": "7"}']
    broken = "payload.order_id: expected integer, found string '7'"
    sent = system.messages("bus", published_by="shop").one()
    got = system.messages("bus", delivered_to="worker").one()
    assert [v.message for v in sent.violations + got.violations] == [
        f"shop -> bus: channel order.paid published: {broken}",
        f"worker -> bus: channel order.paid delivered: {broken}",
    ]
