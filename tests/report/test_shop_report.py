"""The report of a real shop run, with the README's "see a failure" switch on: payments answers
`amount` as a string, the checkout tests fail on the api -> payments contract.

- no card number the suite sent across the seams is in the HTML, report.json or JUnit XML;
- in headless Chromium: expand a failed test, click the violating arrow of its sequence
  diagram, see the body. `SEAMLINE_UPDATE_DOCS=1` writes the screenshot to docs/report.png.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from seamline.browser import CHROMIUM_ARGS
from tests.report.test_browser import CHROMIUM, DOCS

SHOP = Path(__file__).parents[2] / "examples" / "shop"
CARDS = ("4242424242424242", "4000000000000002", "4000000000009995")
FAILED = "test_checkout_charges_the_cart_total_once_and_stores_the_paid_order"


@pytest.fixture(scope="module")
def shop_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shop") / "report"
    # its records apart: other tests run the shop at the same time (under xdist), and the
    # newest record dir in the shop's own .seamline/runs may be theirs
    records = out.parent / "records"
    env = {
        **os.environ,
        "SHOP_PAYMENTS_AMOUNT_AS_STRING": "1",
        "SEAMLINE_RECORD_ROOT": str(records),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "seamline",
            "test",
            str(SHOP),
            "--report-dir",
            str(out),
            "--",
            "-k",
            "checkout_charges or declined_card_fails",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:hypothesispytest",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]  # failed, on purpose
    assert "body.amount: expected integer, found string '39.98'" in done.stdout
    return out


def test_the_shop_report_masks_every_card_number(shop_report: Path):
    """What seamline writes: the page, report.json, and the seam summaries in JUnit's
    <system-out> (the failure texts in junit.xml are pytest's own tracebacks)."""
    junit = ET.parse(shop_report / "junit.xml").getroot()
    written = {
        "index.html": (shop_report / "index.html").read_text(),
        "report.json": (shop_report / "report.json").read_text(),
        "junit system-out": "\n".join(e.text or "" for e in junit.iter("system-out")),
    }
    assert "api -> payments" in written["junit system-out"]
    for name, text in written.items():
        for card in CARDS:
            assert card not in text, f"{card} in {name}"
    # the cards did cross the seams: the raw journal (a record, not a report) has them
    (record_dir,) = (shop_report.parent / "records").iterdir()
    assert any(card in (record_dir / "journal.jsonl").read_text() for card in CARDS)


@pytest.fixture
def page(shop_report: Path) -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        opened = browser.new_page(viewport={"width": 1280, "height": 1600})
        requests: list[str] = []
        opened.on("request", lambda request: requests.append(request.url))
        opened.goto((shop_report / "index.html").as_uri())
        yield opened
        browser.close()
    assert requests == [(shop_report / "index.html").as_uri()]  # the page loads nothing else


def test_a_failed_shop_test_shows_the_broken_exchange_in_its_diagram(page, tmp_path: Path):
    from playwright.sync_api import expect

    checkout = page.locator("li.test", has_text=FAILED)
    checkout.locator("summary").first.click()
    actors = checkout.locator("svg.seq .actor-name").all_text_contents()
    assert actors[:3] == ["test", "api", "payments"]
    charge = checkout.locator("g.arrow.violation").first
    charge.click()
    panel = checkout.locator(".exchange-panel")
    expect(panel).to_contain_text("api -> payments")
    expect(panel).to_contain_text("/amount response 201: expected integer, found string '39.98'")
    expect(panel.locator("pre.body-text").last).to_contain_text('"amount": "39.98"')
    page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
    assert (tmp_path / "report.png").read_bytes().startswith(b"\x89PNG")
    if os.environ.get("SEAMLINE_UPDATE_DOCS"):
        shutil.copy(tmp_path / "report.png", DOCS / "report.png")
