"""A provider that hangs (accepts, never answers), answers garbage or closes mid-body: the
test fails, and its failure names the seam, the request and what the provider did, not only
the client's `httpx.ReadError`; the next test runs against the same provider."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import APPS

CONFIG = f"""
name = "drill"
[seams]
timeout = 1
[services.bad]
command = "{sys.executable} {APPS / "misbehaving.py"} --port {{self.port}}"
ready = "http GET /health"
"""

TESTS = """
import httpx, pytest

@pytest.mark.parametrize("path", ["/hang", "/garbage", "/cut"])
def test_bad(system, path):
    system.client("bad").get(path)

def test_after(system):
    assert system.client("bad").get("/health").text == "ok"
"""


def test_a_failed_test_names_what_the_provider_did_on_the_seam(
    pytester: pytest.Pytester, run_root, monkeypatch
):
    monkeypatch.setenv("SEAMLINE_RUN_ROOT", str(run_root))
    (pytester.path / "seamline.toml").write_text(CONFIG)
    (pytester.path / "test_faults.py").write_text(TESTS)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*- seamline: no answer on the seams -*",
            "#1 test -> bad: GET /hang -> timeout: no answer from bad in 1 s",
            "*- seamline: no answer on the seams -*",
            "#2 test -> bad: GET /garbage -> reset: upstream sent a malformed response*",
            "*- seamline: no answer on the seams -*",
            "#3 test -> bad: GET /cut -> reset: upstream closed the connection before the "
            "response ended",
        ]
    )
    assert list(run_root.iterdir()) == []
