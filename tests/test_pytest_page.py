"""The `page` fixture in real pytest runs (pytester) with a real Chromium: a page opened on
the frontend's browser_url, the `browser -> api` seam asserted and switched behind it, and a
failed test's screenshot in the record dir and the report."""

from __future__ import annotations

import json
import sys

import pytest

from seamline.browser import require_chromium
from seamline.records.layout import SCREENSHOTS, screenshot_name
from tests.conftest import APPS

CHROMIUM = require_chromium()  # skips here without one; fails in CI

from playwright import sync_api  # noqa: E402

PAGE_APP = f"{sys.executable} {APPS / 'page.py'} --port {{self.port}}"
CONFIG = f"""
name = "greeter"
[services.api]
command = "{PAGE_APP}"
ready = "http GET /health"
[services.web]
command = "{PAGE_APP}"
ready = "http GET /health"
env = {{ API_URL = "{{api.browser_url}}" }}
"""

PAGE_TESTS = """
import pytest
from playwright.sync_api import expect
from seamline.mock import get

def test_the_page_shows_what_the_api_said(system, page):
    expect(page.get_by_test_id("greeting")).to_have_text("hello from api")
    assert system.seam("browser", "api").one("GET", "/hello").status == 200
    assert system.seam("browser", "web").one("GET", "/").status == 200

@pytest.mark.page(path=None)
def test_a_stub_behind_the_real_page(system, page, mock):
    mock.stub(get("/hello")).reply(200, body="hello from the stub",
                                   headers={"Access-Control-Allow-Origin": "*"})
    system.seam("browser", "api").use_stub(mock)
    page.goto("/")
    expect(page.get_by_test_id("greeting")).to_have_text("hello from the stub")
    assert system.seam("browser", "api").one("GET", "/hello").response.body.text == (
        "hello from the stub"
    )

@pytest.mark.seams({"browser -> api": {"status": 503}})
def test_the_page_breaks_with_the_api_failing(system, page):
    expect(page.get_by_test_id("greeting")).to_contain_text("failed:")
    assert system.seam("browser", "api").one("GET", "/hello").status == 503
    assert page.title() == "the title this test wrongly expects"
"""

FAST = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider", "-p", "no:xdist")
FAILED = "test_page_tests.py::test_the_page_breaks_with_the_api_failing"


@pytest.fixture
def project(pytester: pytest.Pytester, run_root, monkeypatch) -> pytest.Pytester:
    monkeypatch.setenv("SEAMLINE_RUN_ROOT", str(run_root))
    (pytester.path / "seamline.toml").write_text(CONFIG)
    return pytester


def test_page_tests_pass_fail_and_the_failure_s_screenshot_is_in_the_report(
    project: pytest.Pytester, tmp_path
):
    project.makepyfile(test_page_tests=PAGE_TESTS)
    report = tmp_path / "report"
    result = project.runpytest_subprocess(f"--seamline-report={report}", *FAST)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*the title this test wrongly expects*"])

    records = project.path / ".seamline" / "runs"
    shots = sorted(records.glob(f"*/{SCREENSHOTS}/*.png"))
    assert [shot.name for shot in shots] == [screenshot_name(FAILED)]  # the failed test's only
    assert shots[0].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    tests = {t["id"]: t for t in json.loads((report / "report.json").read_text())["tests"]}
    assert tests[FAILED]["screenshot"].startswith("data:image/png;base64,iVBORw0KGgo")
    passed = [t for t in tests.values() if t["outcome"] == "passed"]
    assert len(passed) == 2 and all(t["screenshot"] is None for t in passed)
    _the_report_shows_the_screenshot_on_the_failed_test(report / "index.html")


def _the_report_shows_the_screenshot_on_the_failed_test(html) -> None:
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            opened = browser.new_page()
            opened.goto(html.as_uri())
            failed = opened.locator("li.test", has_text="test_the_page_breaks_with_the_api_failing")
            failed.locator("summary").first.click()
            shot = failed.locator("img.screenshot")
            sync_api.expect(shot).to_be_visible()
            assert shot.evaluate("img => img.naturalWidth") > 0  # a PNG the browser decoded
        finally:
            browser.close()


@pytest.mark.parametrize(
    ("marker", "config", "expected"),
    [
        pytest.param(
            "@pytest.mark.page('wbe')",
            CONFIG,
            "*@pytest.mark.page('wbe'): no such service in *services: api, web*did you mean 'web'?",
            id="unknown-service",
        ),
        pytest.param(
            "",
            CONFIG.replace('env = { API_URL = "{api.browser_url}" }', ""),
            "*does not know which service to open: no service's environment uses a "
            "{name.browser_url}. Name it with @pytest.mark.page('NAME')*",
            id="no-frontend",
        ),
    ],
)
def test_a_page_it_cannot_choose_fails_the_test_saying_how_to_name_one(
    project: pytest.Pytester, marker, config, expected
):
    (project.path / "seamline.toml").write_text(config)
    project.makepyfile(test_choice=f"import pytest\n\n{marker}\ndef test_it(page):\n    pass\n")
    result = project.runpytest_subprocess(*FAST)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([expected])


def test_without_any_chromium_the_page_fixture_fails_in_ci_saying_how_to_get_one(
    project: pytest.Pytester, monkeypatch, tmp_path
):
    monkeypatch.setenv("SEAMLINE_CHROMIUM", str(tmp_path / "no-such-chromium"))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "no-playwright-browsers"))
    monkeypatch.setenv("CI", "true")
    project.makepyfile(test_ui="def test_it(page):\n    pass\n")
    result = project.runpytest_subprocess(*FAST)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*the page fixture needs Chromium; looked for *no-such-chromium and Playwright's "
            "own build. Get one: apt-get install chromium*python -m playwright install "
            "chromium*CI is set, so it fails instead of skipping*"
        ]
    )
