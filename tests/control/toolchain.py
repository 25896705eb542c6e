"""The tools the control API's helpers are tested with (Node and its npm packages, a JDK and
JUnit 5), found or the test skipped.

Skipped where a tool is missing (`./dev setup` installs them: Debian's packages as root, the npm
packages into clients/js/node_modules); failed instead when `CI` is set, as the browser tests
are: a test that quietly skips in CI tests nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

CLIENTS = Path(__file__).parents[2] / "clients" / "js"
BIN = CLIENTS / "node_modules" / ".bin"
JARS = Path("/usr/share/java")  # where Debian's junit5 package puts its jars
JUNIT_COMPILE = ("junit-jupiter-api", "apiguardian-api", "opentest4j", "junit-platform-commons")
JUNIT_LAUNCHER = JARS / "junit-platform-console-standalone.jar"


def unavailable(reason: str) -> NoReturn:
    """Skip the test for `reason`, or fail it when CI is set."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{reason}; CI is set, so it fails instead of skipping", pytrace=False)
    pytest.skip(reason)


def require_node(*tools: str) -> list[str]:
    """The path of each of `tools` (npm packages' commands, e.g. "newman"); `node` is needed
    by all of them. Skips the test, or fails it when CI is set, saying what to install."""
    missing = []
    if shutil.which("node") is None:
        missing.append("Node 18+ on PATH (apt-get install nodejs npm)")
    absent = [tool for tool in tools if not (BIN / tool).exists()]
    if absent:
        missing.append(f"{', '.join(absent)} in {BIN} (./dev setup runs npm ci there)")
    if missing:
        unavailable("this test needs " + " and ".join(missing))
    return [str(BIN / tool) for tool in tools]


def require_junit5() -> tuple[list[Path], Path]:
    """The jars to compile JUnit 5 tests against and the console launcher's jar, with `javac`
    on PATH. Skips the test, or fails it when CI is set, saying what to install."""
    classpath = [JARS / f"{name}.jar" for name in JUNIT_COMPILE]
    absent = [str(p) for p in [*classpath, JUNIT_LAUNCHER] if not p.exists()]
    if shutil.which("javac") is None or absent:
        found = "no javac on PATH" if shutil.which("javac") is None else f"missing {absent}"
        unavailable(
            f"this test needs a JDK and Debian's junit5 ({found}): "
            "apt-get install default-jdk-headless junit5, or ./dev setup as root"
        )
    return classpath, JUNIT_LAUNCHER
