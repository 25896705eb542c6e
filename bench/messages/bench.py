"""Messages through a message seam against direct, with redis-py; the journal's memory.

    python bench/messages/bench.py [--messages 20000] [--rpcs 2000] [--rounds 3] [--write]

Starts a real system (a Redis `bus`) and compares, alternating direct and through the
`test -> bus` seam, round by round:
- list: one process LPUSHes 200-byte messages one by one (as kombu does), another BRPOPs
  them; msgs/s from the first push to the last pop.
- pub/sub: one process PUBLISHes, another is subscribed; msgs/s the same way.
- RPC: LPUSH a request, a responder BRPOPs it and LPUSHes the reply, BRPOP the reply: 4
  crossings of the seam per round trip; p50/p99 after 200 warm-up rounds.
and the message journal's memory per 10k messages of 200 bytes (tracemalloc).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import redis

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from benchlib import write_results  # noqa: E402
from parties import (  # noqa: E402
    Deferred,
    journal_memory,
    load_average,
    options,
    percentile,
    round_trips,
    throughput,
)

from seamline.records.exchange import Body  # noqa: E402
from seamline.records.message import Message  # noqa: E402
from seamline.system.core import System  # noqa: E402

PAYLOAD = b"x" * 200
WARMUP = 200


def helper(role: str, url: str, count: int) -> None:
    """The other process of a measurement: a consumer, a subscriber or a responder."""
    client = redis.Redis.from_url(url)
    if role == "consumer":
        print("ready", flush=True)
        for _ in range(count):
            client.brpop(["bench"], timeout=30)
        print(time.time(), flush=True)
    elif role == "subscriber":
        pubsub = client.pubsub()
        pubsub.subscribe("bench")
        pubsub.get_message(timeout=5)
        print("ready", flush=True)
        got = 0
        while got < count:
            if pubsub.get_message(timeout=30) is not None:
                got += 1
        print(time.time(), flush=True)
    elif role == "responder":
        print("ready", flush=True)
        for _ in range(count):
            _, request = client.brpop(["requests"], timeout=30)  # type: ignore[misc]
            client.lpush("replies", request)
    elif role in ("pusher", "publisher"):
        print("ready", flush=True)
        print(time.time(), flush=True)
        for _ in range(count):
            if role == "pusher":
                client.lpush("bench", PAYLOAD)
            else:
                client.publish("bench", PAYLOAD)
    elif role == "caller":
        print("ready", flush=True)
        times = []
        for _ in range(count):
            began = time.perf_counter()
            client.lpush("requests", PAYLOAD)
            client.brpop(["replies"], timeout=30)
            times.append((time.perf_counter() - began) * 1000)
        print(json.dumps(times[WARMUP:]), flush=True)


def published(_: int) -> Message:
    return Message("api", "bus", "resp", "published", Body(PAYLOAD, 200), subject="bench")


def main() -> None:
    args = options()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "seamline.toml"
        config.write_text('[services.bus]\nkind = "redis"\n')
        with System.from_config(config, run_root=Path(tmp) / "runs") as system:
            urls = {"direct": system.direct_url("bus"), "seam": system.url("bus")}
            rates: dict[tuple[str, str], list[float]] = {}
            rtts: dict[str, list[float]] = {"direct": [], "seam": []}
            capture = system.seams.brokers.capture  # type: ignore[union-attr]
            deferred, loads = Deferred(), [load_average()]
            for _ in range(args.rounds):
                for path, url in urls.items():
                    for role in ("consumer", "subscriber"):
                        sender = "pusher" if role == "consumer" else "publisher"
                        seam_capture = capture if path == "seam" else None
                        rate = throughput(
                            __file__, url, args.messages, role, sender, seam_capture, deferred
                        )
                        rates.setdefault((role, path), []).append(rate)
                    rtts[path] += round_trips(
                        __file__, url, args.rpcs + WARMUP, capture if path == "seam" else None
                    )
                    loads.append(load_average())
            journaled = len(system.seams.brokers.journal)  # type: ignore[union-attr]
    memory = journal_memory(published)
    report(args, rates, rtts, memory, journaled, deferred, loads)


def report(args, rates, rtts, memory: float, journaled: int, deferred, loads) -> None:  # type: ignore[no-untyped-def]
    rows = []
    for role, label in (("consumer", "list: LPUSH / BRPOP"), ("subscriber", "pub/sub: PUBLISH")):
        direct = statistics.median(rates[(role, "direct")])
        seam = statistics.median(rates[(role, "seam")])
        rows.append(f"| {label} msgs/s | {direct:,.0f} | {seam:,.0f} | {seam / direct:.2f} |")
    p50 = [percentile(rtts[p], 0.5) for p in ("direct", "seam")]
    p99 = [percentile(rtts[p], 0.99) for p in ("direct", "seam")]
    rows.append(f"| RPC p50 ms | {p50[0]:.3f} | {p50[1]:.3f} | +{p50[1] - p50[0]:.3f} ms |")
    rows.append(f"| RPC p99 ms | {p99[0]:.3f} | {p99[1]:.3f} | +{p99[1] - p99[0]:.3f} ms |")
    text = f"""
`bench/messages/bench.py`: Redis through a message seam (`test -> bus`) against direct, with
redis-py; {args.messages:,} messages of 200 B per measurement, {args.rounds} rounds alternating
direct and seam (medians), each party in a process of its own (the bench process only hosts
the seam, as a test run's does); RPC = LPUSH a request, a
responder BRPOPs it and LPUSHes the reply, BRPOP the reply (4 crossings), {args.rpcs:,} round
trips per round after 200 warm-up ones. The seam journaled {journaled:,} messages meanwhile.

| | direct | through the seam | seam / direct, added |
| --- | ---: | ---: | ---: |
{chr(10).join(rows)}

The message journal holds {memory:.1f} MB per 10k messages of 200 B (tracemalloc; one
serialized line each, as the exchange journal keeps them).
{deferred.text()}
Load average (1 min) during the run: {min(loads):.1f} to {max(loads):.1f} on {os.cpu_count()} cores.
"""
    print(text)
    if args.write:
        write_results("Messages through a seam (`bench/messages/bench.py`)", text)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--helper":
        helper(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
