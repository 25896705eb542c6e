"""The report's Drift section: what `seamline drive` wrote into the run's records, masked."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from seamline.records.layout import DRIFT
from seamline.report import build, schema_path
from tests.report.shop_records import write_shop_run

TOKEN = "tok_live_51Hx9"


def drift_of_payments() -> list[dict[str, object]]:
    fields = [
        {"where": "body $.amount", "change": "changed", "recorded": 3998, "now": "39.98"},
        {"where": "body $.api_token", "change": "changed", "recorded": "[masked]", "now": TOKEN},
        {"where": "header authorization", "change": "added", "recorded": None, "now": TOKEN},
    ]
    requests = [
        {"mapping": "charges-1.json", "request": "POST /charges", "status": None, "fields": fields},
        {"mapping": "charges-2.json", "request": "GET /charges/7", "status": [200, 404]},
        {"mapping": "refunds-1.json", "request": "POST /refunds", "status": None, "fields": []},
    ]
    for request in requests:
        request.setdefault("fields", [])
        request["error"] = None
    return [
        {
            "seam": "api -> payments",
            "provider_url": "http://127.0.0.1:9002",
            "sent": 3,
            "drifted": 2,
            "skipped": [],
            "requests": requests,
        }
    ]


def test_the_drift_section_shows_field_differences_and_statuses_with_secrets_masked(
    tmp_path: Path,
) -> None:
    run = write_shop_run(tmp_path / "runs")
    (run.path / DRIFT).write_text(json.dumps(drift_of_payments()))
    paths = build([run.path], tmp_path / "out", environ={})
    assert paths.json is not None
    report = json.loads(paths.json.read_text())
    jsonschema.validate(report, json.loads(schema_path().read_text()))
    fields = report["drift"][0]["requests"][0]["fields"]
    assert fields[0] == {
        "where": "body $.amount",
        "change": "changed",
        "recorded": 3998,
        "now": "39.98",
    }
    assert [field["now"] for field in fields[1:]] == ["[masked]", "[masked]"]
    page = paths.html.read_text()
    section = page.split('<section id="drift"')[1].split("</section>")[0]
    assert "api -&gt; payments" in section and "2 answered otherwise" in section
    assert "200 recorded, 404 now" in section and "GET /charges/7" in section
    assert "POST /refunds" not in section  # answered as recorded
    assert TOKEN not in page + paths.json.read_text()


def test_a_run_without_drivers_has_no_drift_section(tmp_path: Path) -> None:
    run = write_shop_run(tmp_path / "runs")
    paths = build([run.path], tmp_path / "out", environ={})
    assert paths.json is not None
    assert json.loads(paths.json.read_text())["drift"] is None
    assert '<section id="drift"' not in paths.html.read_text()
