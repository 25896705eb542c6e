"""What `seamline test` shows around pytest's own output: services coming up with their
readiness times, and a summary at the end. Styled on a terminal, plain text otherwise
(rich drops the styles when the output is not a TTY, or when CI / NO_COLOR is set)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console
from rich.markup import escape
from rich.table import Table

PROGRESS_PLUGIN = "seamline-progress"
# The name under which `seamline test` hands the config it loaded to the pytest plugin (an
# object with a `system_config`), so the process loads it once.
CONFIG_PLUGIN = "seamline-config"


class RunProgress:
    """A pytest plugin registered by `seamline test`."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.outcomes: Counter[str] = Counter()
        self._started = time.monotonic()
        self._system_started: float | None = None
        self.duration = 0.0

    @pytest.hookimpl
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self._capture = session.config.pluginmanager.getplugin("capturemanager")

    def _say(self, text: str) -> None:
        """Print past pytest's output capture (the system starts inside a fixture)."""
        capture = getattr(self, "_capture", None)
        if capture is None:
            self.console.print(text)
            return
        with capture.global_and_fixture_disabled():
            self.console.print(text)

    def system_starting(self, name: str, services: list[str] | None = None) -> None:
        self._system_started = time.monotonic()
        self._say(f"\n[bold]starting {escape(name)}[/] ...")

    def service_ready(self, name: str) -> None:
        since = time.monotonic() - (self._system_started or self._started)
        self._say(f"  [green]✓[/] {escape(name)} ready ({since * 1000:.0f} ms)")

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            outcome: str = "error" if report.when == "setup" and report.failed else report.outcome
            if hasattr(report, "wasxfail"):
                outcome = "xfailed" if report.skipped else "xpassed"
            self.outcomes[outcome] += 1
        elif report.when == "teardown" and report.failed:
            self.outcomes["error"] += 1

    @pytest.hookimpl
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.duration = time.monotonic() - self._started

    def summary(self, verdict: str, report: Path | None, junit: Path | None) -> None:
        """The run at a glance; `verdict` is rich markup (passed, failed, interrupted)."""
        table = Table(title="seamline test", title_justify="left", show_header=False)
        table.add_column(style="bold")
        table.add_column()
        counts = ", ".join(f"{n} {o}" for o, n in sorted(self.outcomes.items())) or "no tests"
        table.add_row("result", verdict)
        table.add_row("tests", counts)
        table.add_row("time", f"{self.duration:.1f} s")
        if report is not None:
            table.add_row("report", escape(str(report)))
        if junit is not None:
            table.add_row("JUnit XML", escape(str(junit)))
        self.console.print(table)
