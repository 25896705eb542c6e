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

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import redis

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchlib import write_results  # noqa: E402

from seamline.records.exchange import Body  # noqa: E402
from seamline.records.message import Message  # noqa: E402
from seamline.seams.message_journal import MessageJournal  # noqa: E402
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


def start_helper(role: str, url: str, count: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--helper", role, url, str(count)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def throughput(url: str, count: int, role: str) -> float:
    """Both parties are processes of their own: this one only hosts the seam, as in a run."""
    other = start_helper(role, url, count)
    sender = start_helper("pusher" if role == "consumer" else "publisher", url, count)
    assert other.stdout is not None
    assert sender.stdout is not None
    started = float(sender.stdout.readline())
    ended = float(other.stdout.readline())
    for process in (sender, other):
        process.wait(30)
    return count / (ended - started)


def round_trips(url: str, count: int) -> list[float]:
    other = start_helper("responder", url, count + WARMUP)
    caller = start_helper("caller", url, count + WARMUP)
    assert caller.stdout is not None
    times: list[float] = json.loads(caller.stdout.readline())
    for process in (caller, other):
        process.wait(30)
    return times


def journal_memory(count: int = 10_000) -> float:
    journal = MessageJournal(None)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for i in range(count):
        journal.add(
            Message("api", "bus", "resp", "published", Body(PAYLOAD, 200), subject="bench")
        )
        del i
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    return sum(s.size_diff for s in after.compare_to(before, "filename")) / 1e6


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rpcs", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "seamline.toml"
        config.write_text('[services.bus]\nkind = "redis"\n')
        with System.from_config(config, run_root=Path(tmp) / "runs") as system:
            urls = {"direct": system.direct_url("bus"), "seam": system.url("bus")}
            rates: dict[tuple[str, str], list[float]] = {}
            rtts: dict[str, list[float]] = {"direct": [], "seam": []}
            for _ in range(args.rounds):
                for path, url in urls.items():
                    for role in ("consumer", "subscriber"):
                        rate = throughput(url, args.messages, role)
                        rates.setdefault((role, path), []).append(rate)
                    rtts[path] += round_trips(url, args.rpcs)
            journaled = len(system.seams.brokers.journal)  # type: ignore[union-attr]
    memory = journal_memory()
    report(args, rates, rtts, memory, journaled)


def report(args, rates, rtts, memory: float, journaled: int) -> None:  # type: ignore[no-untyped-def]
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
Load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.
"""
    print(text)
    if args.write:
        write_results("Messages through a seam (`bench/messages/bench.py`)", text)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--helper":
        helper(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
