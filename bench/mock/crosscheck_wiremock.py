"""Run the compatibility cases of tests/mock/compat_cases.py against a real WireMock,
to check that the cases themselves say what WireMock does.

    java -jar bench/.peers/node_modules/wiremock/build/wiremock-standalone-*.jar --port 18090 &
    python bench/mock/crosscheck_wiremock.py http://127.0.0.1:18090
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "mock"))
from compat_cases import MATCH_CASES, RESPONSE_CASES, Send


def send(base: str, what: Send) -> httpx.Response:
    return httpx.request(
        what.method, base + what.url, headers=what.headers, content=what.body, json=what.json
    )


def main(base: str) -> int:
    differences = 0
    for case in MATCH_CASES:
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
    total = len(MATCH_CASES) + len(RESPONSE_CASES)
    print(f"{total} cases, {differences} difference(s) from WireMock")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18090"))
