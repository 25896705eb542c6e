"""The report at the end of a pytest session, with or without pytest-xdist.

The seamline pytest plugin wires it with two calls:

    # pytest_configure
    config.pluginmanager.register(ReportPlugin(config, out_dir), REPORT_PLUGIN)
    # once the session's System has started (in each xdist worker)
    config.pluginmanager.get_plugin(REPORT_PLUGIN).add_record_dir(system.record_dir)

Each xdist worker has its own record dir; workers send theirs to the
controller (`workeroutput`), which builds one report of them all after the
last worker is done. At the end of each test, the worker adds the test's seam
summary to its report for JUnit XML's `<system-out>`.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from seamline.records.lines import DbChangeLine, ExchangeLine
from seamline.report.build import build
from seamline.report.junit import JournalTail, attach_seam_summary, junit_text
from seamline.report.options import ReportOptions, ReportPaths

REPORT_PLUGIN = "seamline-report"
WORKER_OUTPUT_KEY = "seamline_record_dirs"


class ReportPlugin:
    """Collects the session's record dirs and writes the report when the session ends."""

    def __init__(
        self, config: pytest.Config, out_dir: Path, options: ReportOptions | None = None
    ) -> None:
        self.config = config
        self.out_dir = out_dir
        self.options = options or ReportOptions()
        self.record_dirs: list[Path] = []
        self.paths: ReportPaths | None = None
        self.error: str | None = None
        self._tails: list[JournalTail] = []

    @property
    def is_xdist_worker(self) -> bool:
        return hasattr(self.config, "workeroutput")

    def add_record_dir(self, record_dir: Path) -> None:
        if record_dir in self.record_dirs:
            return
        self.record_dirs.append(record_dir)
        self._tails.append(JournalTail(record_dir))
        if self.is_xdist_worker:
            output: dict[str, Any] = self.config.workeroutput  # type: ignore[attr-defined]
            output[WORKER_OUTPUT_KEY] = [str(path) for path in self.record_dirs]

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """xdist (controller): a worker is done; take its record dirs."""
        for path in getattr(node, "workeroutput", {}).get(WORKER_OUTPUT_KEY, []):
            if Path(path) not in self.record_dirs:
                self.record_dirs.append(Path(path))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.when == "teardown" and self._tails:
            exchanges: list[ExchangeLine] = []
            changes: list[DbChangeLine] = []
            for tail in self._tails:
                more_exchanges, more_changes = tail.take(item.nodeid)
                exchanges += more_exchanges
                changes += more_changes
            attach_seam_summary(report, junit_text(exchanges, changes, options=self.options))
        return report

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # trylast: after the seamline plugin stopped the System, so run.json is final.
        if self.is_xdist_worker or not self.record_dirs:
            return
        options = self.options
        if session.exitstatus == pytest.ExitCode.INTERRUPTED:
            options = replace(options, interrupted=True)
        try:
            self.paths = build(self.record_dirs, self.out_dir, options=options)
        except Exception as err:
            # The tests' outcome matters more than the report: say what went wrong and
            # keep the session's result (and its records, which `seamline report` re-reads).
            self.error = (
                f"seamline: the report could not be written ({type(err).__name__}: {err}); "
                f"the records are in {', '.join(map(str, self.record_dirs))}"
            )

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.paths is not None:
            terminalreporter.write_line(f"seamline report: {self.paths.html}")
        elif self.error is not None:
            terminalreporter.write_line(self.error, red=True)
