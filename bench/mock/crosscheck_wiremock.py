"""Run the compatibility cases of tests/mock/ against a real WireMock, to check that
the cases themselves say what WireMock does (by hand, not in CI: it needs Java 17).

    JAR=bench/.peers/node_modules/wiremock/build/wiremock-standalone-3.13.2.jar
    java -jar $JAR --port 18090 --root-dir /tmp/wm1 &
    java -jar $JAR --port 18091 --root-dir /tmp/wm2 --enable-stub-cors &
    python bench/mock/crosscheck_wiremock.py http://127.0.0.1:18090 /tmp/wm1 \
        http://127.0.0.1:18091 /tmp/wm2

The cases (compat_cases*.py) need only the first URL; the scenarios
(compat_scenarios.py) also need the root dirs the servers were started with, and the
CORS scenarios the second server. The root dirs' mappings/ and __files/ are emptied.
"""

from __future__ import annotations

import shutil
import sys
import traceback
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "mock"))
from compat_cases import MATCH_CASES, RESPONSE_CASES, Send
from compat_cases_edges import EDGE_CASES
from compat_cases_matching import MATCHING_CASES
from compat_cases_probed import PROBED_CASES
from compat_scenarios import CORS_SCENARIOS, SCENARIOS, Scenario
from compat_scenarios_admin import ADMIN_SCENARIOS


def send(base: str, what: Send) -> httpx.Response:
    return httpx.request(
        what.method, base + what.url, headers=what.headers, content=what.body, json=what.json
    )


def main(base: str) -> int:
    differences = 0
    cases = MATCH_CASES + MATCHING_CASES + EDGE_CASES + PROBED_CASES
    for case in cases:
        httpx.delete(base + "/__admin/mappings")
        mapping = {"request": case.request, "response": {"status": 200, "body": "matched"}}
        created = httpx.post(base + "/__admin/mappings", json=mapping)
        if created.status_code != 201:
            print(f"{case.id}: WireMock refused the mapping: {created.text[:200]}")
            differences += 1
            continue
        for hit in case.hits:
            if send(base, hit).status_code != 200:
                print(f"{case.id}: WireMock did not match {hit}")
                differences += 1
        for miss in case.misses:
            if send(base, miss).status_code != 404:
                print(f"{case.id}: WireMock matched {miss}")
                differences += 1
    for case_id, response, status, _, body in RESPONSE_CASES:
        httpx.delete(base + "/__admin/mappings")
        mapping = {"request": {"method": "GET", "url": "/r"}, "response": response}
        httpx.post(base + "/__admin/mappings", json=mapping)
        got = httpx.get(base + "/r")
        if (got.status_code, got.content) != (status, body):
            print(f"{case_id}: WireMock answered {got.status_code} {got.content[:80]!r}")
            differences += 1
    total = len(cases) + len(RESPONSE_CASES)
    print(f"{total} cases, {differences} difference(s) from WireMock")
    return differences


def _clean(base: str, root: Path) -> None:
    for sub in ("mappings", "__files"):
        shutil.rmtree(root / sub, ignore_errors=True)
        (root / sub).mkdir(parents=True)
    httpx.post(base + "/__admin/reset")
    httpx.post(base + "/__admin/scenarios/reset")
    httpx.delete(base + "/__admin/requests")


def run_scenarios(base: str, root: Path, scenarios: list[Scenario]) -> int:
    differences = 0
    for scenario in scenarios:
        _clean(base, root)
        try:
            scenario(base, root)
        except AssertionError:
            print(f"{scenario.__name__}: WireMock differs:\n{traceback.format_exc(limit=2)}")
            differences += 1
    _clean(base, root)
    print(f"{len(scenarios)} scenarios, {differences} difference(s) from WireMock")
    return differences


def run(argv: list[str]) -> int:
    base = argv[0] if argv else "http://127.0.0.1:18090"
    differences = main(base)
    if len(argv) >= 2:
        differences += run_scenarios(base, Path(argv[1]), SCENARIOS + ADMIN_SCENARIOS)
    if len(argv) >= 4:
        differences += run_scenarios(argv[2], Path(argv[3]), CORS_SCENARIOS)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
