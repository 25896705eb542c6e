"""A message seam forwards first and decodes later: what that must not change.

The seam writes each chunk on at once and decodes its backlog in batches (when idle, past a
bound, before every read). These tests hold the idle decoding off (a long IDLE_S) where they
need the backlog to still be there, and check what a reader sees.
"""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterator

import pytest
import redis
from test_asyncapi_seams import EVENTS
from test_message_faults import delivered, publish_orders, shipments

from seamline.http.loop import LoopThread
from seamline.runtime.ports import LOOPBACK
from seamline.seams import message_capture
from seamline.seams.assertions import eventually
from seamline.seams.message_journal import MessageJournal
from seamline.seams.message_seams import BrokerSeams, MessageSeamView
from seamline.seams.resp import encode_command
from seamline.system.harness import Harness
from tests.messages.conftest import config


@pytest.fixture
def no_idle_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """The backlog is decoded only by a read or by its bound, never because the seam idles."""
    monkeypatch.setattr(message_capture, "IDLE_S", 3600.0)


def publish_raw(connection: socket.socket, channel: bytes, payload: bytes) -> None:
    """PUBLISH through the seam and wait for Redis's answer: the bytes have crossed both ways."""
    connection.sendall(encode_command(b"PUBLISH", channel, payload))
    assert connection.recv(64).startswith(b":")


def test_a_message_decoded_after_its_test_ended_belongs_to_the_test_it_crossed_in(
    bus_system, no_idle_decoding
):
    system = bus_system("pubsub")
    harness = Harness(system)
    harness.begin_test("test_a")
    with socket.create_connection(system.message_seam("test", "bus").address, timeout=5) as conn:
        publish_raw(conn, b"order.paid", b'{"order_id": 1}')
    capture = system.seams.brokers.capture  # type: ignore[union-attr]
    assert capture.backlog[0] > 0  # crossed, not decoded yet
    harness.end_test("test_a", "passed")
    harness.begin_test("test_b")
    published = system.messages("bus", published_by="test", all_tests=True).one()
    assert (published.test, published.json) == ("test_a", {"order_id": 1})
    system.messages("bus", published_by="test").none()  # none in test_b (raises if any)


