"""A record dir that cannot be written: refused before anything starts (read-only, not a
dir), or filling up mid-run: the seams go on forwarding, and the tests in which record lines
were lost fail naming the dir, the cause and the fix; the run exits 1 and leaves nothing."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from seamline.errors import RecordsError
from seamline.runtime import rundir
from tests.conftest import APP

CONFIG = f"""
name = "full"
[services.app]
command = "{APP} --port {{self.port}}"
ready = "http GET /health"
"""

FILLS = """
def test_a_fills_the_record_dir(system):
    for _ in range(40):  # each exchange journals a 4 kB body: 160 kB into a 64 kB dir
        assert system.client("app").post("/digest", content=b"x" * 4000).status_code == 200

def test_b_later(system):
    assert system.client("app").get("/health").status_code == 200
"""


def test_a_record_root_that_cannot_be_made_is_refused_and_no_run_dir_stays(run_root, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("")  # a record root below a file: mkdir fails, as on a read-only disk
    with pytest.raises(RecordsError) as caught:
        rundir.create_run(run_root, blocked / "runs")
    assert caught.value.path.parent == blocked / "runs"
    assert "SEAMLINE_RECORD_ROOT" in str(caught.value)
    assert list(run_root.iterdir()) == []


@pytest.fixture
def small_dir(tmp_path: Path) -> Iterator[Path]:
    """A 64 kB tmpfs: a record dir that fills up within one test (mounting needs root)."""
    path = tmp_path / "small"
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    yield path
    subprocess.run(["umount", str(path)], check=True)


def test_a_record_dir_that_fills_up_fails_the_tests_that_lost_lines_and_the_run(
    pytester: pytest.Pytester, run_root, small_dir, monkeypatch
):
    monkeypatch.setenv("SEAMLINE_RUN_ROOT", str(run_root))
    monkeypatch.setenv("SEAMLINE_RECORD_ROOT", str(small_dir))
    (pytester.path / "seamline.toml").write_text(CONFIG)
    (pytester.path / "test_fill.py").write_text(FILLS)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    # every call passed: the app got each request through the seam, none answered 500; both
    # tests lost lines (the second its exchange and its lines in tests.jsonl)
    result.assert_outcomes(passed=2, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_a_fills_the_record_dir*",
            f"seamline cannot write the run's records at {small_dir}/*/journal.jsonl: "
            "No space left on device; * record line(s) lost",
            "  fix: free space there or make it writable, or point SEAMLINE_RECORD_ROOT *",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert list(run_root.iterdir()) == []
    assert not list(small_dir.glob("*/run.tmp"))
