"""A pytest plugin: each test's fixture setup + teardown time, written as JSON at the end.

    pytest -p timing ...   (BENCH_TIMINGS=path/to/out.json)

Only setup and teardown count: that is where a per-test database reset happens,
for seamline and for the peer alike. The first test (which starts the server)
is dropped when the results are read.
"""

from __future__ import annotations

import json
import os
from typing import Any

TIMINGS: dict[str, float] = {}


def pytest_runtest_logreport(report: Any) -> None:
    if report.when in ("setup", "teardown"):
        TIMINGS[report.nodeid] = TIMINGS.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: Any) -> None:
    path = os.environ.get("BENCH_TIMINGS")
    if path:
        with open(path, "w") as out:
            json.dump(list(TIMINGS.values()), out)
