"""`seamline test`: pytest run in the system's directory with the seamline plugin, the config
handed on, the live view, signals that end the session cleanly and the README's exit codes."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from seamline import console as out
from seamline.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, config_of
from seamline.config import SystemConfig

if TYPE_CHECKING:
    from seamline.progress import RunProgress


def cmd_test(args: argparse.Namespace, pytest_args: list[str], steps: object | None = None) -> int:
    """Start the system, run its tests, write the report; exit 1 if anything failed.

    pytest runs in the system's directory, as `cd DIR && pytest ARGS` would: its own
    selection (paths, node ids, -k, -m, the ini's testpaths) means what it means there.
    """
    import pytest

    from seamline.progress import CONFIG_PLUGIN, PROGRESS_PLUGIN

    config = config_of(args)
    if pytest_args[:1] == ["--"]:
        pytest_args = pytest_args[1:]
    report_dir = Path(args.report_dir).resolve()
    junit = report_dir / "junit.xml"
    for stale in (report_dir / "index.html", report_dir / "report.json", junit):
        stale.unlink(missing_ok=True)  # a summary never points at the previous run's report
    argv = [
        f"--seamline-config={config.path}",
        f"--seamline-report={report_dir}",
        f"--junitxml={junit}",
        "-o",
        "junit_logging=system-out",  # where each test's seam summary goes
        # this command imported seamline before pytest could rewrite its asserts (it has none)
        "-W",
        "ignore:Module already imported so cannot be rewritten; seamline",
        *pytest_args,
    ]
    # xdist workers load the config again: with the same profile, whatever the ini says
    argv += ["-o", f"seamline_profile={config.profile or ''}"]
    if getattr(args, "shard", None):  # `record` and `bisect` run the suite whole
        argv.append(f"--seamline-shard={args.shard}")
    if getattr(args, "durations_from", None):
        argv.append(f"--seamline-durations={Path(args.durations_from).resolve()}")
    progress = _progress(plain=args.plain)
    plugins = [_Named(progress, PROGRESS_PLUGIN), _HandedOn(config, CONFIG_PLUGIN)]
    with _in_directory(config.base_dir), _signals_interrupt() as received:
        if steps is not None:  # a strategy's or bisect's steps (strategy_steps.py)
            plugins.append(_Named(steps, "seamline-steps"))
        code = int(pytest.main(argv, plugins=plugins))
    exit_code = _exit_code(code, received)
    html = report_dir / "index.html"
    progress.summary(
        _verdict(exit_code, received),
        html if html.exists() else None,
        junit if junit.exists() else None,
    )
    return exit_code


@contextmanager
def _in_directory(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@contextmanager
def _signals_interrupt() -> Iterator[list[int]]:
    """SIGINT and SIGTERM (what CI sends on cancel) stop pytest as Ctrl-C does, so that the
    session ends properly: the system stopped, the partial report written.

    Only the first signal interrupts: a second one must not cut the teardown short.
    """
    received: list[int] = []

    def interrupt(signum: int, _: object) -> None:
        received.append(signum)
        if len(received) == 1:
            raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _exit_code(pytest_code: int, signals: list[int]) -> int:
    """pytest's exit code as the README's: interrupted is 128 + the signal, bad usage 2."""
    import pytest

    if pytest_code == pytest.ExitCode.OK:
        return EXIT_OK
    if pytest_code == pytest.ExitCode.INTERRUPTED or signals:
        return 128 + (signals[0] if signals else signal.SIGINT)
    if pytest_code == pytest.ExitCode.USAGE_ERROR:
        return EXIT_USAGE
    return EXIT_FAILED


def _verdict(exit_code: int, signals: list[int]) -> str:
    if exit_code == EXIT_OK:
        return "[green]passed[/]"
    if exit_code > 128:
        name = signal.Signals(signals[0]).name if signals else "SIGINT"
        return f"[yellow]interrupted[/] ({name}; exit {exit_code})"
    if exit_code == EXIT_USAGE:
        return f"[red]bad usage[/] (exit {exit_code}: see pytest's message above)"
    return f"[red]failed[/] (exit {exit_code})"


def _progress(plain: bool) -> RunProgress:
    """The live view on a terminal, plain lines off one (a log, a pipe) or in CI."""
    from rich.console import Console

    from seamline.live import LiveProgress
    from seamline.progress import RunProgress

    console = out.console()
    if plain or not console.is_terminal or os.environ.get("CI"):
        return RunProgress(console)
    # The view is redrawn while pytest captures the tests' output (file descriptor 1
    # included): it draws on a copy of the terminal's descriptor, which no capture touches.
    terminal = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", errors="replace")
    return LiveProgress(Console(file=terminal, highlight=False))


class _Named:
    """Registers a plugin object under a name the seamline plugin looks up."""

    def __init__(self, plugin: object, name: str) -> None:
        self.plugin, self.name = plugin, name

    def pytest_configure(self, config: object) -> None:
        config.pluginmanager.register(self.plugin, self.name)  # type: ignore[attr-defined]


class _HandedOn:
    """The config `seamline test` loaded, handed to the pytest plugin so the process loads
    it once. Registered by `pytest.main(plugins=...)` under its `__name__` (pluggy's
    canonical name), so the plugin finds it from its first hook on."""

    def __init__(self, system_config: SystemConfig, name: str) -> None:
        self.system_config = system_config
        self.__name__ = name
