"""The report's data: what `report.json` holds and what the HTML page shows.

Built from one or more record dirs (one per xdist worker), merged into one run.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seamline.masking import Masker
from seamline.records.layout import DRIFT, STRATEGY
from seamline.records.reader import RecordDir, read_record_dir
from seamline.report.assemble import group_by_test
from seamline.report.budget import fit_budget
from seamline.report.options import ReportOptions
from seamline.report.summary import seams, services, summarize
from seamline.report.testview import test_view
from seamline.report.views import masker_for
from seamline.version import __version__

REPORT_VERSION = 1
SCHEMA_ID = "https://seamline.dev/schemas/report-v1.json"


def load_records(record_dirs: list[Path], options: ReportOptions) -> list[RecordDir]:
    if not record_dirs:
        raise ValueError("no record dirs given: pass the run's record dir(s) (.seamline/runs/ID)")
    return [read_record_dir(Path(path), options.log_line_limit) for path in record_dirs]


def build_model(records: list[RecordDir], options: ReportOptions) -> dict[str, Any]:
    """The whole report as plain JSON-ready data (see report.schema.json)."""
    groups = [test for record in records for test in group_by_test(record)]
    masker = masker_for(
        [x for r in records for x in r.exchanges],
        [c for r in records for c in r.db_changes],
        [m for r in records for m in r.messages],
        options.secret_names,
    )
    tests = [test_view(group, masker, options) for group in groups]
    # Tests of all workers in the order they started; session entries last.
    tests.sort(key=lambda t: (t["outcome"] == "session", t["started"] or "~"))
    # counted before the budget leaves details out: the figures are the whole run's
    summary, seam_figures = summarize(tests, records), seams(records, tests)
    detail_bytes = fit_budget(tests, options.size_budget)
    problems = [f"{r.path.name}: {problem}" for r in records for problem in r.problems]
    if options.interrupted:
        problems.append(
            "the run was interrupted (Ctrl-C or SIGTERM): the tests that had not run yet are "
            "missing from this report"
        )
    if any(not r.run.get("ended") for r in records):
        problems.append(
            "the run did not finish (no end time in run.json): it was killed or is still "
            "running; tests without an outcome are shown as unfinished"
        )
    return {
        "$schema": SCHEMA_ID,
        "report_version": REPORT_VERSION,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "seamline": __version__,
        "title": options.title or _title(records),
        "runs": [_run_view(record, masker) for record in records],
        "summary": {**summary, "detail_bytes": detail_bytes},
        "services": services(records, masker),
        "seams": seam_figures,
        "secret_names": list(options.secret_names),
        "problems": problems,
        "tests": tests,
        "strategy": _loaded(records, STRATEGY),
        "drift": _drift(_loaded(records, DRIFT), masker),
    }


def _loaded(records: list[RecordDir], name: str) -> Any:
    """The JSON file `name` of the first record dir holding it (strategy.json from
    strategies/matrix.py, drift.json from strategies/drive.py), or None."""
    for record in records:
        path = record.path / name
        if path.is_file():
            try:
                return json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                return None  # cut short by a killed run: the report goes on without it
    return None


def _drift(seams: Any, masker: Masker) -> list[dict[str, Any]] | None:
    """Each driven seam's drift, its values masked like the exchanges' (a field named like a
    secret by its last key, a known secret value anywhere)."""
    if not isinstance(seams, list):
        return None
    for seam in seams:
        for request in seam.get("requests", []):
            for field in request.get("fields", []):
                field["recorded"] = _masked(masker, str(field["where"]), field["recorded"])
                field["now"] = _masked(masker, str(field["where"]), field["now"])
            if request.get("error"):
                request["error"] = masker.text(str(request["error"]))
    return seams


def _masked(masker: Masker, where: str, value: Any) -> Any:
    """`where` is "header NAME" or "body $.path.to[0].key" (strategies/drive.py FieldJson)."""
    kind, _, path = where.partition(" ")
    if kind == "header":
        return masker.header(path, value) if isinstance(value, str) else value
    key = re.sub(r"\[\d+\]$", "", path.rsplit(".", 1)[-1])
    return masker.json(value, masker.names.matches(key))


def _title(records: list[RecordDir]) -> str:
    systems = sorted({str(r.run.get("system")) for r in records if r.run.get("system")})
    return f"seamline report: {', '.join(systems)}" if systems else "seamline report"


def _run_view(record: RecordDir, masker: Masker) -> dict[str, Any]:
    run = record.run
    return {
        "run_id": record.run_id,
        "worker": record.worker,
        "system": run.get("system"),
        "config": masker.text(str(run.get("config") or "")),
        "profile": run.get("profile"),
        "started": run.get("started") or None,
        "ended": run.get("ended") or None,
        "seamline": run.get("seamline"),
        "record_dir": str(record.path),
    }
