"""The run report: HTML for people, `report.json` for tools, JUnit and GitHub summaries for CI.

    from seamline.report import build, record_dirs_of
    paths = build(record_dirs_of(Path(".seamline/runs")), Path("seamline-report"))

See docs/report.md for what the report shows and how to read `report.json`. This package
exports what users call; the pytest plugin's hooks and the model's parts are internal.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from seamline.masking import DEFAULT_SECRET_NAMES
from seamline.report.build import build, record_dirs_of
from seamline.report.github import github_summary
from seamline.report.junit import junit_text
from seamline.report.options import ReportOptions, ReportPaths


def schema_path() -> Path:
    """The JSON Schema of `report.json` (shipped with the package)."""
    return Path(str(files("seamline.report") / "report.schema.json"))


__all__ = [
    "DEFAULT_SECRET_NAMES",
    "ReportOptions",
    "ReportPaths",
    "build",
    "github_summary",
    "junit_text",
    "record_dirs_of",
    "schema_path",
]
