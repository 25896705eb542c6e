"""The live view of `seamline test` on a terminal: the services coming up, each with its
readiness time, and the tests progressing, redrawn in place with rich's Live.

pytest's own progress lines are held back while the view runs (pytest's header, dots and
xdist chatter); everything it prints at the end — failures with their tracebacks, warnings,
the short summary — comes out as usual once the view has stopped. Failed tests are named
above the view as they happen. Off a terminal, or in CI, `RunProgress` prints plain lines.
"""

from __future__ import annotations

import io
import time
from collections.abc import Generator
from typing import Any

import pytest
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from seamline.progress import RunProgress

MARKS = {"passed": "[green]✓", "failed": "[red]✗", "error": "[red]E", "skipped": "[yellow]↷"}


class LiveProgress(RunProgress):
    """`RunProgress` drawn as a live view; falls back to its plain lines if pytest's
    terminal writer is not where this expects it (a pytest that changed its internals)."""

    def __init__(self, console: Console) -> None:
        super().__init__(console)
        self._services: dict[str, float | None] = {}  # name -> ready after (s), None: starting
        self._system: str | None = None
        self._current = ""
        self._bar = Progress(
            TextColumn("tests"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=console,
        )
        self._task = self._bar.add_task("tests", total=None, counts="")
        self._live = Live(console=console, get_renderable=self._render, refresh_per_second=8)
        self._muted: tuple[Any, Any] | None = None  # (pytest's terminal writer, its own file)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        super().pytest_sessionstart(session)
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        writer = getattr(reporter, "_tw", None)
        if writer is None or not hasattr(writer, "_file"):
            return  # plain lines, then
        self._muted = (writer, writer._file)
        writer._file = io.StringIO()
        self._live.start()

    def system_starting(self, name: str, services: list[str] | None = None) -> None:
        if self._muted is None:
            super().system_starting(name, services)
            return
        self._system_started = time.monotonic()
        self._system = name
        self._services = dict.fromkeys(services or [])

    def service_ready(self, name: str) -> None:
        if self._muted is None:
            super().service_ready(name)
            return
        self._services[name] = time.monotonic() - (self._system_started or self._started)

    @pytest.hookimpl
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if session.items:
            self._bar.update(self._task, total=len(session.items))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: object, ids: list[str]) -> None:
        self._bar.update(self._task, total=len(ids))  # the controller collects nothing itself

    @pytest.hookimpl
    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self._current = nodeid

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        super().pytest_runtest_logreport(report)
        if report.failed and self._muted is not None:
            when = "" if report.when == "call" else f" (in {report.when})"
            crash = getattr(report.longrepr, "reprcrash", None)
            message = getattr(crash, "message", "").splitlines()[:1]
            line = Text.assemble(("✗ ", "red"), (report.nodeid, "bold"), when)
            if message:
                line.append(f"  {message[0][:160]}", style="dim")
            self._live.console.print(line)
        if report.when == "teardown":
            self._bar.update(self._task, advance=1, counts=self._counts())

    def _counts(self) -> str:
        shown = [f"{MARKS[o]} {n}[/]" for o, n in self.outcomes.items() if o in MARKS]
        others = sum(n for o, n in self.outcomes.items() if o not in MARKS)
        return "  ".join(shown + ([f"{others} other"] if others else []))

    @pytest.hookimpl(wrapper=True, tryfirst=True, specname="pytest_sessionfinish")
    def pytest_sessionfinish_stops_the_view(self) -> Generator[None, object, object]:
        self.stop()  # pytest's terminal summary is printed on the way out of this hook
        return (yield)

    @pytest.hookimpl
    def pytest_unconfigure(self) -> None:
        self.stop()  # an internal error or Ctrl-C before the session finished

    def stop(self) -> None:
        if self._muted is None:
            return
        self._current = ""
        self._live.stop()
        writer, file = self._muted
        writer._file = file
        self._muted = None

    def _render(self) -> RenderableType:
        parts: list[RenderableType] = []
        if self._system is not None:
            parts.append(self._services_table())
        parts.append(self._bar)
        if self._current:
            parts.append(Text(f"  {self._current}", style="dim", overflow="ellipsis", no_wrap=True))
        return Group(*parts)

    def _services_table(self) -> Table:
        waiting = sum(ready is None for ready in self._services.values())
        title = f"starting {self._system}" if waiting else f"{self._system} is up"
        table = Table.grid(padding=(0, 2))
        table.title, table.title_justify, table.title_style = Text(title), "left", "bold"
        for name, ready in list(self._services.items()):  # redrawn from Live's thread
            if ready is None:
                table.add_row(Spinner("dots", style="cyan"), name, Text("starting", style="dim"))
            else:
                table.add_row(Text("✓", style="green"), name, f"ready ({ready * 1000:.0f} ms)")
        return table
