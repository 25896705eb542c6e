"""`build`: from a run's record dir(s) to `seamline-report/index.html` and `report.json`."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from seamline.records.layout import is_record_dir, session_of
from seamline.report.github import write_github_summary
from seamline.report.html import render_html
from seamline.report.model import build_model, load_records
from seamline.report.options import ReportOptions, ReportPaths


def build(
    record_dirs: Sequence[Path],
    out_dir: Path,
    *,
    options: ReportOptions | None = None,
    environ: Mapping[str, str] | None = None,
) -> ReportPaths:
    """Write the report of the run recorded in `record_dirs` (one per xdist worker) to `out_dir`.

    Works on a finished run and on one that was killed (tests without an end
    are shown as unfinished). Appends a summary to `$GITHUB_STEP_SUMMARY` when
    that is set (see `ReportOptions.github_summary`).
    """
    options = options or ReportOptions()
    model = build_model(load_records(list(record_dirs), options), options)
    paths = write_report(model, out_dir, options)
    environ = os.environ if environ is None else environ
    if options.github_summary and environ.get("GITHUB_STEP_SUMMARY"):
        write_github_summary(model, paths.html, Path(environ["GITHUB_STEP_SUMMARY"]))
    return paths


def write_report(model: dict[str, Any], out_dir: Path, options: ReportOptions) -> ReportPaths:
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / "index.html"
    _write_atomically(html_path, render_html(model))
    json_path = None
    if options.write_json:
        json_path = out_dir / "report.json"
        # compact: a big run's report.json is tens of MB, and the C encoder is 10x faster
        compact = json.dumps(model, ensure_ascii=False, separators=(",", ":"))
        _write_atomically(json_path, compact)
    return ReportPaths(out_dir=out_dir, html=html_path, json=json_path)


def record_dirs_of(path: Path) -> list[Path]:
    """The record dirs `seamline report PATH` means.

    PATH may be one record dir (it holds run.json, tests.jsonl or logs/), or a
    directory of record dirs (`.seamline/runs/`), in which case the newest one
    is meant, together with the other workers' dirs of the same session when
    run.json says which session it belongs to (the `session` field).
    """
    if is_record_dir(path):
        return [path]
    candidates = sorted((p for p in path.iterdir() if is_record_dir(p)), key=lambda p: p.name)
    if not candidates:
        raise FileNotFoundError(
            f"no seamline record dir in {path}: expected a run's record dir "
            "(.seamline/runs/<run-id>/, holding run.json) or the runs directory itself"
        )
    newest = candidates[-1]
    session = session_of(newest)
    if session is None:
        return [newest]
    return [p for p in candidates if session_of(p) == session]


def _write_atomically(path: Path, text: str) -> None:
    # A report being rewritten (seamline report on a live run) is never seen half-written.
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
