"""Shards: their overhead, their balance, and the time of `seamline report merge`.

    python bench/shards/bench_shards.py [--skip-shop] [--tests 1000]

1. The shop's suite in 1, 2 and 4 shards, run one after another (a stand-in for N machines):
   the sum of the shards' wall times against one run is the per-shard overhead (each shard
   starts its own system).
2. The balance of 4 shards (largest shard's wall time / mean) split evenly by count against
   split by the durations of the single run's report.
3. `seamline report merge` of 4 shards of a generated 1,000-test run (bench/report's generator).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "report"))

from bench_report import SHAPES, generate  # noqa: E402

from seamline.report.merge import merge  # noqa: E402

SEAMLINE = [sys.executable, "-m", "seamline"]


def shop_run(work: Path, name: str, *args: str) -> tuple[float, Path]:
    """One `seamline test examples/shop` with its own record root; (wall seconds, records)."""
    records = work / name
    env = {**os.environ, "SEAMLINE_RECORD_ROOT": str(records)}
    env.pop("GITHUB_STEP_SUMMARY", None)
    started = time.perf_counter()
    report = ["--report-dir", str(work / f"{name}-report")]
    done = subprocess.run(
        [*SEAMLINE, "test", "examples/shop", "--plain", *report, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{name} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return wall, records


def shards(work: Path, count: int, *extra: str, tag: str = "") -> list[float]:
    return [
        shop_run(work, f"{tag}s{count}_{k}", "--shard", f"{k}/{count}", *extra)[0]
        for k in range(1, count + 1)
    ]


def balance(walls: list[float]) -> float:
    return max(walls) / (sum(walls) / len(walls))


def bench_shop(work: Path) -> None:
    one, _ = shop_run(work, "one")
    print(f"1 shard: {one:.1f} s")
    for count in (2, 4):
        walls = shards(work, count)
        overhead = (sum(walls) - one) / count
        print(
            f"{count} shards: {' + '.join(f'{w:.1f}' for w in walls)} = {sum(walls):.1f} s "
            f"(one run {one:.1f} s; +{overhead:.1f} s per shard); largest/mean "
            f"{balance(walls):.2f} split by count"
        )
    durations = work / "one-report" / "report.json"
    walls = shards(work, 4, "--durations-from", str(durations), tag="d")
    print(
        f"4 shards by durations: {' + '.join(f'{w:.1f}' for w in walls)} s; largest/mean "
        f"{balance(walls):.2f}"
    )


def bench_merge(work: Path, tests: int) -> None:
    dirs = generate(work / "generated", SHAPES["typical"], tests, 4)
    for attempt in range(3):
        started = time.perf_counter()
        paths = merge(dirs, work / f"merged-{attempt}", environ={})
        took = time.perf_counter() - started
        size = paths.json.stat().st_size / 1e6 if paths.json else 0
        print(f"report merge of 4 shards, {tests} tests: {took:.2f} s (report.json {size:.1f} MB)")
    print(json.dumps(json.loads(paths.json.read_text())["shards"]) if paths.json else "")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-shop", action="store_true")
    parser.add_argument("--tests", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as tmp:
        bench_merge(Path(tmp), args.tests)
        if not args.skip_shop:
            bench_shop(Path(tmp))


if __name__ == "__main__":
    main()
