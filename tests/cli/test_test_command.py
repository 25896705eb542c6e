"""`seamline test`: pytest's own selection means what it means in pytest, and the exit codes,
the summary and the report say what happened (interrupted, bad option) as the README says."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.test_cli import SYSTEM, seamline

SELECTION = {
    "pytest.ini": "[pytest]\ntestpaths = tests\nmarkers =\n    slow: a slow one\n",
    "tests/test_x.py": (
        "import pytest\n\n"
        "def test_one():\n    pass\n\n"
        "@pytest.mark.slow\ndef test_other():\n    pass\n"
    ),
    # outside testpaths: pytest would not collect it, so neither does `seamline test`
    "stray/test_stray.py": "def test_stray():\n    assert False, 'outside testpaths'\n",
}


@pytest.fixture
def selection_dir(write_config) -> Path:
    base = write_config(SYSTEM).parent
    for name, text in SELECTION.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(text)
    return base


@pytest.mark.parametrize(
    ("pytest_args", "ran"),
    [
        ([], "2 passed"),
        (["tests/test_x.py::test_one"], "1 passed"),
        (["-k", "other"], "1 passed, 1 deselected"),
        (["-m", "not slow"], "1 passed, 1 deselected"),
        (["tests/test_x.py"], "2 passed"),
    ],
    ids=["testpaths", "node id", "-k", "-m", "path"],
)
def test_pytest_selection_means_what_it_means_in_pytest(
    selection_dir, run_root, tmp_path, pytest_args, ran
):
    # run from elsewhere: paths and node ids are the system directory's, as `cd DIR && pytest`
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = seamline(
        "test",
        str(selection_dir),
        "--plain",
        "--report-dir",
        str(elsewhere / "out"),
        "--",
        "-p",
        "no:cacheprovider",
        *pytest_args,
        run_root=run_root,
        cwd=elsewhere,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f" {ran} in " in done.stdout, done.stdout
    assert "test_stray" not in done.stdout


def test_a_bad_pytest_option_exits_2_and_names_no_old_report(write_config, run_root, tmp_path):
    base = write_config(SYSTEM).parent
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("the previous run's report")
    done = seamline(
        "test",
        str(base),
        "--plain",
        "--report-dir",
        str(out),
        "--",
        "--no-such-option",
        run_root=run_root,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--no-such-option" in done.stderr
    assert str(out / "index.html") not in done.stdout
    assert not (out / "index.html").exists()


WAITING_SUITE = """
import os, threading
from pathlib import Path

def test_quick(system):
    assert system.client("api").get("/health").text == "ok"

def test_waits(system):
    system.client("api").get("/health")
    Path(os.environ["MARK"]).write_text("running")
    threading.Event().wait(60)
"""


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_run_exits_128_plus_signal_and_writes_a_partial_report(
    write_config, run_root, tmp_path, sig, code
):
    base = write_config(SYSTEM).parent
    (base / "tests").mkdir()
    (base / "tests" / "test_suite.py").write_text(WAITING_SUITE)
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("the previous run's report")
    mark = tmp_path / "mark"
    env = {**os.environ, "SEAMLINE_RUN_ROOT": str(run_root), "MARK": str(mark), "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "seamline", "test", str(base), "--plain", "--report-dir", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 60
    while not mark.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # polling for the test's mark, not synchronising on time
    assert mark.exists(), proc.communicate(timeout=30)[0]
    proc.send_signal(sig)
    output = proc.communicate(timeout=60)[0]
    assert proc.returncode == code, output
    assert "interrupted" in output
    report = json.loads((out / "report.json").read_text())
    assert any("interrupted" in problem for problem in report["problems"]), report["problems"]
    assert {t["outcome"] for t in report["tests"] if t["id"].endswith("test_quick")} == {"passed"}
    assert "the previous run's report" not in (out / "index.html").read_text()
    assert list(run_root.iterdir()) == []
