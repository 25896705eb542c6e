"""Shared pieces of the bench scripts: wrk runs and sections of bench/RESULTS.md."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    port: int, path: str, connections: int, seconds: int, post: bool
) -> tuple[float, dict[str, float], str]:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if post:
        cmd += ["-s", str(HERE / "mock" / "post.lua")]
    out = subprocess.run(
        [*cmd, f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = {}
    for pct, value, unit in re.findall(
        r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", out, re.M
    ):
        latency[pct] = float(value) * UNITS[unit]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    return rps, latency, bad.group(0) if bad else ""


def write_results(section: str, text: str) -> None:
    """Replace (or append) the `## {section}` block of bench/RESULTS.md, keeping the others."""
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmarks\n"
    heading = f"## {section}"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.M | re.S)
    block = f"{heading}\n\n{text.strip()}\n\n"
    if pattern.search(current):
        current = pattern.sub(lambda _: block, current)
    else:
        current = current.rstrip() + "\n\n" + block
    RESULTS.write_text(current)
