"""`seamline test` on a real terminal (a pseudo-terminal): the live view of the services and
the tests, then pytest's own summary; in CI, or with --plain, pytest's usual lines."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.test_cli import SUITE, SYSTEM

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_a_terminal(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run `seamline ARGS` with a pseudo-terminal as its stdout; its exit code and what it drew."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "seamline", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=env,
        cwd=cwd,
    )
    os.close(follower)
    drawn = bytearray()
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if select.select([leader], [], [], 0.5)[0]:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the terminal's other end closed: the command is done
                    break
                if not chunk:
                    break
                drawn += chunk
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(leader)
    return code, ANSI.sub("", drawn.decode("utf-8", "replace")).replace("\r", "\n")


@pytest.fixture
def suite(write_config, run_root, tmp_path) -> tuple[Path, dict[str, str]]:
    path = write_config(SYSTEM)
    (path.parent / "tests").mkdir()
    (path.parent / "tests" / "test_suite.py").write_text(SUITE)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "TERM")}
    env |= {"SEAMLINE_RUN_ROOT": str(run_root), "COLUMNS": "160", "TERM": "xterm-256color"}
    return path.parent, env


def run_suite(suite: tuple[Path, dict[str, str]], tmp_path: Path, *extra: str) -> tuple[int, str]:
    directory, env = suite
    args = ["test", str(directory), "--report-dir", str(tmp_path / "out"), *extra]
    return on_a_terminal([*args, "--", "-p", "no:cacheprovider"], env, tmp_path)


def test_on_a_terminal_the_services_and_tests_are_drawn_live_then_pytest_sums_up(suite, tmp_path):
    code, drawn = run_suite(suite, tmp_path)
    assert code == 1, drawn
    # the view, as last drawn: every service ready with its time, both tests done
    assert "clidemo is up" in drawn
    assert re.search(r"✓\s+db\s+ready \(\d+ ms\)", drawn) and re.search(r"✓\s+api\s+ready", drawn)
    assert re.search(r"tests .*2/2 +✓ 1 +✗ 1", drawn), drawn
    # the failed test named as it happened, above the view, with its message
    assert re.search(r"✗ tests/test_suite.py::test_fails +AssertionError: on purpose", drawn)
    # pytest's progress lines held back; its failures and summary printed after the view
    assert "test session starts" not in drawn
    assert "FAILURES" in drawn and "1 failed, 1 passed" in drawn
    assert drawn.index("clidemo is up") < drawn.index("FAILURES")
    assert f"{tmp_path}/out/index.html" in drawn


@pytest.mark.parametrize("how", ["CI=true", "--plain"])
def test_in_ci_or_with_plain_the_lines_are_plain(suite, tmp_path, how):
    if how == "--plain":
        code, drawn = run_suite(suite, tmp_path, "--plain")
    else:
        suite[1]["CI"] = "true"
        code, drawn = run_suite(suite, tmp_path)
    assert code == 1, drawn
    assert "starting clidemo" in drawn and "api ready (" in drawn
    assert "test session starts" in drawn and "1 failed, 1 passed" in drawn
    assert "clidemo is up" not in drawn
