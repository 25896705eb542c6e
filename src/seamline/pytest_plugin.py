"""seamline's pytest plugin (entry point `pytest11`): the `system` fixture and options.

The system starts once per session (once per xdist worker, each with its own
ports, data and run dir) and stops when the session ends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from seamline.config import find_config
from seamline.errors import ConfigError
from seamline.system.system import System


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("seamline", "seamline: integration tests of real systems")
    group.addoption(
        "--seamline-config", default=None, help="the system's seamline.toml (or its directory)"
    )
    group.addoption(
        "--seamline-profile", default=None, help="a [profiles.NAME] of the config to apply"
    )
    parser.addini("seamline_config", "the system's seamline.toml, relative to the ini file")
    parser.addini("seamline_profile", "a [profiles.NAME] of the config to apply")


def config_path(config: pytest.Config) -> Path:
    """--seamline-config, else the ini key, else the nearest seamline.toml above the test paths."""
    option = config.getoption("seamline_config")
    if option:
        return find_config(Path(option))
    ini = config.getini("seamline_config")
    if ini:
        base = config.inipath.parent if config.inipath else config.rootpath
        return find_config(base / str(ini))
    starts = [Path(arg.split("::")[0]) for arg in config.args] or [config.rootpath]
    for start in starts:
        directory = start.resolve()
        directory = directory if directory.is_dir() else directory.parent
        for candidate in (directory, *directory.parents):
            if (candidate / "seamline.toml").is_file():
                return candidate / "seamline.toml"
    raise ConfigError([])  # replaced below with a helpful message


def _profile(config: pytest.Config) -> str | None:
    value = config.getoption("seamline_profile") or config.getini("seamline_profile")
    return str(value) if value else os.environ.get("SEAMLINE_PROFILE") or None


@pytest.fixture(scope="session")
def system(pytestconfig: pytest.Config) -> Iterator[System]:
    """The declared system, started for real (once per session, or per xdist worker)."""
    try:
        path = config_path(pytestconfig)
    except ConfigError as err:
        if err.problems:
            raise
        raise pytest.UsageError(
            "seamline: no system config found. Pass --seamline-config=path/to/seamline.toml, "
            "set `seamline_config` in your pytest ini, or put seamline.toml above your tests"
        ) from None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    with System.from_config(path, profile=_profile(pytestconfig), worker=worker) as started:
        yield started