def test_the_backlog_is_decoded_when_it_passes_its_bound(
    bus_system, no_idle_decoding, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(message_capture, "BACKLOG_BYTES", 4096)
    system = bus_system("pubsub")
    capture = system.seams.brokers.capture  # type: ignore[union-attr]
    payload = b"x" * 500
    largest = 0
    with socket.create_connection(system.message_seam("test", "bus").address, timeout=5) as conn:
        for _ in range(200):
            publish_raw(conn, b"bulk", payload)
            largest = max(largest, capture.backlog[1])
    # one chunk (a command or its reply) at most beyond the bound, never the whole burst
    assert largest <= 4096 + len(encode_command(b"PUBLISH", b"bulk", payload))
    assert system.messages("bus", subject="bulk", published_by="test").count == 200


@pytest.mark.parametrize("idle", [True, False], ids=["idle-decoding-on", "reads-only"])
def test_a_read_sees_every_message_that_crossed_before_it(
    bus_system, monkeypatch: pytest.MonkeyPatch, idle: bool
):
    if not idle:
        monkeypatch.setattr(message_capture, "IDLE_S", 3600.0)
    system = bus_system("list")
    client = redis.Redis.from_url(system.url("bus"))  # through the test -> bus seam
    for i in range(1, 101):
        client.lpush("jobs", b"job %d" % i)
        assert client.brpop(["jobs"], timeout=5) == (b"jobs", b"job %d" % i)
        # the reply has reached this thread: both crossings must be in the journal now
        mine = system.message_seam("test", "bus").messages()
        assert [m.direction for m in mine][-2:] == ["published", "delivered"]
        assert (mine.count, mine[-1].payload.data) == (2 * i, b"job %d" % i)


def test_a_fault_set_mid_stream_applies_from_the_next_message_on(bus_system):
    system = bus_system("pubsub")
    seam = system.message_seam("fulfilment", "bus")
    publish_orders(system, 1)  # crosses raw: nothing is read frame by frame yet
    eventually(lambda: shipments(system) == [1])
    seam.fault("drop", first=1)
    publish_orders(system, 2, 3)
    eventually(lambda: shipments(system) == [1, 3])
    got = [(m.json["order_id"], m.fault) for m in delivered(system)]
    assert got == [(1, None), (2, "drop"), (3, None)]


def test_after_a_fault_the_seam_forwards_raw_again_and_journals_each_message_once(bus_system):
    system = bus_system("pubsub")
    seam = system.message_seam("fulfilment", "bus")
    seam.fault("reorder", first=1)
    publish_orders(system, 1)
    eventually(lambda: delivered(system).one().fault == "reorder")  # the seam holds 1 now
    seam.use_real()  # 1 is still held: it goes out after the next delivery, as promised
    publish_orders(system, 2, 3, 4)
    eventually(lambda: shipments(system) == [2, 1, 3, 4])
    got = [(m.json["order_id"], m.fault) for m in delivered(system)]
    assert got == [(1, "reorder"), (2, None), (3, None), (4, None)]
    crossed = system.messages("bus", subject="order.paid")
    published = [json.loads(m.payload.data)["order_id"] for m in crossed]
    assert sorted(published) == [1, 1, 2, 2, 3, 3, 4, 4]  # published once, delivered once


def test_the_end_of_a_test_sees_violations_of_messages_not_decoded_yet(
    write_config, start_system, no_idle_decoding
):
    checked = config("pubsub").replace('kind = "redis"', 'kind = "redis"\nasyncapi = "events.yaml"')
    path = write_config(checked)
    (path.parent / "events.yaml").write_text(EVENTS)
    system = start_system(path)
    harness = Harness(system)
    harness.begin_test("test_a")
    with socket.create_connection(system.message_seam("test", "bus").address, timeout=5) as conn:
        publish_raw(conn, b"order.paid", b'{"order_id": "7"}')
    assert system.seams.brokers.capture.backlog[0] > 0  # type: ignore[union-attr]
    broken = [v for v in harness.contract_violations() if v.seam == "test -> bus"]
    assert [v.message for v in broken] == [
        "test -> bus: channel order.paid published: payload.order_id: expected integer, "
        "found string '7'"
    ]


def receive(connection: socket.socket, size: int) -> bytes:
    """Exactly `size` bytes (a socket read may return fewer)."""
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        assert chunk, f"the connection closed after {data!r}"
        data += chunk
    return data


@pytest.fixture
def scripted_broker(tmp_path) -> Iterator[tuple[MessageSeamView, socket.socket, socket.socket]]:
    """A `worker -> bus` message seam (NATS) in front of a listening socket the test speaks
    the broker's side of: which bytes arrive when is the test's to choose."""
    loop = LoopThread()
    listener = socket.create_server((LOOPBACK, 0))
    brokers = BrokerSeams(
        loop,
        MessageJournal(tmp_path / "messages.jsonl"),
        brokers={"bus": (LOOPBACK, listener.getsockname()[1], "nats")},
        current_test=lambda: "t",
        body_cap=1024,
    )
    try:
        view = MessageSeamView(brokers, "worker", "bus")
        with socket.create_connection(view.address, timeout=5) as client:
            listener.settimeout(5)
            broker, _ = listener.accept()
            with broker:
                yield view, client, broker
    finally:
        brokers.close()
        loop.stop()
        listener.close()


def test_a_fault_set_while_a_delivery_is_half_forwarded_spares_it_and_takes_the_next(
    scripted_broker,
):
    view, client, broker = scripted_broker
    first, second = b"MSG orders 1 10\r\n0123456789\r\n", b"MSG orders 1 5\r\nabcde\r\n"
    broker.sendall(first[:20])
    assert receive(client, 20) == first[:20]  # forwarded raw, before the frame is whole
    view.fault("drop")
    broker.sendall(first[20:] + second + b"PING\r\n")
    assert receive(client, len(first) - 20 + 6) == first[20:] + b"PING\r\n"  # no `second`
    third, fourth = b"MSG orders 1 3\r\nxyz\r\n", b"MSG orders 1 2\r\nok\r\n"
    view.use_real()
    broker.sendall(third[:10])  # the frame path's last chunk: what it kept goes out at once
    assert receive(client, 10) == third[:10]
    broker.sendall(third[10:] + fourth)  # raw again, and decoded once, whole
    assert receive(client, len(third) - 10 + len(fourth)) == third[10:] + fourth
    got = [(m.payload.data, m.fault) for m in view.messages(all_tests=True)]
    assert got == [(b"0123456789", None), (b"abcde", "drop"), (b"xyz", None), (b"ok", None)]


def test_a_consumer_that_stops_reading_stops_the_seam_reading_the_broker(
    scripted_broker, no_idle_decoding, monkeypatch: pytest.MonkeyPatch
):
    # nothing is decoded meanwhile: only backpressure can stop the seam reading
    monkeypatch.setattr(message_capture, "BACKLOG_BYTES", 1 << 30)
    _view, _client, broker = scripted_broker  # the client never reads
    broker.setblocking(False)
    block = (b"MSG orders 1 1000\r\n" + b"x" * 1000 + b"\r\n") * 1000  # ~1 MB
    sent, limit = 0, 64 * 1024 * 1024
    while sent < limit:
        try:
            sent += broker.send(block)
        except BlockingIOError:
            _, writable, _ = select.select([], [broker], [], 1.0)
            if not writable:
                break  # nobody reads any more: the seam has stopped reading its broker side
    # kernel buffers on both sides of the seam and its own write buffer, never all of it
    assert sent < 48 * 1024 * 1024
