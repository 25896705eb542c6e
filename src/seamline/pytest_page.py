"""The `page` fixture: a real browser page (Playwright) opened on a service's `browser_url`.

Every request the page makes crosses a `browser -> NAME` seam, so a test drives the UI and
asserts on (or switches) what the UI called, as Cypress users do:

    def test_checkout(page, system):
        page.get_by_test_id("place-order").click()
        assert system.seam("browser", "api").one("POST", "/orders").status == 201

The page is opened on the one service whose environment hands the browser another
service's address (`API_URL = "{api.browser_url}"`), or on the one named by
`@pytest.mark.page("web", path="/")`. A failed test's page is saved as a screenshot in the
run's record dir, and the report shows it on that test.

Chromium is the system's (`seamline.browser.find_chromium`), else Playwright's own build;
with neither the test is skipped saying how to get one, and fails when `CI` is set.
Registered as a plugin by `seamline.pytest_plugin` (`pytest_configure`); Playwright is
imported only when a test asks for a page.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from seamline.browser import (
    CHROMIUM_ARGS,
    HOW_TO_GET_CHROMIUM,
    HOW_TO_GET_PLAYWRIGHT,
    find_chromium,
    skip_or_fail,
    where_chromium_was_looked_for,
)
from seamline.errors import did_you_mean
from seamline.records.writer import write_screenshot
from seamline.system.core import System

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PAGE_PLUGIN = "seamline-page"
MARKER = "page"
# Long enough for a loaded 2-core CI machine, short enough that a missing element fails the
# test in seconds rather than at Playwright's 30 s default.
DEFAULT_TIMEOUT_MS = 10_000
CALL_FAILED = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(service=None, *, path='/'): the service whose browser_url the `page` fixture "
        "opens, and the path it opens (None: open nothing). Default: the one service whose "
        "environment uses another's {name.browser_url}.",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":  # the page fixture's teardown runs after this: it reads it
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def seamline_browser() -> Iterator[Browser]:
    """The session's headless Chromium (one per xdist worker); each test gets a fresh
    context from it, so cookies and storage never leak from one test into the next."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail(f"the page fixture needs Playwright: {HOW_TO_GET_PLAYWRIGHT}")
    with sync_playwright() as driver:
        chromium = find_chromium() or _playwrights_own_chromium(driver.chromium.executable_path)
        if chromium is None:
            skip_or_fail(
                f"the page fixture needs Chromium; looked for {where_chromium_was_looked_for()} "
                f"and Playwright's own build. Get one: {HOW_TO_GET_CHROMIUM}"
            )
        browser = driver.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def _playwrights_own_chromium(path: str) -> str | None:
    return path if path and Path(path).is_file() else None


@pytest.fixture
def page(request: pytest.FixtureRequest, system: System) -> Iterator[Page]:
    """A new browser page on the chosen service's `browser_url` (its base URL, so
    `page.goto("/cart")` stays on it), opened at the marker's `path` before the test.

    If the test fails, a screenshot of the page goes into the record dir and the report.
    """
    service, path = page_target(request.node, system)
    browser: Browser = request.getfixturevalue("seamline_browser")
    context = browser.new_context(base_url=system.browser_url(service))
    opened = context.new_page()
    opened.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        try:
            if path is not None:
                opened.goto(path)
        except Exception:
            _screenshot(opened, system, request.node.nodeid)
            raise
        yield opened
        if request.node.stash.get(CALL_FAILED, False):
            _screenshot(opened, system, request.node.nodeid)
    finally:
        context.close()


def _screenshot(opened: Page, system: System, test_id: str) -> None:
    # A page that crashed or hangs must not turn the test's own failure into another one.
    with contextlib.suppress(Exception):
        png = opened.screenshot(timeout=5_000)
        write_screenshot(system.record_dir, test_id, png)


def page_target(node: pytest.Item, system: System) -> tuple[str, str | None]:
    """(service, path) for the `page` fixture: from `@pytest.mark.page(...)`, else the
    system's one frontend."""
    marker = node.get_closest_marker(MARKER)
    args: tuple[Any, ...] = marker.args if marker else ()
    kwargs: dict[str, Any] = dict(marker.kwargs) if marker else {}
    path = kwargs.pop("path", "/")
    service = kwargs.pop("service", args[0] if args else None)
    if kwargs or len(args) > 1:
        pytest.fail(
            f"@pytest.mark.{MARKER}: expected (service, path=...), found args {args!r} "
            f"and keywords {sorted(kwargs)}; e.g. @pytest.mark.page('web', path='/')",
            pytrace=False,
        )
    if path is not None and not isinstance(path, str):
        pytest.fail(
            f"@pytest.mark.{MARKER}: expected path to be a string such as '/cart' or None, "
            f"found {path!r}",
            pytrace=False,
        )
    declared = list(system.config.spec.services)
    if service is None:
        return _default_service(system, declared), path
    if service not in declared:
        pytest.fail(
            f"@pytest.mark.{MARKER}({service!r}): no such service in {system.config.path} "
            f"(services: {', '.join(declared)}){did_you_mean(str(service), declared)}",
            pytrace=False,
        )
    return str(service), path


def frontends(system: System) -> list[str]:
    """Services whose environment or command hands the browser another service's address
    (`{api.browser_url}`): the pages a browser opens."""
    # A browser link's variable is "<service>.<key>": the service whose setting made it.
    return sorted(
        {
            link.variable.split(".", 1)[0]
            for link in system.config.links
            if link.consumer == "browser" and "." in link.variable
        }
    )


def _default_service(system: System, declared: list[str]) -> str:
    found = frontends(system)
    if len(found) == 1:
        return found[0]
    which = (
        f"several services use a {{name.browser_url}}: {', '.join(found)}"
        if found
        else "no service's environment uses a {name.browser_url}"
    )
    pytest.fail(
        f"the page fixture does not know which service to open: {which}. Name it with "
        f"@pytest.mark.page('NAME') on the test or module (services: {', '.join(declared)})",
        pytrace=False,
    )
