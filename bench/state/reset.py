"""The cost of the per-test reset of Redis and `kind = "mock"` services.

    python bench/state/reset.py [--rounds 300] [--write]

Starts a real system (a redis-server and a mock service with 20 file mappings), and per
round writes what a test might (Redis: N keys; mock: 5 stubs added, 10 requests, a
scenario moved), then times `reset_after_test()` alone: the cost seamline adds to each
test. `--write` replaces the section in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchlib import write_results  # noqa: E402

from seamline.mock import get  # noqa: E402
from seamline.system.core import System  # noqa: E402

CONFIG = """
[services.cache]
kind = "redis"
[services.partner]
kind = "mock"
mappings = "stubs"
"""


def write_keys(port: int, count: int) -> None:
    """SET count keys in one pipelined round trip (RESP by hand)."""
    commands = b"".join(
        b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$5\r\nvalue\r\n" % (len(k), k)
        for k in (f"key:{n}".encode() for n in range(count))
    )
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(commands + b"*1\r\n$4\r\nPING\r\n")
        seen = b""
        while not seen.endswith(b"+PONG\r\n"):
            seen += sock.recv(65536)


def timed(action: object, prepare: object, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        prepare()  # type: ignore[operator]
        started = time.perf_counter()
        action()  # type: ignore[operator]
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="seamline-bench-state-"))
    (directory / "seamline.toml").write_text(CONFIG)
    mappings = directory / "stubs" / "mappings"
    mappings.mkdir(parents=True)
    for n in range(20):
        stub = {"request": {"method": "GET", "url": f"/file/{n}"}, "response": {"status": 200}}
        (mappings / f"m{n}.json").write_text(json.dumps(stub))
    rows = []
    with System.from_config(directory) as system:
        cache, partner = system.service("cache"), system.mock("partner")
        port = int(cache.attributes()["port"])
        for keys in (0, 100, 10_000):
            samples = timed(cache.reset_after_test, lambda k=keys: write_keys(port, k), args.rounds)
            rows.append((f"redis, {keys:,} keys written by the test", *summary(samples)))

        def a_test_on_the_mock() -> None:
            for n in range(5):
                partner.stub(get(f"/added/{n}")).reply(201)
            with httpx.Client(base_url=partner.url) as client:
                for n in range(10):
                    client.get(f"/file/{n}")

        service = system.service("partner")
        samples = timed(service.reset_after_test, a_test_on_the_mock, args.rounds)
        rows.append(
            ("mock service, 20 file mappings, 5 added stubs, 10 requests", *summary(samples))
        )
    table = "\n".join(f"| {what} | {median:.2f} ms | {p99:.2f} ms |" for what, median, p99 in rows)
    text = f"""
`bench/state/reset.py`: the time `reset_after_test()` adds to each test, {args.rounds} rounds,
the system started once (seamline's own redis-server and stub server, loopback).

| reset after each test | median | p99 |
| --- | ---: | ---: |
{table}

Redis is emptied with FLUSHALL over one short connection; a mock service reloads its file
mappings and clears its journal and scenarios (`MockServer.reset()`, what WireMock's
`/__admin/reset` does). The p99 column is the shared machine's noise (up to 8 jobs on 2 cores
when this was measured); the medians are the cost.
"""
    print(text)
    if args.write:
        write_results("Per-test reset: Redis and mock services (`bench/state/reset.py`)", text)


if __name__ == "__main__":
    main()
