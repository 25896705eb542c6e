"""What the CLI prints is the text it means: no rich markup eaten, help that says where
pytest's arguments go."""

from __future__ import annotations

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
