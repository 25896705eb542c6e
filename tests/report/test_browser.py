"""The HTML report in a real browser (headless Chromium through Playwright).

Open the report of the shop records, expand a failed test, click an arrow of
its sequence diagram, see the exchange's headers and body. Also: the page
makes no request, runs no recorded script, and its filters and search work.

`SEAMLINE_UPDATE_DOCS=1` also writes the screenshot to docs/report.png.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from seamline.browser import CHROMIUM_ARGS, require_chromium
from seamline.report import build
from tests.report.message_records import write_message_run
from tests.report.shop_records import INJECTION, write_shop_run

CHROMIUM = require_chromium()  # skips here without one; fails in CI

from playwright import sync_api  # noqa: E402

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        yield launched
        launched.close()


@pytest.fixture
def page(browser, tmp_path) -> Iterator[sync_api.Page]:
    """The shop report, open; fails the test if the page requests anything or misbehaves."""
    report = build([write_shop_run(tmp_path / "runs").path], tmp_path / "out", environ={})
    opened = browser.new_page(viewport={"width": 1280, "height": 1500})
    requests: list[str] = []
    problems: list[str] = []
    opened.on("request", lambda request: requests.append(request.url))
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    opened.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
    opened.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    opened.goto(report.html.as_uri())
    yield opened
    opened.close()
    assert requests == [report.html.as_uri()]
    assert problems == []


def failed_test(page: sync_api.Page) -> sync_api.Locator:
    return page.locator("li.test", has_text="test_checkout_stores_the_order")


def test_expand_a_failed_test_click_an_arrow_and_see_the_body(page, tmp_path):
    checkout = failed_test(page)
    checkout.locator("summary").first.click()
    arrows = checkout.locator("svg.seq g.arrow")
    # the diagram is drawn when the test is opened: wait for it, not for a fixed time
    sync_api.expect(arrows).to_have_count(4)
    assert checkout.locator("svg.seq .actor-name").all_text_contents() == [
        "test",
        "api",
        "payments",
    ]
    charge = checkout.locator("g.arrow.request.violation")
    assert "POST /charges" in charge.text_content()
    charge.click()
    panel = checkout.locator(".exchange-panel")
    sync_api.expect(panel).to_contain_text("POST /charges HTTP/1.1")
    sync_api.expect(panel.locator("pre.body-text").first).to_contain_text('"amount": 3998')
    sync_api.expect(panel.locator("pre.body-text").first).to_contain_text('"cvv": "[masked]"')
    sync_api.expect(panel).to_contain_text("X-Api-Key[masked]")
    sync_api.expect(panel).to_contain_text("/amount response 201: expected integer, found '39.98'")
    assert charge.get_attribute("class").split().count("selected") == 1
    page.set_viewport_size({"width": 1280, "height": 1720})  # down to the bodies, for the docs
    page.screenshot(path=str(tmp_path / "report.png"))
    assert (tmp_path / "report.png").read_bytes().startswith(b"\x89PNG")
    if os.environ.get("SEAMLINE_UPDATE_DOCS"):
        shutil.copy(tmp_path / "report.png", DOCS / "report.png")


def test_a_recorded_script_in_a_body_shows_as_text_and_never_runs(page):
    checkout = failed_test(page)
    checkout.locator("summary").first.click()
    checkout.locator("g.arrow.response").last.click()  # api's answer to the test
    body = checkout.locator(".exchange-panel pre.body-text").last
    assert INJECTION.replace('"', '\\"') in body.text_content()
    assert page.locator("img").count() == 0  # and the page fixture saw no alert dialog


def test_failed_only_service_and_seam_filters_and_search(page):
    visible = page.locator("li.test:visible")
    assert visible.count() == 9
    page.check("#f-failed")
    assert [n.split("::")[-1] for n in visible.locator(".name").all_text_contents()] == [
        "test_checkout_stores_the_order",
        "test_payment_service_down",
    ]
    sync_api.expect(page.locator("#f-count")).to_have_text("2 of 9 shown")
    page.uncheck("#f-failed")
    page.select_option("#f-seam", "api -> payments")
    assert visible.count() == 4  # checkout, declined card, service down, timeout
    page.select_option("#f-seam", "")
    page.select_option("#f-service", "payments")
    assert visible.count() == 4
    page.select_option("#f-service", "")
    page.fill("#f-search", "ch_1")  # in the payments response and in a payments log line
    sync_api.expect(page.locator("#f-count")).to_have_text("1 of 9 shown")
    assert "test_checkout_stores_the_order" in visible.locator(".name").text_content()
    page.fill("#f-search", "<visa>")
    sync_api.expect(page.locator("#f-count")).to_have_text("1 of 9 shown")


def test_the_timeline_shows_logs_and_exchanges_and_a_link_opens_a_failure(page):
    page.click("#summary .failures a:has-text('test_payment_service_down')")
    down = page.locator("li.test", has_text="test_payment_service_down")
    assert down.locator("details").first.get_attribute("open") is not None
    rows = down.locator("table.timeline tr")
    assert [row.locator("td.source").text_content() for row in rows.all()] == [
        "test -> api",
        "api -> payments",
        "api",
    ]
    sync_api.expect(rows.nth(2)).to_contain_text("Connection refused")
    rows.nth(1).click()
    sync_api.expect(down.locator(".exchange-panel")).to_contain_text("no response: refused")


def test_messages_cross_the_diagram_and_the_timeline_and_open_on_a_click(browser, tmp_path):
    report = build([write_message_run(tmp_path / "runs").path], tmp_path / "out", environ={})
    opened = browser.new_page(viewport={"width": 1280, "height": 1500})
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    opened.goto(report.html.as_uri())
    shipped = opened.locator("li.test", has_text="test_a_paid_order_is_shipped")
    sync_api.expect(shipped.locator(".counts")).to_contain_text("3 messages")
    shipped.locator("summary").first.click()
    sync_api.expect(shipped.locator("svg.seq g.arrow")).to_have_count(7)
    assert shipped.locator("svg.seq .actor-name").all_text_contents() == [
        "test",
        "api",
        "payments",
        "bus",
        "fulfilment",
    ]
    messages = shipped.locator("svg.seq g.arrow.message")
    assert [m.get_attribute("aria-label") for m in messages.all()] == [
        "api -> bus published: ✉ celery: shop.tasks.ship(order_id=7)",
        "api -> bus published: ✉ order.paid",
        "fulfilment -> bus delivered: ✉ order.paid",
    ]
    shipped.locator("g.arrow.message.violation").click()
    panel = shipped.locator(".exchange-panel")
    sync_api.expect(panel).to_contain_text("fulfilment -> bus")
    sync_api.expect(panel.locator("pre.body-text")).to_contain_text('"order_id": "7"')
    sync_api.expect(panel.locator("ul.violations")).to_contain_text("expected integer")
    rows = shipped.locator("table.timeline tr.message")
    sync_api.expect(rows).to_have_count(3)
    rows.nth(0).click()
    sync_api.expect(panel).to_contain_text("Celery task shop.tasks.ship(order_id=7)")
    shipped.locator("section.part:has-text('Contract violations') tr.clickable").click()
    sync_api.expect(shipped.locator("g.arrow.message.selected")).to_have_count(1)
    opened.close()
    assert problems == []
