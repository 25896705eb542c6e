"""AMQP messages through a message seam against direct, with pika; the journal's memory.

    python bench/messages/amqp.py [--messages 20000] [--rpcs 2000] [--rounds 3] [--write]

Starts a real system (a RabbitMQ `bus`) and compares, alternating direct and through the
`test -> bus` seam, round by round:
- throughput: one process publishes 200-byte messages to a topic exchange bound to a queue,
  another consumes them (prefetch 100, each acked); msgs/s from the first publish to the
  last message consumed. Through the seam, both processes' links cross it.
- RPC: publish a request (reply_to set), a responder consumes it and publishes the reply,
  consume the reply: 4 crossings of the seam per round trip; p50/p99 after 200 warm-up ones.
and the message journal's memory per 10k AMQP messages of 200 bytes (with their properties).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pika
from pika import frame as pika_frame
from pika import spec

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from benchlib import write_results  # noqa: E402
from parties import Deferred, journal_memory, options, percentile, round_trips, throughput  # noqa: E402

from seamline.records.exchange import Body, HeaderList  # noqa: E402
from seamline.records.message import Message  # noqa: E402
from seamline.seams import amqp as seam_amqp  # noqa: E402
from seamline.seams.resp import FrameReader  # noqa: E402
from seamline.system.core import System  # noqa: E402

PAYLOAD = b"x" * 200
WARMUP = 200


def channel(url: str) -> pika.adapters.blocking_connection.BlockingChannel:
    ch = pika.BlockingConnection(pika.URLParameters(url)).channel()
    ch.exchange_declare("bench", "topic")
    for queue in ("bench", "requests", "replies"):
        ch.queue_declare(queue)
        ch.queue_bind(queue, "bench", queue)
    return ch


def consume(ch: pika.adapters.blocking_connection.BlockingChannel, queue: str, count: int):  # type: ignore[no-untyped-def]
    """Yield `count` messages of `queue`, acking each."""
    ch.basic_qos(prefetch_count=100)
    messages = ch.consume(queue, inactivity_timeout=30)
    for got, (method, properties, body) in enumerate(messages, 1):
        if method is None:
            raise TimeoutError(f"{queue}: {got - 1} of {count} messages after 30 s")
        ch.basic_ack(method.delivery_tag)
        yield properties, body
        if got == count:
            break
    ch.cancel()


def helper(role: str, url: str, count: int) -> None:
    """The other process of a measurement: consumer, publisher, responder or caller."""
    ch = channel(url)
    print("ready", flush=True)
    if role == "consumer":
        for _ in consume(ch, "bench", count):
            pass
        print(time.time(), flush=True)
    elif role == "publisher":
        print(time.time(), flush=True)
        for _ in range(count):
            ch.basic_publish("bench", "bench", PAYLOAD)
    elif role == "responder":
        for properties, body in consume(ch, "requests", count):
            ch.basic_publish("bench", properties.reply_to, body)
    elif role == "caller":
        times = []
        replies = consume(ch, "replies", count)
        asking = pika.BasicProperties(reply_to="replies")
        for _ in range(count):
            began = time.perf_counter()
            ch.basic_publish("bench", "requests", PAYLOAD, asking)
            next(replies)
            times.append((time.perf_counter() - began) * 1000)
        print(json.dumps(times[WARMUP:]), flush=True)
    ch.connection.close()


def delivery(tag: int) -> Message:
    """A delivery as an AMQP seam records it, with its properties."""
    properties = {"channel": 1, "consumer_tag": "ctag1.0123456789abcdef"}
    properties |= {"delivery_tag": tag, "redelivered": False}
    return Message(
        "worker",
        "bus",
        "amqp",
        "delivered",
        Body(PAYLOAD, 200),
        subject="bench",
        exchange="bench",
        queue="bench",
        id=f"1.1.1:{tag}",
        headers=HeaderList(),
        properties=properties,
        ack="unacked",
    )


def decoding_us(count: int = 20_000) -> float:
    """CPU µs to decode one message's publish, its delivery and its ack (no journaling):
    what the seam's decoder costs, free of the machine's load, unlike the figures above."""
    props = pika.BasicProperties(content_type="application/json", headers={"seq": 1, "id": "x"})
    content = b"".join(
        f.marshal()
        for f in (pika_frame.Header(1, len(PAYLOAD), props), pika_frame.Body(1, PAYLOAD))
    )
    publish = pika_frame.Method(1, spec.Basic.Publish(exchange="bench", routing_key="bench"))
    consume = pika_frame.Method(1, spec.Basic.Consume(queue="bench", consumer_tag="c1"))
    sent = consume.marshal() + (publish.marshal() + content) * count
    sent += b"".join(pika_frame.Method(1, spec.Basic.Ack(tag)).marshal() for tag in range(count))
    given = b"".join(
        pika_frame.Method(1, spec.Basic.Deliver("c1", tag, False, "bench", "bench")).marshal()
        + content
        for tag in range(count)
    )
    link = seam_amqp.AmqpLink()
    began = time.process_time()
    for stream, read in ((sent, link.command), (given, link.reply)):
        frames = FrameReader(seam_amqp.parse)
        for at in range(0, len(stream), 65536):  # as a busy link's reads come
            for frame in frames.feed(stream[at : at + 65536]):
                read(frame.value)
    return (time.process_time() - began) / count * 1e6


def main() -> None:
    args = options()
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "seamline.toml"
        config.write_text('[services.bus]\nkind = "rabbitmq"\nready_timeout = 120\n')
        with System.from_config(config, run_root=Path(tmp) / "runs") as system:
            direct = system.service("bus").attributes()["amqp_url"]
            urls = {"direct": direct, "seam": system.url("bus")}
            rates: dict[str, list[float]] = {"direct": [], "seam": []}
            rtts: dict[str, list[float]] = {"direct": [], "seam": []}
            cpu_s = 0.0  # this process only hosts the seam: its CPU is the seam's
            capture = system.seams.brokers.capture  # type: ignore[union-attr]
            deferred = Deferred()
            for _ in range(args.rounds):
                for path, url in urls.items():
                    began = time.process_time()
                    seam_capture = capture if path == "seam" else None
                    rates[path].append(
                        throughput(
                            __file__,
                            url,
                            args.messages,
                            "consumer",
                            "publisher",
                            seam_capture,
                            deferred,
                        )
                    )
                    if path == "seam":
                        cpu_s += time.process_time() - began
                    rtts[path] += round_trips(
                        __file__, url, args.rpcs + WARMUP, capture if path == "seam" else None
                    )
                    loads.append(os.getloadavg()[0])
            cpu_us = cpu_s / (args.rounds * args.messages) * 1e6
            journaled = len(system.seams.brokers.journal)  # type: ignore[union-attr]
    report(args, rates, rtts, journal_memory(delivery), journaled, loads, cpu_us, deferred)


def report(
    args, rates, rtts, memory: float, journaled: int, loads: list[float], cpu_us: float, deferred
) -> None:  # type: ignore[no-untyped-def]
    direct, seam = (statistics.median(rates[p]) for p in ("direct", "seam"))
    spread = {p: f"{min(rates[p]):,.0f}-{max(rates[p]):,.0f}" for p in rates}
    rate_row = (
        f"| publish -> consume msgs/s | {direct:,.0f} ({spread['direct']}) "
        f"| {seam:,.0f} ({spread['seam']}) | {seam / direct:.2f} |"
    )
    p50 = [percentile(rtts[p], 0.5) for p in ("direct", "seam")]
    p99 = [percentile(rtts[p], 0.99) for p in ("direct", "seam")]
    text = f"""
