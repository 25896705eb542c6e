"""How big a 1,000-test report is, how long it takes to build, and how fast it opens.

    python bench/report/bench_report.py [--tests 1000] [--workers 4] [--keep DIR]

Generates the record dirs of a shop-like run (one per xdist worker) with the
report tests' record builder, builds the report, then opens it in headless
Chromium (Playwright, Debian's /usr/bin/chromium) and measures: load, first
paint, opening a failed test (parse its JSON and draw it), one search.
Two runs: "typical" (5 exchanges, 12 log lines per test, small JSON bodies,
1% 2 MB bodies) and "heavy" (20 exchanges with 6 kB bodies, 120 log lines per
test), which is over the size budget and shows the shortening of passed tests.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from seamline.report import ReportOptions, build  # noqa: E402
from tests.report.records_builder import RunBuilder, violation  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


@dataclass(frozen=True)
class Shape:
    name: str
    exchanges: int  # per test, half of them test -> api, half api -> payments inside them
    body_items: int  # items in each JSON body
    log_lines: int  # per test
    big_body_every: int  # one test in N gets a 2 MB response (cut by the journal at 64 kB)


SHAPES = {
    "typical": Shape("typical", exchanges=5, body_items=3, log_lines=12, big_body_every=100),
    "heavy": Shape("heavy", exchanges=20, body_items=60, log_lines=120, big_body_every=20),
}


def generate(root: Path, shape: Shape, tests: int, workers: int) -> list[Path]:
    rng = random.Random(7)
    clock_owner = RunBuilder(root, worker="gw0")
    runs = [clock_owner] + [
        RunBuilder(root, worker=f"gw{n}", clock=clock_owner.clock) for n in range(1, workers)
    ]
    for run in runs:
        run.service("api", "process", "http://127.0.0.1:9001", "uvicorn shop.api:app")
        run.service("payments", "process", "http://127.0.0.1:9002", "python -m payments")
        run.seam("api", "payments", "PAYMENTS_URL")
    for number in range(tests):
        run = runs[number % workers]
        with run.test(f"tests/test_shop_{number // 50:02d}.py::test_case_{number:04d}") as test:
            write_test(test, run, shape, number, rng)
    return [run.finish() for run in runs]


def write_test(test, run: RunBuilder, shape: Shape, number: int, rng: random.Random) -> None:
    token = run.secret(f"tok_{number:06d}_{rng.randrange(10**9):09d}")
    items = [
        {"sku": f"sku-{n}", "qty": rng.randrange(1, 5), "price": 1999}
        for n in range(shape.body_items)
    ]
    for call in range(shape.exchanges // 2):
        outer = test.open(
            "test -> api",
            "POST",
            f"/orders?attempt={call}",
            headers=[("Authorization", f"Bearer {token}")],
            json={"items": items},
        )
        test.log("api", f"order {number}.{call}: {len(items)} items, charging")
        bad = number % 20 == 0 and call == 0
        test.exchange(
            "api -> payments",
            "POST",
            "/charges",
            req_json={"amount": 3998, "card_number": "4242424242424242"},
            status=201,
            json={"id": f"ch_{number}_{call}", "amount": "39.98" if bad else 3998},
            violations=[
                violation(
                    "api -> payments",
                    "POST /charges",
                    "response",
                    201,
                    "/amount",
                    "integer",
                    "'39.98'",
                )
            ]
            if bad
            else [],
        )
        test.db_change("orders", "insert", new={"id": number * 100 + call, "total": 3998})
        test.close(outer, status=201, json={"order": number * 100 + call, "items": items})
    if shape.big_body_every and number % shape.big_body_every == 0:
        catalog = {"items": [{"sku": f"sku-{n}", "name": f"Item {n}"} for n in range(60_000)]}
        test.exchange("test -> api", "GET", "/catalog", status=200, json=catalog)
    for line in range(shape.log_lines):
        test.log(
            "api" if line % 3 else "payments",
            f"INFO handled step {line} of test {number} in 1.2 ms",
        )
    if number % 20 == 0:
        test.fail("AssertionError: assert '39.98' == 3998", "E   AssertionError: ...\n" * 20)
    else:
        test.passed()


def measure_build(dirs: list[Path], out: Path) -> tuple[float, Path]:
    started = time.perf_counter()
    paths = build(dirs, out, options=ReportOptions(), environ={})
    return time.perf_counter() - started, paths.html


def measure_browser(html: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        started = time.perf_counter()
        page.goto(html.as_uri(), wait_until="load")
        wall_load = time.perf_counter() - started
        timing = page.evaluate(
            """() => {
              const nav = performance.getEntriesByType('navigation')[0];
              const paint = performance.getEntriesByName('first-contentful-paint')[0];
              return {dom: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
                      fcp: paint ? paint.startTime : -1};
            }"""
        )
        expand = page.evaluate(
            """async () => {
              const row = document.querySelector('li.test.o-failed');
              const start = performance.now();
              row.querySelector('summary').click();
              await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
              return performance.now() - start;
            }"""
        )
        search = page.evaluate(
            """async () => {
              const box = document.getElementById('f-search');
              const start = performance.now();
              box.value = 'ch_999_0';
              box.dispatchEvent(new Event('input'));
              await new Promise(r => setTimeout(r, 130));  // the search waits 120 ms for typing
              await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
              return performance.now() - start - 120;
            }"""
        )
        browser.close()
    return {"wall_load": wall_load * 1000, **timing, "expand": expand, "search": search}


def run_shape(shape: Shape, tests: int, workers: int, keep: Path | None) -> dict[str, object]:
    root = Path(tempfile.mkdtemp(prefix=f"seamline-bench-report-{shape.name}-"))
    try:
        started = time.perf_counter()
        dirs = generate(root / "runs", shape, tests, workers)
        generated = time.perf_counter() - started
        records = sum(p.stat().st_size for d in dirs for p in d.rglob("*") if p.is_file())
        build_s, html = measure_build(dirs, root / "seamline-report")
        browser = measure_browser(html)
        result = {
            "shape": shape.name,
            "tests": tests,
            "records_mb": records / 1e6,
            "generate_s": generated,
            "build_s": build_s,
            "html_mb": html.stat().st_size / 1e6,
            "json_mb": (html.parent / "report.json").stat().st_size / 1e6,
            **browser,
        }
        if keep is not None:
            shutil.copytree(html.parent, keep / shape.name, dirs_exist_ok=True)
        return result
    finally:
        shutil.rmtree(root, ignore_errors=True)


COLUMNS = (
    ("run", "shape", "{}"),
    ("tests", "tests", "{}"),
    ("records", "records_mb", "{:.1f} MB"),
    ("build", "build_s", "{:.2f} s"),
    ("index.html", "html_mb", "{:.1f} MB"),
    ("report.json", "json_mb", "{:.1f} MB"),
    ("DOMContentLoaded", "dom", "{:.0f} ms"),
    ("load", "load", "{:.0f} ms"),
    ("first paint", "fcp", "{:.0f} ms"),
    ("open a failed test", "expand", "{:.0f} ms"),
    ("search", "search", "{:.0f} ms"),
)


def table(results: list[dict[str, object]]) -> str:
    lines = [
        "| " + " | ".join(title for title, _, _ in COLUMNS) + " |",
        "| --- |" + " ---: |" * (len(COLUMNS) - 1),
    ]
    for result in results:
        cells = [form.format(result[key]) for _, key, form in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--shapes", default="typical,heavy")
    parser.add_argument("--keep", type=Path, default=None, help="copy the reports here")
    args = parser.parse_args()
    results = [
        run_shape(SHAPES[name], args.tests, args.workers, args.keep)
        for name in args.shapes.split(",")
    ]
    print(table(results))


if __name__ == "__main__":
    main()
