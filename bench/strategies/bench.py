"""Recordings: what recording costs against a plain run of the same suite, and a replayed hop's
latency against the real provider's. Run by hand from the repository's root:

    .venv/bin/python bench/strategies/bench.py            # both; writes bench/RESULTS.md
    .venv/bin/python bench/strategies/bench.py --hop-only # the latency part alone (~30 s)

The suite is the shop's (`examples/shop`): `seamline test` and then `seamline record` of the same
suite, each timed as a whole (the recording is written into a temporary copy of the
recordings, so the committed ones stay as they are). The hop is `api -> payments`: the same
recorded `POST /charges`, sent to the seam's address as the api would, with the seam real
(FastAPI payments) and then replayed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import write_results

from seamline.config import load_config
from seamline.records.layout import JOURNAL
from seamline.records.reader import read_exchanges
from seamline.strategies.build import record_seams
from seamline.system.core import System

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"
SEAMLINE = [sys.executable, "-m", "seamline"]
CARD_OK = "4242424242424242"


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    if done.returncode != 0:
        tail = done.stdout[-3000:] + done.stderr[-3000:]
        raise SystemExit(f"{' '.join(command)} failed:\n{tail}")
    return time.perf_counter() - started


def suite_cost(rounds: int) -> dict[str, list[float]]:
    """Wall time of `seamline test` and `seamline record`, alternated, `rounds` times each."""
    times: dict[str, list[float]] = {"test": [], "record": []}
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "shop"
        shutil.copytree(SHOP, copy, ignore=shutil.ignore_patterns(".seamline", "recordings"))
        env = {**os.environ, "CI": "1"}
        report = ["--plain", "--report-dir", str(Path(scratch) / "report")]
        times["step"] = []
        for _ in range(rounds):
            times["test"].append(timed([*SEAMLINE, "test", str(copy), *report], env))
            times["record"].append(timed([*SEAMLINE, "record", str(copy), *report], env))
            times["step"].append(recording_step(copy, Path(scratch) / "again"))
    return times


def recording_step(project: Path, root: Path) -> float:
    """The time `record` adds after the suite: the newest run's journal into recordings."""
    config = load_config(project)
    newest = sorted((project / ".seamline" / "runs").iterdir())[-1]
    exchanges = read_exchanges(newest / JOURNAL)
    started = time.perf_counter()
    record_seams(config, exchanges, root=root)
    return time.perf_counter() - started


def charge_request() -> tuple[dict[str, str], bytes]:
    """A recorded POST /charges that was answered 201, with a card that pays."""
    folder = SHOP / "recordings" / "api__payments" / "mappings"
    for path in sorted(folder.glob("charges-*.json")):
        mapping = json.loads(path.read_text())
        if mapping["response"]["status"] == 201 and "scenarioName" not in mapping:
            sample = mapping["metadata"]["seamline"]["request"]
            body = json.loads(sample["body"])
            body["card_number"] = CARD_OK
            return dict(sample["headers"]), json.dumps(body).encode()
    raise SystemExit(f"no recorded 201 POST /charges in {folder}: `seamline record examples/shop`")


def latencies(url: str, headers: dict[str, str], body: bytes, count: int) -> list[float]:
    found = []
    with httpx.Client(base_url=url, timeout=10) as client:
        for position in range(count + 20):
            started = time.perf_counter()
            answer = client.post("/charges", headers=headers, content=body)
            elapsed = (time.perf_counter() - started) * 1000
            if answer.status_code not in (200, 201):  # 200: an idempotent repeat
                raise SystemExit(f"POST /charges: {answer.status_code} {answer.text[:300]}")
            if position >= 20:  # the first ones warm connections and caches
                found.append(elapsed)
    return found


def hop_latency(count: int) -> dict[str, list[float]]:
    headers, body = charge_request()
    with System.from_config(SHOP) as system:
        url = system.seams.url("api", "payments")
        seam = system.seam("api", "payments")
        real = latencies(url, headers, body, count)
        seam.use_replay()
        replayed = latencies(url, headers, body, count)
        # the replay stub server alone: what the seam's own hop adds is the difference
        server = system.seams.replay_url("api", "payments")
        alone = latencies(server, headers, body, count)
    return {"real": real, "replay": replayed, "replay server alone": alone}


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def report(times: dict[str, list[float]] | None, hop: dict[str, list[float]], count: int) -> str:
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d} by `bench/strategies/bench.py`. Machine: "
        f"{os.cpu_count()} cores, {platform.machine()}, Linux {platform.release()}; Python "
        f"{platform.python_version()}. Shared with other jobs while it ran: figures are noisy.",
        "",
    ]
    if times:
        test, rec = statistics.median(times["test"]), statistics.median(times["record"])
        step = statistics.median(times["step"])
        lines += [
            f"The shop's suite (`examples/shop`, {len(times['test'])} round(s), median):",
            "",
            "| | wall time |",
            "|---|---|",
            f"| `seamline test examples/shop` | {test:.1f} s |",
            f"| `seamline record examples/shop` | {rec:.1f} s |",
            "",
            f"- Whole runs: record {(rec / test - 1) * 100:+.1f}% against test. On this shared "
            "machine two runs of the same suite differ by more than the cost being measured.",
            f"- What recording adds to a run: **{step:.2f} s** ({step / test * 100:.1f}% of the "
            "plain run; goal < 10%) to turn the run's journal into mappings. The journal is "
            "written in every run anyway, and the suite itself runs the same: every seam real.",
            f"- All runs: test {', '.join(f'{t:.1f}' for t in times['test'])} s; record "
            f"{', '.join(f'{t:.1f}' for t in times['record'])} s.",
            "",
        ]
    lines += [
        f"One hop, `api -> payments`, `POST /charges` ({count} sequential requests after 20 "
        "warm-up, one connection, sent to the seam's address as the api would):",
        "",
        "| | p50 | p99 |",
        "|---|---|---|",
        f"| real payments (FastAPI, through the seam) | {pct(hop['real'], 0.5):.3f} ms | "
        f"{pct(hop['real'], 0.99):.3f} ms |",
        f"| replayed (seam -> replay stub server) | {pct(hop['replay'], 0.5):.3f} ms | "
        f"{pct(hop['replay'], 0.99):.3f} ms |",
        f"| the replay stub server alone | {pct(hop['replay server alone'], 0.5):.3f} ms | "
        f"{pct(hop['replay server alone'], 0.99):.3f} ms |",
        "",
        f"Load average while it ran: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hop-only", action="store_true")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    hop = hop_latency(args.requests)
    times = None if args.hop_only else suite_cost(args.rounds)
    text = report(times, hop, args.requests)
    print(text)
    write_results("Recordings (`bench/strategies/bench.py`)", text)


if __name__ == "__main__":
    main()
