"""The run report: HTML for people, `report.json` for tools, JUnit and GitHub summaries for CI.

    from seamline.report import build
    paths = build([record_dir], Path("seamline-report"))

See docs/report.md for what the report shows and how to read `report.json`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from seamline.masking import DEFAULT_SECRET_NAMES
from seamline.report.build import DEFAULT_DIR_NAME, build, record_dirs_of, write_report
from seamline.report.github import github_summary, write_github_summary
from seamline.report.junit import JournalTail, attach_seam_summary, junit_text
from seamline.report.model import REPORT_VERSION, build_model, load_records
from seamline.report.options import ReportOptions, ReportPaths
from seamline.report.pytest_support import REPORT_PLUGIN, ReportPlugin


def schema_path() -> Path:
    """The JSON Schema of `report.json` (shipped with the package)."""
    return Path(str(files("seamline.report") / "report.schema.json"))


__all__ = [
    "DEFAULT_DIR_NAME",
    "DEFAULT_SECRET_NAMES",
    "REPORT_PLUGIN",
    "REPORT_VERSION",
    "JournalTail",
    "ReportOptions",
    "ReportPaths",
    "ReportPlugin",
    "attach_seam_summary",
    "build",
    "build_model",
    "github_summary",
    "junit_text",
    "load_records",
    "record_dirs_of",
    "schema_path",
    "write_github_summary",
    "write_report",
]
