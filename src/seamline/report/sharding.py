"""Shards: which tests the K-th of N machines runs (`--shard K/N`, `--seamline-shard K/N`).

Deterministic from the node ids alone, so N machines that collect the same suite agree on
who runs what without talking to each other. With durations from a previous run (a
`report.json`, or a committed `{node id: seconds}` file) tests are spread by greedy
longest-processing-time: the longest first, each onto the least loaded shard (ties by node
id, then by shard number). Without durations, or with durations of another suite, the
split is even by count.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

DEFAULT_DURATIONS = Path(".seamline") / "durations.json"  # next to seamline.toml, committed
# Durations that know fewer than this share of the collected tests belong to another suite
# (or a much older one): balancing on them would be a guess, the even split is honest.
MIN_KNOWN_SHARE = 0.5
_SPEC = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class ShardSpec:
    index: int  # 1-based: shard 1/4 is the first
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> ShardSpec:
    """`"2/4"` -> ShardSpec(2, 4); anything else raises ValueError saying what is expected."""
    match = _SPEC.fullmatch(text)
    index, count = (int(match[1]), int(match[2])) if match else (0, 0)
    if not match or count < 1 or not 1 <= index <= count:
        raise ValueError(
            f"--shard expects K/N with 1 <= K <= N (the K-th of N shards, e.g. 2/4), found {text!r}"
        )
    return ShardSpec(index, count)


def load_durations(path: Path) -> dict[str, float]:
    """Seconds per node id from a report.json (its tests) or a `{node id: seconds}` file."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(
            f"cannot read the durations file {path}: {err}. Expected a seamline report.json "
            "or a JSON object {node id: seconds}"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("tests"), list):
        pairs = [(t.get("id"), t.get("duration_s")) for t in data["tests"] if isinstance(t, dict)]
    elif isinstance(data, dict):
        pairs = list(data.items())
    else:
        pairs = []
    return {
        str(test): float(seconds)
        for test, seconds in pairs
        if test and isinstance(seconds, int | float) and not isinstance(seconds, bool)
    }


def durations_of(tests: Sequence[dict[str, Any]]) -> dict[str, float]:
    """The durations file of a report's tests: what `report merge` writes for committing."""
    durations: dict[str, float] = {}
    for test in tests:
        if test["outcome"] != "session" and isinstance(test.get("duration_s"), int | float):
            durations[test["id"]] = round(float(test["duration_s"]), 3)
    return dict(sorted(durations.items()))


@dataclass(frozen=True)
class Plan:
    bins: list[list[str]]  # node ids per shard, shard 1 first
    balanced: bool  # by durations (else an even split by count)
    warning: str | None = None


def plan(node_ids: Sequence[str], count: int, durations: dict[str, float] | None) -> Plan:
    """Split `node_ids` into `count` shards, by durations when they fit this suite."""
    ids = sorted(set(node_ids))
    warning = None
    if durations:
        known = sum(test in durations for test in ids)
        if ids and known >= MIN_KNOWN_SHARE * len(ids):
            return Plan(_by_duration(ids, count, durations), balanced=True)
        warning = (
            f"the durations file knows {known} of the {len(ids)} collected tests: it is of "
            "another suite (or an old one), so the shards are split evenly by count. Refresh "
            "it from a recent report.json."
        )
    bins: list[list[str]] = [[] for _ in range(count)]
    for position, test in enumerate(ids):
        bins[position % count].append(test)
    return Plan(bins, balanced=False, warning=warning)


def _by_duration(ids: list[str], count: int, durations: dict[str, float]) -> list[list[str]]:
    known = [durations[t] for t in ids if t in durations]
    typical = sum(known) / len(known)  # a new test is guessed to take the mean
    jobs = sorted(((durations.get(t, typical), t) for t in ids), key=lambda j: (-j[0], j[1]))
    bins: list[list[str]] = [[] for _ in range(count)]
    loads = [0.0] * count
    for seconds, test in jobs:
        lightest = min(range(count), key=lambda n: (loads[n], n))
        bins[lightest].append(test)
        loads[lightest] += seconds
    return bins


def select_shard(
    config: pytest.Config, items: list[pytest.Item], default_durations: Path | None
) -> None:
    """pytest_collection_modifyitems: keep this shard's tests, deselect (and report) the rest."""
    text = config.getoption("seamline_shard")
    if not text:
        return
    try:
        spec = parse_shard(str(text))
        durations_file = config.getoption("seamline_durations")
        path = Path(durations_file) if durations_file else default_durations
        durations = load_durations(path) if path is not None and path.is_file() else None
    except ValueError as err:
        raise pytest.UsageError(str(err)) from None
    if durations_file and durations is None:
        raise pytest.UsageError(f"--seamline-durations: no file at {durations_file}")
    split = plan([item.nodeid for item in items], spec.count, durations)
    if split.warning:
        warnings.warn(SeamlineShardWarning(f"seamline shard {spec}: {split.warning}"), stacklevel=1)
    mine = set(split.bins[spec.index - 1])
    kept = [item for item in items if item.nodeid in mine]
    dropped = [item for item in items if item.nodeid not in mine]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept
    how = "by durations" if split.balanced else "evenly by count"
    total = len(kept) + len(dropped)
    config.stash[SHARD_KEY] = f"seamline shard {spec}: {len(kept)} of {total} tests (split {how})"


class SeamlineShardWarning(UserWarning):
    """The durations given do not fit the suite: the shards are split evenly instead."""


SHARD_KEY = pytest.StashKey[str]()
