"""`kind = "rabbitmq"`: a private RabbitMQ node driven by pika, purged between tests.

A node takes 3-8 s to boot, so one module-wide system (two nodes: one purged between
tests, one with isolation = "none") serves most tests here.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pika
import pytest

from seamline.errors import StartError
from seamline.runtime.procs import marked_pids
from seamline.services import rabbitnode
from seamline.system.core import System
from seamline.system.harness import Harness

CONFIG = """
[services.bus]
kind = "rabbitmq"
[services.kept]
kind = "rabbitmq"
isolation = "none"
"""


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    path = tmp_path_factory.mktemp("rabbitmq") / "seamline.toml"
    path.write_text(CONFIG)
    started = System.from_config(path).start()
    yield started
    started.stop()


def channel(url: str) -> pika.adapters.blocking_connection.BlockingChannel:
    return pika.BlockingConnection(pika.URLParameters(url)).channel()


def depth(url: str, queue: str) -> int:
    probe = channel(url)
    try:
        count: int = probe.queue_declare(queue, passive=True).method.message_count
        return count
    finally:
        probe.connection.close()


def eventually_depth(url: str, queue: str, expected: int) -> int:
    """A publish is asynchronous: wait (bounded) until the queue holds `expected`."""
    deadline = time.monotonic() + 10
    while (found := depth(url, queue)) != expected and time.monotonic() < deadline:
        time.sleep(0.02)
    return found


def test_a_message_published_with_pika_is_consumed(system: System):
    attributes = system.service("bus").attributes()
    assert attributes["url"] == attributes["amqp_url"]
    assert attributes["url"].startswith("amqp://guest:guest@127.0.0.1:")
    ch = channel(attributes["url"])
    try:
        ch.exchange_declare("shop", "topic")
        ch.queue_declare("ship")
        ch.queue_bind("ship", "shop", "order.*")
        ch.basic_publish("shop", "order.paid", b'{"order_id": 7}')
        deadline = time.monotonic() + 10
        while (got := ch.basic_get("ship", auto_ack=True))[0] is None:
            assert time.monotonic() < deadline, "the message never arrived"
        assert got[2] == b'{"order_id": 7}'
    finally:
        ch.connection.close()


def test_the_management_url_answers(system: System):
    management = system.service("bus").attributes()["management_url"]
    overview = httpx.get(f"{management}/api/overview", auth=("guest", "guest"), timeout=10)
    assert overview.status_code == 200
    assert overview.json()["node"] == rabbitnode.NODE_NAME


def test_between_tests_every_queue_of_every_vhost_is_purged(system: System):
    url = system.service("bus").attributes()["url"]
    management = system.service("bus").attributes()["management_url"]
    auth = ("guest", "guest")
    assert httpx.put(f"{management}/api/vhosts/tenant", auth=auth).status_code in (201, 204)
    grant = {"configure": ".*", "write": ".*", "read": ".*"}
    httpx.put(f"{management}/api/permissions/tenant/guest", json=grant, auth=auth)
    tenant_url = url.removesuffix("%2F") + "tenant"
    kept_url = system.service("kept").attributes()["url"]
    queues = [(url, f"q{n}") for n in range(8)] + [(tenant_url, "t0"), (kept_url, "k0")]
    for where, queue in queues:
        ch = channel(where)
        ch.queue_declare(queue)
        for number in range(3):
            ch.basic_publish("", queue, str(number).encode())
        ch.connection.close()
    owner = channel(url)  # an exclusive queue belongs to its connection: not ours to purge
    owner.queue_declare("mine", exclusive=True)
    owner.basic_publish("", "mine", b"x")
    for where, queue in queues:
        assert eventually_depth(where, queue, 3) == 3
    started = time.perf_counter()
    Harness(system).reset_services()  # what the pytest plugin does after each test
    cost = time.perf_counter() - started
    for where, queue in queues[:-1]:
        assert depth(where, queue) == 0, queue
    assert depth(kept_url, "k0") == 3  # isolation = "none"
    assert owner.queue_declare("mine", passive=True).method.message_count == 1
    owner.connection.close()
    assert cost < 5.0, cost


def test_a_stopped_node_starts_again_on_its_own_data(system: System):
    url = system.service("bus").attributes()["url"]
    ch = channel(url)
    ch.queue_declare("durable", durable=True)
    ch.connection.close()
    system.stop_service("bus")  # an outage, as a test would cause one
    with pytest.raises(pika.exceptions.AMQPConnectionError):
        channel(url)
    system.start_service("bus")
    assert depth(url, "durable") == 0  # the queue declared before the outage is still there


def test_a_failed_boot_is_seen_at_once_though_it_exits_0(tmp_path: Path, run_root: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "seamline.toml"
        config.write_text(
            f'[services.bus]\nkind = "rabbitmq"\nport = {port}\nready_timeout = 600\n'
        )
        system = System.from_config(config, run_root=run_root)
        with pytest.raises(StartError) as caught:
            system.start()
    # Seen when the node exits, not when ready_timeout runs out (that is another message).
    assert "the node stopped during its boot" in str(caught.value)
    assert not any(run_root.iterdir())  # the run dir, and so its epmd and node, are gone


def test_without_rabbitmq_the_error_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(rabbitnode, "INSTALL_DIRS", (tmp_path / "rabbitmq",))
    with pytest.raises(StartError) as caught:
        rabbitnode.find_rabbitmq("bus")
    message = str(caught.value)
    assert "service 'bus'" in message and "no RabbitMQ server found" in message
    assert "apt-get install rabbitmq-server" in message


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_two_systems_start_side_by_side_from_one_cold_cache_and_leave_nothing(
    tmp_path: Path, run_root: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("SEAMLINE_CACHE_DIR", str(tmp_path / "cache"))
    config = tmp_path / "seamline.toml"
    config.write_text('[services.bus]\nkind = "rabbitmq"\n[services.events]\nkind = "nats"\n')
    systems = [System.from_config(config, run_root=run_root) for _ in range(2)]
    errors: list[BaseException] = []

    def start(system: System) -> None:
        try:
            system.start()
        except BaseException as err:  # kept, and shown by the assert below
            errors.append(err)

    threads = [threading.Thread(target=start, args=(s,)) for s in systems]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    try:
        assert not errors, errors
        nodes = [s.service("bus") for s in systems]
        urls = [node.attributes()["url"] for node in nodes]
        ch = channel(urls[0])
        ch.queue_declare("only-here")
        ch.basic_publish("", "only-here", b"x")
        ch.connection.close()
        assert eventually_depth(urls[0], "only-here", 1) == 1
        other = channel(urls[1])
        with pytest.raises(pika.exceptions.ChannelClosedByBroker):
            other.queue_declare("only-here", passive=True)  # each node has its own data
        other.connection.close()
        ports = [p for node in nodes for p in vars(node.ports).values() if p]
        assert len(set(ports)) == len(ports)  # AMQP, dist, epmd, management: all private
        run_dirs = [s.run_dir for s in systems]
    finally:
        for system in systems:
            system.stop()
    builds = [s for s in systems if (s.record_dir / "logs" / "bus.build.log").exists()]
    assert len(builds) == 1  # one built the prepared data dir, the other waited and copied it
    assert list((tmp_path / "cache" / "rabbitmq").glob("*.tmp-*")) == []
    for run_dir in run_dirs:
        assert marked_pids(run_dir.name) == []
        assert not run_dir.exists()
    assert not any(listening(port) for port in ports)  # epmd included
