"""A browser test without Chromium is skipped on a developer's machine and fails in CI, where a
quiet skip would test nothing (`seamline.browser.require_chromium`)."""

from __future__ import annotations

import pytest

BROWSER_TEST = """
from seamline.browser import require_chromium

CHROMIUM = require_chromium()


def test_in_the_browser():
    pass
"""

FAST = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider", "-p", "no:xdist")


@pytest.fixture
def no_chromium(pytester: pytest.Pytester, monkeypatch, tmp_path) -> pytest.Pytester:
    monkeypatch.setenv("SEAMLINE_CHROMIUM", str(tmp_path / "no-such-chromium"))
    pytester.makepyfile(test_ui=BROWSER_TEST)
    return pytester


def test_without_chromium_a_browser_test_is_skipped_saying_what_to_install(
    no_chromium: pytest.Pytester, monkeypatch
):
    monkeypatch.delenv("CI", raising=False)
    result = no_chromium.runpytest_subprocess("-rs", *FAST)
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*needs Chromium (apt-get install chromium; looked for *"])


def test_without_chromium_in_ci_a_browser_test_fails(no_chromium: pytest.Pytester, monkeypatch):
    monkeypatch.setenv("CI", "true")
    result = no_chromium.runpytest_subprocess(*FAST)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*CI is set, so it fails instead of skipping*"])
