"""`seamline record`: a green run's seams stored; a red run refused unless forced; --missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

SUITE = """
import os


def test_buying(system):
    shop = system.client("shop")
    assert shop.post("/buy", json={"amount": 5}).json()["status"] == 201
    assert shop.get("/total").json()["entry"] == {"balance": 5}


def test_maybe_failing(system):
    system.client("shop").post("/buy", json={"amount": 3})
    assert not os.environ.get("LEDGERS_FAIL"), "failing on purpose"
"""


def record(
    project: Path, run_root: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    (project.parent / "tests").mkdir(exist_ok=True)
    test_file = project.parent / "tests" / "test_ledgers.py"
    if not test_file.exists():
        test_file.write_text(textwrap.dedent(SUITE))
    environment = {**os.environ, "SEAMLINE_RUN_ROOT": str(run_root), **env}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "seamline",
            "record",
            str(project),
            "--plain",
            "--report-dir",
            str(project.parent / "report"),
            *args,
            "--",
            "-p",
            "no:cacheprovider",
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )


def amounts(project: Path) -> list[int]:
    folder = project.parent / "recordings" / "shop__ledger" / "mappings"
    found = []
    for path in folder.glob("entries-*.json"):
        pattern = json.loads(path.read_text())["request"]["bodyPatterns"][0]["equalToJson"]
        found.append(json.loads(pattern)["amount"])
    return sorted(found)


def test_a_green_run_is_recorded_with_its_tests(project: Path, run_root: Path):
    done = record(project, run_root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "shop -> ledger: 3 mapping(s) written -> " in done.stdout
    assert amounts(project) == [3, 5]
    index = json.loads((project.parent / "recordings" / "shop__ledger" / "index.json").read_text())
    tests = {test for entry in index["mappings"].values() for test in entry["tests"]}
    assert tests == {
        "tests/test_ledgers.py::test_buying",
        "tests/test_ledgers.py::test_maybe_failing",
    }


def test_a_red_run_records_nothing_unless_forced(project: Path, run_root: Path):
    done = record(project, run_root, LEDGERS_FAIL="1")
    assert done.returncode == 1
    assert "the run was not green (exit 1): nothing recorded" in done.stderr
    assert "--force" in done.stderr
    assert not (project.parent / "recordings").exists()
    done = record(project, run_root, "--force", LEDGERS_FAIL="1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert amounts(project) == [5]  # the failed test's purchase is left out
    assert "the traffic of 1 failed test(s) was left out (--force)" in done.stdout


def test_missing_adds_only_what_is_not_recorded(project: Path, run_root: Path):
    assert record(project, run_root).returncode == 0
    folder = project.parent / "recordings" / "shop__ledger" / "mappings"
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    suite = project.parent / "tests" / "test_ledgers.py"
    suite.write_text(suite.read_text().replace('"amount": 3', '"amount": 11'))
    done = record(project, run_root, "--missing")
    assert done.returncode == 0, done.stdout + done.stderr
    assert amounts(project) == [3, 5, 11]
    after = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert {name: after[name] for name in before} == before  # untouched
    assert "shop -> ledger: 1 mapping(s) written, 3 kept" in done.stdout
