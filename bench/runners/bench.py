"""`seamline run` figures: time to the command's first line, attribution per test.

    .venv/bin/python bench/runners/bench.py        # prints a markdown table

1. From spawning `seamline run examples/shop -- python -c "print(1)"` to that line on
   its stdout (warm: the first run fills the caches and is not counted), median of 5.
2. A `POST /tests/begin` + `POST /tests/end` pair on SEAMLINE_CONTROL_URL, from a command
   under `seamline run` (plain `http.client`, one keep-alive connection), median per
   pair over 500 pairs.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"

PAIRS = """
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


def seamline_run(*command: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "seamline",
            "run",
            str(SHOP),
            "--report-dir",
            "/tmp/bench-run",
            "--",
            *command,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def first_line_s() -> float:
    started = time.perf_counter()
    proc = seamline_run(sys.executable, "-c", "print(1)")
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "1"
    took = time.perf_counter() - started
    proc.communicate(timeout=60)
    return took


def start_only_s() -> float:
    """The baseline at the same moment: the shop's `System.start()` in a fresh process."""
    code = (
        "import time; t = time.perf_counter(); from seamline.system.core import System; "
        f"s = System.from_config({str(SHOP)!r}).start(); print(time.perf_counter() - t); s.stop()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def main() -> None:
    first_line_s()  # warm the caches
    first = statistics.median(first_line_s() for _ in range(5))
    start = statistics.median(start_only_s() for _ in range(5))
    proc = seamline_run(sys.executable, "-c", PAIRS)
    pair_ms = float(proc.communicate(timeout=300)[0].strip())
    print("| what | measured | goal |\n| --- | --- | --- |")
    rows = [
        (
            "`seamline run` (shop) to the command's first line, warm",
            f"{first * 1000:.0f} ms",
            "< 1.5 s",
        ),
        (
            "baseline: import + the shop's `System.start()`, same moment",
            f"{start * 1000:.0f} ms",
            "",
        ),
        (
            "attribution through the control API, per test (begin + end)",
            f"{pair_ms:.2f} ms",
            "< 2 ms",
        ),
    ]
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
