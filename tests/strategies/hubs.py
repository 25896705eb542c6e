"""The hubs project: a hub summing four leaves (tests/apps/hub.py), real processes, a suite."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

HUB_APP = Path(__file__).parents[1] / "apps" / "hub.py"
LEAVES = ("leaf1", "leaf2", "leaf3", "leaf4")
SEAMS = [f"hub -> {leaf}" for leaf in LEAVES]

SUITE = """
import os, pathlib

def test_sum(system):
    answer = system.client("hub").get("/sum")
    assert answer.status_code == 200, answer.text
    assert answer.json()["sum"] >= 4 - bool(os.environ.get("HUB_TOLERATE"))

def test_health(system):
    assert system.client("hub").get("/health").status_code == 200
    assert not os.environ.get("HUB_TEST_FAILS"), "HUB_TEST_FAILS is set"

def test_flaky_when_asked(system):
    counter = os.environ.get("HUB_FLAKY")
    if counter:  # fails on every odd run: a suite whose results do not follow the plan
        path = pathlib.Path(counter)
        runs = int(path.read_text()) + 1 if path.exists() else 1
        path.write_text(str(runs))
        assert runs % 2 == 0, f"run {runs}"
    assert system.client("hub").get("/sum").status_code in (200, 502)
"""


def write_project(folder: Path, leaves: int = len(LEAVES)) -> Path:
    """The project in `folder` (a hub and `leaves` leaves): seamline.toml and
    tests/test_hub.py; returns the folder."""
    names = [f"leaf{number}" for number in range(1, leaves + 1)]
    (folder / "tests").mkdir(parents=True, exist_ok=True)
    lines = ['name = "hubs"', ""]
    app = f"{sys.executable} {HUB_APP}"
    for leaf in names:
        lines += [
            f"[services.{leaf}]",
            f'command = "{app} --role leaf --name {leaf} --port {{self.port}}"',
            'ready = "http GET /health"',
            "",
        ]
    env = ", ".join(f'{leaf.upper()}_URL = "{{{leaf}.url}}"' for leaf in names)
    lines += [
        "[services.hub]",
        f'command = "{sys.executable} {HUB_APP} --role hub --port {{self.port}}"',
        'ready = "http GET /health"',
        f"env = {{ {env} }}",
    ]
    (folder / "seamline.toml").write_text("\n".join(lines) + "\n")
    (folder / "tests" / "test_hub.py").write_text(
        textwrap.dedent(SUITE).replace(">= 4 -", f">= {leaves} -")
    )
    return folder


def seamline(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`seamline ARGS` in a child process, output kept."""
    return subprocess.run(
        [sys.executable, "-m", "seamline", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )
