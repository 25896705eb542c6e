"""The report of a real shop run holds none of the card numbers the suite sent across the
seams (test -> api, browser -> api, api -> payments), in the HTML, report.json or JUnit XML."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SHOP = Path(__file__).parents[2] / "examples" / "shop"
CARDS = ("4242424242424242", "4000000000000002", "4000000000009995")


def test_the_shop_suites_report_masks_every_card_number(tmp_path, run_root):
    out = tmp_path / "report"
    env = {**os.environ, "SEAMLINE_RUN_ROOT": str(run_root)}
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
            "checkout or declined",
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
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    written = {p.name: p.read_text(errors="replace") for p in out.iterdir() if p.is_file()}
    assert {"index.html", "report.json", "junit.xml"} <= set(written)
    assert (
        "api -&gt; payments" in written["index.html"] or "api -> payments" in written["index.html"]
    )
    for name, text in written.items():
        for card in CARDS:
            assert card not in text, f"{card} in {name}"
    # the cards did cross the seams: the raw journal (not a report) has them
    records = SHOP / ".seamline" / "runs"
    newest = max(records.iterdir(), key=lambda p: p.name)
    assert any(card in (newest / "journal.jsonl").read_text() for card in CARDS)
