"""Shared helpers for seamline's own tests: write a config, start a System, look at processes."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from seamline.runtime import rundir
from seamline.system.core import System

APPS = Path(__file__).parent / "apps"
APP = f"{sys.executable} {APPS / 'app.py'}"

pytest_plugins = ["pytester"]


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write a seamline.toml (dedented) into a fresh directory and return its path."""

    def write(text: str, name: str = "seamline.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).replace("{APP}", APP))
        return path

    return write


@pytest.fixture
def run_root() -> Iterator[Path]:
    """A private run root, so tests can assert that nothing is left in it.

    Not under pytest's tmp_path: that is private to root (0700) and PostgreSQL,
    which runs as an unprivileged user when the tests run as root, must reach it.
    """
    path = Path(tempfile.mkdtemp(prefix="seamline-test-", dir=rundir.default_run_root().parent))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def start_system(run_root: Path) -> Iterator[Callable[..., System]]:
    """Start a System from a config path; every one started is stopped after the test."""
    started: list[System] = []

    def start(config: Path, **options: object) -> System:
        system = System.from_config(config, run_root=run_root, **options)  # type: ignore[arg-type]
        started.append(system)
        return system.start()

    yield start
    for system in started:
        system.stop(failed=True)


def marked_processes(run_id: str) -> list[int]:
    from seamline.runtime.procs import marked_pids

    return marked_pids(run_id)


def pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


__all__ = ["APP", "APPS", "marked_processes", "os", "pid_alive"]
