"""How soon `seamline up` stops after Ctrl-C or SIGTERM while a service is still starting.

The goal (issue 11) is under a second from the signal to the exit, with everything cleaned
up. tests/system/test_interrupts.py proves the behaviour (no waiting out `ready_timeout`);
the figure is measured here, on a quiet machine, not asserted in a timed test.

    .venv/bin/python bench/core/interrupt.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import write_results

APP = Path(__file__).resolve().parents[2] / "tests" / "apps" / "app.py"
CONFIG = f"""
[services.fast]
command = "{sys.executable} {APP} --port {{self.port}}"
[services.slow]
command = "{sys.executable} {APP} --port {{self.port}} --slow-start 300"
ready = "http GET /health"
ready_timeout = 300
"""


def one_stop(config: Path, run_root: Path, sig: signal.Signals) -> float:
    up = subprocess.Popen(
        [sys.executable, "-m", "seamline", "up", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "SEAMLINE_RUN_ROOT": str(run_root)},
    )
    deadline = time.monotonic() + 30
    # both services launched: the slow one is being probed
    while time.monotonic() < deadline:
        pids = list(run_root.glob("*/pids"))
        if pids and len(pids[0].read_text().splitlines()) >= 2:
            break
        time.sleep(0.01)
    time.sleep(0.2)  # let the probe loop run a few rounds
    signalled = time.monotonic()
    up.send_signal(sig)
    up.wait(60)
    return time.monotonic() - signalled


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "seamline.toml"
        config.write_text(CONFIG)
        for sig in (signal.SIGINT, signal.SIGTERM):
            runs = []
            for i in range(args.rounds):
                root = Path(tmp) / f"runs-{sig.name}-{i}"
                root.mkdir()
                runs.append(one_stop(config, root, sig))
            rows.append(
                f"| {sig.name} | {statistics.median(runs) * 1000:.0f} ms "
                f"| {max(runs) * 1000:.0f} ms | {args.rounds} |"
            )
            print(rows[-1])
    write_results(
        "Core: stop on a signal during readiness",
        "From the signal to `seamline up`'s exit, everything stopped (goal < 1 s).\n\n"
        "| signal | median | max | rounds |\n| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n",
    )


if __name__ == "__main__":
    main()
