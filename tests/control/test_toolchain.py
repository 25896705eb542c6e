"""tests/control/toolchain.py: a missing JDK, JUnit or Node skips a test, but fails it in CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.control import toolchain


@pytest.mark.parametrize("ci", ["", "0", "false"])
def test_a_missing_junit5_skips_the_test_outside_ci(monkeypatch, ci):
    monkeypatch.setattr(toolchain, "JUNIT_LAUNCHER", Path("/nowhere/launcher.jar"))
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="apt-get install default-jdk-headless junit5"):
        toolchain.require_junit5()


def test_a_missing_junit5_fails_the_test_in_ci(monkeypatch):
    monkeypatch.setattr(toolchain, "JUNIT_LAUNCHER", Path("/nowhere/launcher.jar"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"nowhere/launcher.jar.*CI is set"):
        toolchain.require_junit5()


def test_a_missing_npm_package_fails_the_test_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match=r"no-such-runner in .*npm ci"):
        toolchain.require_node("no-such-runner")
