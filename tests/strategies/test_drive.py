"""`seamline drive`: the recorded requests sent to the real provider alone; drift per seam."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema

from seamline.report import schema_path

TOKEN = "Authorization: Bearer ledger-token-7f3a9c"
CARD = "card=4000-1234"


def drive(
    project: Path, run_root: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SEAMLINE_RUN_ROOT": str(run_root), **env}
    if "--report-dir" not in args:
        args = (*args, "--report-dir", str(project.parent / "report"))
    return subprocess.run(
        [sys.executable, "-m", "seamline", "drive", str(project), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_no_drift_when_the_provider_answers_as_recorded(recorded: Path, run_root: Path):
    out = recorded.parent / "drift.json"
    done = drive(
        recorded,
        run_root,
        "--seam",
        "shop->ledger",
        "--header",
        TOKEN,
        "--secret",
        CARD,
        "--json",
        str(out),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "shop -> ledger: 4 recorded request(s) sent to http://127.0.0.1:" in done.stdout
    assert ", 0 answered otherwise" in done.stdout
    (seam,) = json.loads(out.read_text())
    assert seam["seam"] == "shop -> ledger" and seam["sent"] == 4 and seam["drifted"] == 0
    # no consumer ran: the drive's own run started the ledger alone
    run_json = sorted((recorded.parent / ".seamline" / "runs").glob("*/run.json"))[-1]
    assert list(json.loads(run_json.read_text())["services"]) == ["ledger"]


def test_field_level_differences_and_changed_statuses(recorded: Path, run_root: Path):
    done = drive(
        recorded,
        run_root,
        "--seam",
        "shop->ledger",
        "--header",
        TOKEN,
        "--secret",
        CARD,
        "--report-dir",
        str(recorded.parent / "report"),
        LEDGER_DRIFT="1",
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert ", 4 answered otherwise" in done.stdout
    assert 'body $.amount: changed (recorded 5, now "5")' in done.stdout
    assert "status: 200 recorded, 500 now" in done.stdout
    (seam,) = json.loads((recorded.parent / "report" / "drift.json").read_text())
    first = seam["requests"][0]
    assert first["request"] == "POST /entries" and first["status"] is None
    assert first["fields"] == [
        {"where": "body $.amount", "change": "changed", "recorded": 5, "now": "5"}
    ]  # id and created_at (readOnly, date-time in ledger.yaml) and the headers are noise
    balance = seam["requests"][1]
    assert balance["status"] == [200, 500]
    assert {f["where"]: f["change"] for f in balance["fields"]} == {
        "body $.balance": "removed",
        "body $.error": "added",
    }


def test_the_report_shows_the_drift_of_each_seam(recorded: Path, run_root: Path):
    report_dir = recorded.parent / "report"
    secrets = ("--header", TOKEN, "--secret", CARD)
    done = drive(recorded, run_root, "--seam", "shop->ledger", *secrets, LEDGER_DRIFT="1")
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"report: {report_dir / 'index.html'}" in done.stdout
    report = json.loads((report_dir / "report.json").read_text())
    jsonschema.validate(report, json.loads(schema_path().read_text()))
    (seam,) = report["drift"]
    assert (seam["seam"], seam["sent"], seam["drifted"]) == ("shop -> ledger", 4, 4)
    assert seam["requests"][1]["status"] == [200, 500]
    assert seam["requests"][0]["fields"][0] == {
        "where": "body $.amount",
        "change": "changed",
        "recorded": 5,
        "now": "5",
    }
    page = (report_dir / "index.html").read_text()
    section = page.split('<section id="drift"')[1].split("</section>")[0]
    assert "shop -&gt; ledger" in section and "4 answered otherwise" in section
    assert "200 recorded, 500 now" in section
    cells = '<td>changed</td><td class="mono">5</td><td class="mono">"5"</td>'
    assert f'<td class="mono">body $.amount</td>{cells}' in section
    assert "ledger-token-7f3a9c" not in page + json.dumps(report)  # the header given is masked


def test_masked_credentials_show_as_changed_statuses_with_the_fix(recorded: Path, run_root: Path):
    done = drive(recorded, run_root, "--seam", "shop->ledger")
    assert done.returncode == 1
    assert (
        "status: 201 recorded, 401 now (a credential or field the recording masked?" in done.stdout
    )
    done = drive(recorded, run_root, "--seam", "shop->ledger", "--header", TOKEN)
    assert (
        "status: 201 recorded, 422 now (a credential or field the recording masked?" in done.stdout
    )
    assert "--secret NAME=VALUE" in done.stdout


def test_a_seam_with_no_recording_and_a_bad_seam_argument(recorded: Path, run_root: Path):
    done = drive(recorded, run_root, "--seam", "ledger->shop")
    assert done.returncode == 1
    assert "seam ledger -> shop: no recording: expected " in done.stderr
    assert "(recorded seams: shop -> ledger, test -> shop)" in " ".join(done.stderr.split())
    done = drive(recorded, run_root, "--seam", "shop")
    assert done.returncode == 1
    assert "--seam: expected CONSUMER->PROVIDER (e.g. 'api->payments'), found 'shop'" in done.stderr
