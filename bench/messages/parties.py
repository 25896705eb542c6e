"""The processes of a message measurement, shared by the Redis and AMQP benches.

Each party (a sender, a receiver, a responder, a caller) runs `SCRIPT --helper ROLE URL COUNT`
in a process of its own and says `ready` first; the bench process only hosts the seam, as a
test run's does.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field

from seamline.records.message import Message
from seamline.seams.message_capture import Capture
from seamline.seams.message_journal import MessageJournal


def start_helper(script: str, role: str, url: str, count: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, script, "--helper", role, url, str(count)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


@dataclass
class Deferred:
    """What decoding off the forwarding path cost in the seam's throughput measurements."""

    lag_ms: list[float] = field(default_factory=list)  # last message received -> journal caught up
    rates: list[float] = field(default_factory=list)  # msgs/s counted until the journal caught up
    cpu_s: float = 0.0
    messages: int = 0
    during: int = 0  # messages decoded before the receiver had the last one

    def text(self) -> str:
        return (
            f"Deferred decoding: the journal caught up {statistics.median(self.lag_ms):.0f} ms "
            f"(median; max {max(self.lag_ms):.0f} ms) after the receiver had the last message; "
            f"counted until then, the seam did {statistics.median(self.rates):,.0f} msgs/s. "
            f"Decoding cost {self.cpu_s / max(1, self.messages) * 1e6:.1f} µs of CPU per "
            f"journaled message (frames, the Message, its contract check and journal line); "
            f"{self.during / max(1, self.messages):.0%} of them were decoded before the burst "
            f"was over (idle moments, or the backlog's bound)."
        )


def throughput(
    script: str,
    url: str,
    count: int,
    receiver: str,
    sender: str,
    capture: Capture | None = None,
    deferred: Deferred | None = None,
) -> float:
    """msgs/s from the sender's first message (the time it prints) to the receiver's last;
    through a seam, also how long its journal took to catch up after that (`deferred`)."""
    cpu, messages = (capture.decode_seconds, capture.decoded_messages) if capture else (0.0, 0)
    other = start_helper(script, receiver, url, count)
    sending = start_helper(script, sender, url, count)
    assert other.stdout is not None
    assert sending.stdout is not None
    started = float(sending.stdout.readline())
    ended = float(other.stdout.readline())
    if capture is not None and deferred is not None:
        deferred.during += capture.decoded_messages - messages
        while capture.backlog[0]:  # the seam decodes once idle; this only watches
            time.sleep(0.001)
        with capture.lock:  # the decoding that emptied the backlog has finished
            caught_up = max(ended, capture.caught_up_at)
        deferred.lag_ms.append((caught_up - ended) * 1000)
        deferred.rates.append(count / (caught_up - started))
        deferred.cpu_s += capture.decode_seconds - cpu
        deferred.messages += capture.decoded_messages - messages
    for process in (sending, other):
        process.wait(60)
    return count / (ended - started)


def load_average() -> float:
    return os.getloadavg()[0]


def round_trips(script: str, url: str, count: int, capture: Capture | None = None) -> list[float]:
    """The caller's round-trip times in ms (it prints them as JSON, warm-up left out);
    through a seam, it returns once the journal has caught up (so that decoding does not
    run into the next measurement)."""
    other = start_helper(script, "responder", url, count)
    caller = start_helper(script, "caller", url, count)
    assert caller.stdout is not None
    times: list[float] = json.loads(caller.stdout.readline())
    for process in (caller, other):
        process.wait(60)
    while capture is not None and capture.backlog[0]:
        time.sleep(0.001)
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rpcs", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    return parser.parse_args()


def journal_memory(message: Callable[[int], Message], count: int = 10_000) -> float:
    """MB a message journal holds for `count` messages made by `message(i)` (tracemalloc)."""
    journal = MessageJournal(None)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for i in range(count):
        journal.add(message(i))
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    return sum(s.size_diff for s in after.compare_to(before, "filename")) / 1e6
