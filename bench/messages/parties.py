"""The processes of a message measurement, shared by the Redis and AMQP benches.

Each party (a sender, a receiver, a responder, a caller) runs `SCRIPT --helper ROLE URL COUNT`
in a process of its own and says `ready` first; the bench process only hosts the seam, as a
test run's does.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tracemalloc
from collections.abc import Callable

from seamline.records.message import Message
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


def throughput(script: str, url: str, count: int, receiver: str, sender: str) -> float:
    """msgs/s from the sender's first message (the time it prints) to the receiver's last."""
    other = start_helper(script, receiver, url, count)
    sending = start_helper(script, sender, url, count)
    assert other.stdout is not None
    assert sending.stdout is not None
    started = float(sending.stdout.readline())
    ended = float(other.stdout.readline())
    for process in (sending, other):
        process.wait(60)
    return count / (ended - started)


def round_trips(script: str, url: str, count: int) -> list[float]:
    """The caller's round-trip times in ms (it prints them as JSON, warm-up left out)."""
    other = start_helper(script, "responder", url, count)
    caller = start_helper(script, "caller", url, count)
    assert caller.stdout is not None
    times: list[float] = json.loads(caller.stdout.readline())
    for process in (caller, other):
        process.wait(60)
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
