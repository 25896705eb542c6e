"""`seamline run` figures: the shop's Postman collection three ways, attribution per test,
time to the command's first line and where it goes.

    ./dev setup && .venv/bin/python bench/runners/bench.py     # prints markdown tables

1. The shop's Postman collection (examples/shop/postman/): `seamline run` + Newman with the
   seamline reporter (start, run, stop, report), plain Newman against a shop already up
   (`seamline up -d`, the api's own address), and the equivalent pytest test (the checkout
   test with payments real) through `seamline test`: wall time of each, median of 3.
2. Attribution per test: a `POST /tests/begin` + `POST /tests/end` pair on
   SEAMLINE_CONTROL_URL from a command under `seamline run`, median of 500 pairs, from Python
   (`http.client`, one keep-alive connection) and from the Newman reporter's blocking client.
3. From spawning `seamline run examples/shop -- python -c "print(1)"` to that line on its
   stdout (warm: the first run fills the caches and is not counted), median of 5, beside a
   baseline at the same moment (import + the shop's `System.start()`), and one start's split:
   import, seamline's own work before the first service starts, the services' critical path.

    .venv/bin/python bench/runners/bench.py --first-line [--against OTHER/src]

only measures 3 (no Newman, no control API); with --against, alternates each first-line run
with one of the seamline in OTHER/src (e.g. main's worktree, `git worktree add /tmp/main main`),
so a change's effect is a ratio taken at the same moment even on a loaded machine.

The children run without PYTHONDONTWRITEBYTECODE (some shells set it): an installed seamline
has its bytecode compiled, and compiling ~150 modules on every start is not seamline's cost.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"
BIN = ROOT / "clients" / "js" / "node_modules" / ".bin"
COLLECTION = SHOP / "postman" / "shop.postman_collection.json"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
SEAMLINE = [sys.executable, "-m", "seamline"]
REPORT = "/tmp/bench-runners-report"

PY_PAIRS = """
import http.client, json, os, statistics, time
from urllib.parse import urlsplit
url = urlsplit(os.environ["SEAMLINE_CONTROL_URL"])
conn = http.client.HTTPConnection(url.hostname, url.port)
def post(path, body):
    conn.request("POST", url.path + path, json.dumps(body), {"Content-Type": "application/json"})
    answer = conn.getresponse(); answer.read(); assert answer.status == 200
times = []
for n in range(500):
    started = time.perf_counter()
    post("/tests/begin", {"test": f"t{n}"}); post("/tests/end", {"test": f"t{n}"})
    times.append(time.perf_counter() - started)
print(f"{statistics.median(times) * 1000:.2f}")
"""

JS_PAIRS = """
const { BlockingClient } = require(process.argv[1]);
const base = process.env.SEAMLINE_CONTROL_URL;
const client = new BlockingClient();
const times = [];
for (let n = 0; n < 500; n++) {
  const started = process.hrtime.bigint();
  for (const verb of ["begin", "end"]) {
    const body = { test: `t${n}`, keep_data: true };
    const { status } = client.call("POST", `${base}/tests/${verb}`, body);
    if (status !== 200) throw new Error(`${verb}: ${status}`);
  }
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
}
times.sort((a, b) => a - b);
console.log(times[times.length >> 1].toFixed(2));
client.close();
"""

STARTUP = """
import json, sys, time
started = time.monotonic()
from seamline.system.core import System
from seamline.system.harness import Harness
imported = time.monotonic()
system = System.from_config(sys.argv[1]).start()
ready = time.monotonic()
timings = Harness(system).timings()
first = min(t.started for t in timings.values())
print(json.dumps({"import": imported - started, "start": ready - imported,
    "before_services": first - imported, "services": ready - first,
    "each": {n: t.ready - t.started for n, t in timings.items()}}))
