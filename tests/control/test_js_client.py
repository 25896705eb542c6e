"""clients/js/seamline.js, the Node helper, against a real system: `node --test` under
`seamline run`, as a Jest or Mocha suite would use it."""

from __future__ import annotations

import json

from tests.cli.test_cli import SYSTEM, seamline
from tests.control.toolchain import CLIENTS, require_node


def test_the_js_client_announces_tests_and_reads_seams(write_config, run_root, tmp_path):
    require_node()
    base = write_config(SYSTEM).parent
    done = seamline(
        "run",
        str(base),
        "--report-dir",
        str(tmp_path / "out"),
        "--",
        "node",
        "--test",
        str(CLIENTS / "seamline.test.js"),
        run_root=run_root,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# pass 2" in done.stdout
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    tests = {t["id"]: t for t in report["tests"]}
    assert [e["seam"] for e in tests["js > health"]["exchanges"]] == ["test -> api"]
