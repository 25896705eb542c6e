"""Stub engine bench: seamline mock vs WireMock vs pytest-httpserver (see run.sh).

Same stubs for all: GET /hello with a JSON body, and 100 POST /match stubs with JSON
body matching where the matching one is checked last (priority 1..100 for the
WireMock-format servers, registration order for pytest-httpserver). Measures, per
server: start-up to the first 200, throughput at 64 connections (wrk, 1 thread),
p50/p99 latency at 1 connection, RSS after the load. Writes bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import benchlib  # noqa: E402
from benchlib import wrk  # noqa: E402

ROOT = HERE.parent.parent
HELLO = {"message": "hello", "items": [1, 2, 3]}
JOURNAL = 1000  # request journal bound given to both WireMock-format servers


def write_stubs(root: Path) -> None:
    mappings = root / "mappings"
    mappings.mkdir(parents=True)
    hello = {
        "request": {"method": "GET", "url": "/hello"},
        "response": {
            "status": 200,
            "jsonBody": HELLO,
            "headers": {"Content-Type": "application/json"},
        },
    }
    (mappings / "hello.json").write_text(json.dumps(hello))
    stubs = []
    for i in range(100):
        body = {"id": i, "name": f"item-{i}", "tags": ["a", "b"]}
        stubs.append(
            {
                "priority": i + 1,
                "request": {
                    "method": "POST",
                    "url": "/match",
                    "bodyPatterns": [{"equalToJson": body}],
                },
                "response": {
                    "status": 200,
                    "jsonBody": {"matched": i},
                    "headers": {"Content-Type": "application/json"},
                },
            }
        )
    (mappings / "match.json").write_text(json.dumps({"mappings": stubs}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Result:
    name: str
    version: str
    startup_s: float = 0.0
    rps: dict[str, float] = field(default_factory=dict)
    p50_ms: dict[str, float] = field(default_factory=dict)
    p99_ms: dict[str, float] = field(default_factory=dict)
    rss_mb: float = 0.0
    errors: list[str] = field(default_factory=list)


def first_200(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/hello")
            if conn.getresponse().status == 200:
                conn.close()
                return True
            conn.close()
        except OSError:
            time.sleep(0.002)
    return False


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(name: str, version: str, argv: list[str], port: int, seconds: int) -> Result:
    result = Result(name, version)
    started = time.monotonic()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        if not first_200(port, started + 60):
            result.errors.append("never answered 200")
            return result
        result.startup_s = time.monotonic() - started
        for path, post in (("/hello", False), ("/match", True)):
            wrk(
                port, path, 64, max(2, seconds // 2), post
            )  # warm-up (JIT for the JVM), not recorded
            rps, _, bad = wrk(port, path, 64, seconds, post)
            result.rps[path] = rps
            if bad:
                result.errors.append(f"{path} at 64 connections: {bad}")
            _, latency, bad = wrk(port, path, 1, seconds, post)
            result.p50_ms[path], result.p99_ms[path] = (
                latency.get("50", 0.0),
                latency.get("99", 0.0),
            )
            if bad:
                result.errors.append(f"{path} at 1 connection: {bad}")
        result.rss_mb = rss_mb(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return result


def seamline_version() -> str:
    out = subprocess.run(
        [sys.executable, "-c", "import seamline; print(seamline.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def httpserver_version(python: str) -> str:
    code = "import importlib.metadata as m; print(m.version('pytest-httpserver'))"
    return subprocess.run(
        [python, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def java_version() -> str:
    out = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False).stderr
    return out.splitlines()[0] if out else "java"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def table(results: list[Result]) -> str:
    seam = results[0]
    rows = [
        "| | " + " | ".join(f"{r.name} {r.version}" for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]

    def row(label: str, values: list[str]) -> None:
        rows.append(f"| {label} | " + " | ".join(values) + " |")

    row("start-up to first 200", [f"{r.startup_s:.3f} s" for r in results])
    for path, what in (("/hello", "GET JSON"), ("/match", "100 JSON stubs, last matches")):
        row(f"req/s at 64 conns, {what}", [f"{r.rps.get(path, 0):,.0f}" for r in results])
        row(f"p50 at 1 conn, {what}", [f"{r.p50_ms.get(path, 0):.3f} ms" for r in results])
        row(f"p99 at 1 conn, {what}", [f"{r.p99_ms.get(path, 0):.3f} ms" for r in results])
    row("RSS after load", [f"{r.rss_mb:.1f} MB" for r in results])
    lines = ["\n".join(rows), "", "Ratios (seamline / peer):", ""]
    for peer in results[1:]:
        for path in ("/hello", "/match"):
            throughput = ratio(seam.rps.get(path, 0), peer.rps.get(path, 0))
            p99 = ratio(seam.p99_ms.get(path, 0), peer.p99_ms.get(path, 0))
            lines.append(f"- {peer.name}, {path}: throughput {throughput}, p99 {p99}")
    return "\n".join(lines)


def write_results(text: str) -> None:
    benchlib.write_results("Stub engine", text)


def main() -> int:
    args = argparse.ArgumentParser()
    args.add_argument("--jar", required=True)
    args.add_argument("--httpserver-python", required=True)
    args.add_argument("--seconds", type=int, default=10)
    args.add_argument("--only", choices=["seamline", "wiremock", "httpserver"], action="append")
    opts = args.parse_args()
    work = Path(tempfile.mkdtemp(prefix="seamline-bench-"))
    try:
        write_stubs(work)
        journal = ["--max-request-journal-entries", str(JOURNAL)]
        runs = {
            "seamline": (
                "seamline mock",
                seamline_version(),
                lambda port: [
                    sys.executable,
                    "-m",
                    "seamline.mock.standalone",
                    "--port",
                    str(port),
                    "--root-dir",
                    str(work),
                    *journal,
                ],
            ),
            "wiremock": (
                "WireMock",
                Path(opts.jar).stem.rsplit("-", 1)[-1],
                lambda port: [
                    "java",
                    "-jar",
                    opts.jar,
                    "--port",
                    str(port),
                    "--root-dir",
                    str(work),
                    "--disable-banner",
                    "--bind-address",
                    "127.0.0.1",
                    *journal,
                ],
            ),
            "httpserver": (
                "pytest-httpserver",
                httpserver_version(opts.httpserver_python),
                lambda port: [opts.httpserver_python, str(HERE / "httpserver_peer.py"), str(port)],
            ),
        }
        results = []
        for key in opts.only or list(runs):
            name, version, argv = runs[key]
            port = free_port()
            print(f"bench: {name} {version} ...", flush=True)
            result = measure(name, version, argv(port), port, opts.seconds)
            print(json.dumps(result.__dict__), flush=True)
            results.append(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    machine = (
        f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Linux {platform.release()}; "
        f"Python {platform.python_version()}, {java_version()}; wrk 1 thread on the same machine; "
        f"{opts.seconds} s per measured run after a {max(2, opts.seconds // 2)} s warm-up; "
        f"request journal bounded to {JOURNAL} entries for seamline and WireMock "
        "(pytest-httpserver keeps its whole log)."
    )
    day = time.strftime("%Y-%m-%d")
    text = f"Run {day} by `bench/mock/run.sh`. Machine: {machine}\n\n{table(results)}\n"
    for result in results:
        for error in result.errors:
            text += f"\n- {result.name}: {error}"
    print(text)
    if not opts.only:
        write_results(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