system.stop()
"""


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def wall(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=ENV, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        sys.exit(f"bench: {argv[:6]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def seamline_run(*command: str) -> list[str]:
    return [*SEAMLINE, "run", str(SHOP), "--report-dir", REPORT, "--", *command]


def newman(api_url: str, *reporters: str) -> list[str]:
    argv = [str(BIN / "newman"), "run", str(COLLECTION), "--env-var", f"api_url={api_url}"]
    return [*argv, "-r", ",".join(("cli", *reporters))]


def collection_figures() -> list[tuple[str, float]]:
    under_run = median_of(3, lambda: wall(seamline_run(*newman("{api.url}", "seamline"))))
    subprocess.run([*SEAMLINE, "up", "-d", str(SHOP)], env=ENV, capture_output=True, check=True)
    try:
        sys.path.insert(0, str(ROOT / "src"))
        from seamline.system.detached import read_state, state_path

        state = read_state(state_path(SHOP / "seamline.toml"))
        assert state is not None
        api = next(row.url for row in state.services if row.name == "api")
        plain = median_of(3, lambda: wall(newman(api)))
    finally:
        subprocess.run([*SEAMLINE, "down", str(SHOP)], env=ENV, capture_output=True, check=True)
    checkout = "test_checkout_charges_the_cart_total_once_and_stores_the_paid_order[payments-real]"
    pytest_argv = [*SEAMLINE, "test", str(SHOP), "--plain", "--report-dir", REPORT]
    pytest_argv += ["--", f"tests/test_checkout.py::{checkout}"]
    pytest_s = median_of(3, lambda: wall(pytest_argv))
    return [
        ("`seamline run` + Newman (start, 7 requests, stop, report)", under_run),
        ("plain Newman against the shop already up (`seamline up -d`)", plain),
        ("the equivalent pytest test, `seamline test` (start, test, stop, report)", pytest_s),
    ]


def first_line_s(src: str | None = None) -> float:
    """From spawning `seamline run` to the command's first line; `src`: another seamline."""
    env = ENV if src is None else {**ENV, "PYTHONPATH": src}
    started = time.perf_counter()
    argv = seamline_run(sys.executable, "-c", "print(1)")
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"1"
    took = time.perf_counter() - started
    proc.communicate(timeout=120)
    return took


def start_split() -> dict[str, Any]:
    argv = [sys.executable, "-c", STARTUP, str(SHOP)]
    return dict(json.loads(subprocess.run(argv, env=ENV, capture_output=True, check=True).stdout))


def pair_ms(*command: str) -> float:
    argv = seamline_run(*command)
    done = subprocess.run(argv, env=ENV, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def first_line_figures(against: str | None) -> None:
    """Part 3 only; with `against`, alternated with the seamline in that source tree."""
    load_before = os.getloadavg()
    first_line_s()  # warm the caches
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(7):
        ours.append(first_line_s())
        if against is not None:
            theirs.append(first_line_s(against))
    split = start_split()
    print(f"load average (1, 5, 15 min): before {load_before}, after {os.getloadavg()}\n")
    print(
        f"first line, this tree: median {statistics.median(ours) * 1000:.0f} ms "
        f"({', '.join(f'{s * 1000:.0f}' for s in ours)})"
    )
    if theirs:
        print(
            f"first line, {against}: median {statistics.median(theirs) * 1000:.0f} ms "
            f"({', '.join(f'{s * 1000:.0f}' for s in theirs)})"
        )
        ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
        print(f"ratio this / other, pair by pair: median {statistics.median(ratios):.2f}")
    print_split(split)


def print_split(split: dict[str, Any]) -> None:
    each = ", ".join(f"{name} {s * 1000:.0f} ms" for name, s in split["each"].items())
    print(
        f"\none start: import {split['import'] * 1000:.0f} ms; System.start "
        f"{split['start'] * 1000:.0f} ms, of which {split['before_services'] * 1000:.0f} ms "
        f"before the first service starts and {split['services'] * 1000:.0f} ms for the "
        f"services (each, start to ready: {each})"
    )


def main() -> None:
    if "--first-line" in sys.argv:
        against = sys.argv[sys.argv.index("--against") + 1] if "--against" in sys.argv else None
        first_line_figures(against)
        return
    load_before = os.getloadavg()
    first_line_s()  # warm the caches
    first = median_of(5, first_line_s)
    baseline = median_of(5, lambda: sum(start_split()[part] for part in ("import", "start")))
    split = start_split()
    py_pair = pair_ms(sys.executable, "-c", PY_PAIRS)
    js_pair = pair_ms("node", "-e", JS_PAIRS, str(ROOT / "clients" / "js" / "blocking.js"))
    collection = collection_figures()
    load_after = os.getloadavg()

    print(f"load average (1, 5, 15 min): before {load_before}, after {load_after}\n")
    print("| the shop's checkout | wall time |\n| --- | --- |")
    for what, seconds in collection:
        print(f"| {what} | {seconds:.2f} s |")
    rows = [
        ("`seamline run` (shop) to the command's first line, warm", f"{first * 1000:.0f} ms"),
        ("baseline: import + the shop's `System.start()`, same time", f"{baseline * 1000:.0f} ms"),
        ("attribution per test (begin + end), Python keep-alive", f"{py_pair:.2f} ms"),
        ("attribution per test (begin + end), the Newman reporter's client", f"{js_pair:.2f} ms"),
    ]
    print("\n| what | measured | goal |\n| --- | --- | --- |")
    for (what, measured), goal in zip(rows, ("< 1.5 s", "", "< 2 ms", "< 2 ms"), strict=True):
        print(f"| {what} | {measured} | {goal} |")
    print_split(split)


if __name__ == "__main__":
    main()