`bench/messages/amqp.py`: RabbitMQ through a message seam (`test -> bus`) against direct, with
pika; {args.messages:,} messages of 200 B per measurement (topic exchange -> queue, prefetch
100, each acked), {args.rounds} rounds alternating direct and seam (medians; range in
brackets), each party in a process of its own (the bench process only hosts the seam, as a
test run's does); RPC = publish a request with reply_to, a responder consumes it and publishes
the reply, consume the reply (4 crossings), {args.rpcs:,} round trips per round after
{WARMUP} warm-up ones. The seam journaled {journaled:,} messages and acks meanwhile.

| | direct | through the seam | seam / direct, added |
| --- | ---: | ---: | ---: |
{rate_row}
| RPC p50 ms | {p50[0]:.3f} | {p50[1]:.3f} | +{p50[1] - p50[0]:.3f} ms |
| RPC p99 ms | {p99[0]:.3f} | {p99[1]:.3f} | +{p99[1] - p99[0]:.3f} ms |

The seam's CPU per message (its publish link and its deliver link with the ack, decoding and
journaling included): {cpu_us:.0f} µs; the decoder alone (publish, delivery and ack of one
message, 20k of them fed in 64 KiB reads): {decoding_us():.1f} µs. The message journal holds
{memory:.1f} MB per 10k AMQP deliveries of 200 B with their properties (tracemalloc; one
serialized line each).
{deferred.text()}
Load average (1 min) during the run: {min(loads):.1f} to {max(loads):.1f} on {os.cpu_count()} cores.
"""
    print(text)
    if args.write:
        write_results("AMQP messages through a seam (`bench/messages/amqp.py`)", text)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--helper":
        helper(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
