"""clients/js/seamline.js, the Node helper, against a real system: `node --test` under
`seamline run`, as a Jest or Mocha suite would use it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.cli.test_cli import SYSTEM, seamline

CLIENT = Path(__file__).parents[2] / "clients" / "js"


def test_the_js_client_announces_tests_and_reads_seams(write_config, run_root, tmp_path):
    if shutil.which("node") is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Node 18+ on PATH for the JS client's test")
        pytest.skip("needs Node 18+ (fetch, node:test)")
    base = write_config(SYSTEM).parent
    done = seamline(
        "run",
        str(base),
        "--report-dir",
        str(tmp_path / "out"),
        "--",
        "node",
        "--test",
        str(CLIENT / "seamline.test.js"),
        run_root=run_root,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# pass 2" in done.stdout
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    tests = {t["id"]: t for t in report["tests"]}
    assert [e["seam"] for e in tests["js > health"]["exchanges"]] == ["test -> api"]
