"""What the CLI prints is the text it means: no rich markup eaten, help that says where
pytest's arguments go."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.cli.test_cli import seamline


def test_brackets_in_an_error_are_printed_as_they_are(run_root, tmp_path):
    done = seamline("check", str(tmp_path), run_root=run_root)
    assert done.returncode == 2
    assert "a pyproject.toml with [tool.seamline]" in done.stderr, done.stderr


def test_brackets_in_a_config_value_are_printed_as_they_are(write_config, run_root):
    path = write_config('[services.api]\ncommand = "x"\nready = "log [bold]([a-z"\n')
    done = seamline("check", str(path), run_root=run_root)
    assert done.returncode == 2
    assert "'log [bold]([a-z'" in done.stderr, done.stderr


def test_test_help_says_pytest_arguments_go_after_a_double_dash(run_root):
    done = seamline("test", "--help", run_root=run_root)
    assert done.returncode == 0
    assert "seamline test examples/shop -- -k checkout" in done.stdout
    assert "after --" in done.stdout


MESSAGES = Path(__file__).parents[2] / "examples" / "messages"


def test_check_and_up_list_the_message_seams_as_the_readme_says(tmp_path, run_root):
    project = tmp_path / "messages"
    shutil.copytree(MESSAGES, project, ignore=shutil.ignore_patterns(".seamline"))
    check = seamline("check", str(project), run_root=run_root)
    assert check.returncode == 0, check.stderr
    assert "message seams" in check.stdout and "fulfilment -> bus  (via BUS_URL)" in check.stdout
    assert "0 seams, 1 message seams" in check.stdout
    up = seamline("up", "-d", str(project), run_root=run_root)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        row = next(line for line in up.stdout.splitlines() if "fulfilment -> bus" in line)
        assert "127.0.0.1:" in row and "redis://127.0.0.1:" in row
        status = seamline("status", str(project), run_root=run_root)
        assert row in status.stdout.splitlines(), status.stdout  # status shows the seams too
    finally:
        assert seamline("down", str(project), run_root=run_root).returncode == 0
