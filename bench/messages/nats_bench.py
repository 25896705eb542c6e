"""NATS messages through a message seam against direct, with nats-py; the journal's memory.

    python bench/messages/nats_bench.py [--messages 20000] [--rpcs 2000] [--rounds 3] [--write]

Starts a real system (a NATS `bus`) and compares, alternating direct and through the
`test -> bus` seam, round by round:
- pub/sub: one process PUBlishes 200-byte messages on a subject (flushed at the end), another
  is subscribed; msgs/s from the first publish to the last message received.
- RPC: a request on a subject (nats-py's `request`, a reply inbox), a responder answers it:
  4 crossings of the seam per round trip; p50/p99 after 200 warm-up rounds.
and the message journal's memory per 10k NATS messages of 200 bytes.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nats

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


async def _helper(role: str, url: str, count: int) -> None:
    """The other process of a measurement: a subscriber, a publisher, a responder or a caller."""
    client = await nats.connect(url)
    if role in ("subscriber", "responder"):
        done = asyncio.Event()
        got = 0

        async def handle(message: object) -> None:
            nonlocal got
            got += 1
            if role == "responder":
                await message.respond(message.data)  # type: ignore[attr-defined]
            if got >= count:
                done.set()

        await client.subscribe("bench" if role == "subscriber" else "requests", cb=handle)
        await client.flush()
        print("ready", flush=True)
        await asyncio.wait_for(done.wait(), 120)
        if role == "subscriber":
            print(time.time(), flush=True)
    elif role == "publisher":
        print("ready", flush=True)
        print(time.time(), flush=True)
        for _ in range(count):
            await client.publish("bench", PAYLOAD)
        await client.flush()
    elif role == "caller":
        print("ready", flush=True)
        times = []
        for _ in range(count):
            began = time.perf_counter()
            await client.request("requests", PAYLOAD, timeout=30)
            times.append((time.perf_counter() - began) * 1000)
        print(json.dumps(times[WARMUP:]), flush=True)
    await client.drain()


def published(_: int) -> Message:
    return Message("api", "bus", "nats", "published", Body(PAYLOAD, 200), subject="bench")


def main() -> None:
    args = options()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "seamline.toml"
        config.write_text('[services.bus]\nkind = "nats"\n')
        with System.from_config(config, run_root=Path(tmp) / "runs") as system:
            urls = {"direct": system.direct_url("bus"), "seam": system.url("bus")}
            rates: dict[str, list[float]] = {"direct": [], "seam": []}
            rtts: dict[str, list[float]] = {"direct": [], "seam": []}
            capture = system.seams.brokers.capture  # type: ignore[union-attr]
            deferred, loads = Deferred(), [load_average()]
            for _ in range(args.rounds):
                for path, url in urls.items():
                    rates[path].append(
                        throughput(
                            __file__,
                            url,
                            args.messages,
                            "subscriber",
                            "publisher",
                            capture if path == "seam" else None,
                            deferred,
                        )
                    )
                    rtts[path] += round_trips(
                        __file__, url, args.rpcs + WARMUP, capture if path == "seam" else None
                    )
                    loads.append(load_average())
            journaled = len(system.seams.brokers.journal)  # type: ignore[union-attr]
    report(args, rates, rtts, journal_memory(published), journaled, deferred, loads)


def report(args, rates, rtts, memory: float, journaled: int, deferred, loads) -> None:  # type: ignore[no-untyped-def]
    direct, seam = (statistics.median(rates[p]) for p in ("direct", "seam"))
    p50 = [percentile(rtts[p], 0.5) for p in ("direct", "seam")]
    p99 = [percentile(rtts[p], 0.99) for p in ("direct", "seam")]
    text = f"""
`bench/messages/nats_bench.py`: NATS through a message seam (`test -> bus`) against direct,
with nats-py; {args.messages:,} messages of 200 B per measurement, {args.rounds} rounds
alternating direct and seam (medians), each party in a process of its own; RPC = a request
and its reply through a reply inbox (4 crossings), {args.rpcs:,} round trips per round after
200 warm-up ones. The seam journaled {journaled:,} messages meanwhile.

| | direct | through the seam | seam / direct, added |
| --- | ---: | ---: | ---: |
| pub/sub msgs/s | {direct:,.0f} | {seam:,.0f} | {seam / direct:.2f} |
| RPC p50 ms | {p50[0]:.3f} | {p50[1]:.3f} | +{p50[1] - p50[0]:.3f} ms |
| RPC p99 ms | {p99[0]:.3f} | {p99[1]:.3f} | +{p99[1] - p99[0]:.3f} ms |

{deferred.text()}
The message journal holds {memory:.1f} MB per 10k NATS messages of 200 B (tracemalloc).
Load average (1 min) during the run: {min(loads):.1f} to {max(loads):.1f} on {os.cpu_count()} cores.
"""
    print(text)
    if args.write:
        write_results("NATS messages through a seam (`bench/messages/nats_bench.py`)", text)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--helper":
        asyncio.run(_helper(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    else:
        main()
