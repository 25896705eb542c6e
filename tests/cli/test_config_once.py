"""`seamline test` loads the system's config once and hands it on to the pytest plugin."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import APP

# Counts the loads in one `seamline test` process, wherever a module bound `load_config`.
COUNTING_RUN = """
import sys
import seamline.cli, seamline.cli.common, seamline.pytest_plugin, seamline.system.core
from seamline.config import load_config

loads = []

def counting(*args, **kwargs):
    loads.append(args)
    return load_config(*args, **kwargs)

for module in (seamline.cli.common, seamline.pytest_plugin, seamline.system.core):
    module.load_config = counting
code = seamline.cli.main(sys.argv[1:])
print("loads:", len(loads))
sys.exit(code)
"""


def test_seamline_test_loads_the_config_once(tmp_path: Path, run_root: Path):
    (tmp_path / "seamline.toml").write_text(
        textwrap.dedent(
            f"""
            [services.api]
            command = "{APP} --port {{self.port}}"
            ready = "http GET /health"
            """
        )
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_it.py").write_text(
        "def test_up(system):\n    assert system.client('api').get('/health').text == 'ok'\n"
    )
    report = ["--report-dir", str(tmp_path / "report")]
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            COUNTING_RUN,
            "test",
            str(tmp_path),
            *report,
            "--",
            "-p",
            "no:cacheprovider",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "SEAMLINE_RUN_ROOT": str(run_root)},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "loads: 1" in done.stdout
