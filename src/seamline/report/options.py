"""What a report can be asked to do differently."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from seamline.masking import DEFAULT_SECRET_NAMES

if TYPE_CHECKING:  # the report is read without loading a config (seamline report DIR)
    from seamline.config.model import ReportSpec


@dataclass(frozen=True)
class ReportOptions:
    """How a report is built. The defaults suit a suite of a few thousand tests.

    `secret_names` replaces the default list; to add names keep the defaults:
    `ReportOptions(secret_names=(*DEFAULT_SECRET_NAMES, "ssn"))`.
    """

    title: str | None = None
    secret_names: tuple[str, ...] = DEFAULT_SECRET_NAMES
    # Characters of one body shown (pretty-printed); the full size is always shown.
    body_limit: int = 16_384
    # Log lines shown per test (the first and the last ones when there are more).
    log_lines_per_test: int = 400
    # Characters of one log line.
    log_line_limit: int = 2_000
    # Bytes of per-test detail the report aims to stay under. When a run has
    # more, passed tests are shortened first (bodies, then logs); failed tests
    # keep everything. The page itself adds ~100 kB.
    size_budget: int = 18_000_000
    write_json: bool = True
    # Append a markdown summary to $GITHUB_STEP_SUMMARY when it is set.
    github_summary: bool = True
    # The session was interrupted (Ctrl-C, SIGTERM): the report says the run is partial.
    interrupted: bool = False

    @classmethod
    def from_spec(cls, spec: ReportSpec) -> ReportOptions:
        """The options a system's `[report]` table asks for: `secret_names` replaces the
        default names, `extra_secret_names` adds to them."""
        names = DEFAULT_SECRET_NAMES if spec.secret_names is None else tuple(spec.secret_names)
        return cls(secret_names=(*names, *spec.extra_secret_names))


@dataclass(frozen=True)
class ReportPaths:
    """Where `build` wrote the report."""

    out_dir: Path
    html: Path
    json: Path | None
