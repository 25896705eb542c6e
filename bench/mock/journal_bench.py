"""Stub engine under a long load with its default (bounded) request journal, beside
WireMock with its defaults and WireMock tuned (`--no-request-journal
--disable-request-logging`), all from the same run (issue 11; run by run.sh --journal).

Each server gets GET /hello (a fixed JSON reply) at 64 connections (wrk, 1 thread)
until about `--requests` requests were served or `--max-seconds` passed, then a
templated reply (GET /tmpl?name=..., response-template) for a short run. Reported:
requests served, req/s, p50/p99 at 64 connections, RSS after the load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
import benchlib  # noqa: E402
from bench import first_200, free_port, java_version, rss_mb, seamline_version, write_stubs  # noqa: E402
from benchlib import wrk  # noqa: E402

TEMPLATED = {
    "request": {"method": "GET", "urlPath": "/tmpl"},
    "response": {
        "status": 200,
        "body": '{"hello": "{{request.query.name}}", "path": "{{request.path}}"}',
        "headers": {"Content-Type": "application/json"},
        "transformers": ["response-template"],
    },
}


@dataclass
class Run:
    name: str
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    rss_mb: float = 0.0
    rss_first_mb: float = 0.0
    tmpl_rps: float = 0.0
    tmpl_p99_ms: float = 0.0
    errors: list[str] = field(default_factory=list)


def load(port: int, pid: int, target: int, max_seconds: int, run: Run) -> None:
    """GET /hello at 64 connections in slices until `target` requests or the time cap."""
    started = time.monotonic()
    p99s: list[float] = []
    p50s: list[float] = []
    while run.requests < target and time.monotonic() - started < max_seconds:
        slice_s = max(1, min(10, int(max_seconds - (time.monotonic() - started))))
        rps, latency, bad = wrk(port, "/hello", 64, slice_s, False)
        run.requests += int(rps * slice_s)
        p50s.append(latency.get("50", 0.0))
        p99s.append(latency.get("99", 0.0))
        if bad:
            run.errors.append(f"/hello: {bad}")
        if not run.rss_first_mb:
            run.rss_first_mb = rss_mb(pid)  # after the first slice: is memory flat after?
    run.seconds = time.monotonic() - started
    run.rps = run.requests / run.seconds if run.seconds else 0.0
    run.p50_ms = sorted(p50s)[len(p50s) // 2] if p50s else 0.0
    run.p99_ms = max(p99s) if p99s else 0.0  # the worst slice: what a long run would see


def measure(
    name: str, argv: list[str], port: int, target: int, max_seconds: int, env: dict[str, str]
) -> Run:
    run = Run(name)
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, **env},
    )
    try:
        if not first_200(port, time.monotonic() + 60):
            run.errors.append("never answered 200")
            return run
        wrk(port, "/hello", 64, 3, False)  # warm-up (the JVM's JIT), not counted
        load(port, proc.pid, target, max_seconds, run)
        run.rss_mb = rss_mb(proc.pid)
        wrk(port, "/tmpl?name=ann", 64, 2, False)
        rps, latency, bad = wrk(port, "/tmpl?name=ann", 64, 5, False)
        run.tmpl_rps, run.tmpl_p99_ms = rps, latency.get("99", 0.0)
        if bad:
            run.errors.append(f"/tmpl: {bad}")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return run


def table(runs: list[Run]) -> str:
    rows = ["| | " + " | ".join(r.name for r in runs) + " |", "|---|" + "---|" * len(runs)]

    def row(label: str, values: list[str]) -> None:
        rows.append(f"| {label} | " + " | ".join(values) + " |")

    row("requests served (GET JSON, 64 conns)", [f"{r.requests:,}" for r in runs])
    row("over", [f"{r.seconds:.0f} s" for r in runs])
    row("req/s", [f"{r.rps:,.0f}" for r in runs])
    row("p50 at 64 conns (median slice)", [f"{r.p50_ms:.2f} ms" for r in runs])
    row("p99 at 64 conns (worst slice)", [f"{r.p99_ms:.2f} ms" for r in runs])
    row("RSS after the first 10 s", [f"{r.rss_first_mb:.1f} MB" for r in runs])
    row("RSS after the load", [f"{r.rss_mb:.1f} MB" for r in runs])
    row("req/s, templated reply", [f"{r.tmpl_rps:,.0f}" for r in runs])
    row("p99 at 64 conns, templated reply", [f"{r.tmpl_p99_ms:.2f} ms" for r in runs])
    return "\n".join(rows)


def main() -> int:
    args = argparse.ArgumentParser()
    args.add_argument("--jar", required=True)
    args.add_argument("--requests", type=int, default=1_000_000)
    args.add_argument("--max-seconds", type=int, default=40)
    args.add_argument(
        "--seamline-only",
        action="store_true",
        help="run seamline alone (e.g. to 1M requests) and print, without writing RESULTS.md",
    )
    args.add_argument(
        "--baseline-src",
        help="a src/ dir of another seamline (e.g. main's) to run beside, for an A/B",
    )
    opts = args.parse_args()
    work = Path(tempfile.mkdtemp(prefix="seamline-journal-bench-"))
    try:
        write_stubs(work)
        (work / "mappings" / "tmpl.json").write_text(json.dumps(TEMPLATED))
        java = [
            "java",
            "-jar",
            opts.jar,
            "--root-dir",
            str(work),
            "--disable-banner",
            "--bind-address",
            "127.0.0.1",
        ]
        seamline = [sys.executable, "-m", "seamline.mock.standalone", "--root-dir", str(work)]
        servers: list[tuple[str, list[str], dict[str, str]]] = [
            (f"seamline mock {seamline_version()} (defaults)", seamline, {}),
            ("WireMock 3.13.2 (defaults)", java, {}),
            (
                "WireMock 3.13.2 (tuned)",
                [*java, "--no-request-journal", "--disable-request-logging"],
                {},
            ),
        ]
        if opts.seamline_only:
            servers = servers[:1]
        elif opts.baseline_src:
            baseline = ("seamline baseline (defaults)", seamline, {"PYTHONPATH": opts.baseline_src})
            servers.insert(1, baseline)
        runs = []
        for name, command, env in servers:
            port = free_port()
            print(f"journal bench: {name} ...", flush=True)
            argv = [*command, "--port", str(port)]
            run = measure(name, argv, port, opts.requests, opts.max_seconds, env)
            print(json.dumps(run.__dict__), flush=True)
            runs.append(run)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with open("/proc/loadavg") as handle:
        loadavg = handle.read().split()[0]
    machine = (
        f"{os.cpu_count()} cores, Linux {platform.release()}; Python "
        f"{platform.python_version()}, {java_version()}; wrk 1 thread on the same machine; "
        f"load average {loadavg} at the end (the machine is shared with other work)"
    )
    text = (
        f"Run {time.strftime('%Y-%m-%d')} by `bench/mock/run.sh --journal` "
        f"(`--requests {opts.requests} --max-seconds {opts.max_seconds}`). "
        f"Machine: {machine}.\n\n{table(runs)}\n"
    )
    for run in runs:
        for error in run.errors:
            text += f"\n- {run.name}: {error}"
    print(text)
    if not opts.seamline_only:
        benchlib.write_results("Stub engine: long load, journal defaults", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
