"""`seamline run PATH -- COMMAND ...`: start the system, run any command against it, stop.

The command inherits this process's terminal (its output streams live) and an environment
that names every service (`environment()`); its exit code is the run's. SIGINT and SIGTERM
go on to the command's process group; the system is stopped whatever happens.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from seamline.config import SystemConfig
from seamline.config.templates import argument_refs, render_argument
from seamline.control.junit import JUnitError, default_files, read_cases
from seamline.control.server import ControlServer
from seamline.errors import ConfigError, ConfigProblem, SeamlineError
from seamline.runtime.procs import RUN_MARKER, ProcessTracker
from seamline.services.base import service_base_env
from seamline.system.core import System
from seamline.system.harness import Harness

EXIT_USAGE, EXIT_NOT_FOUND, EXIT_NOT_EXECUTABLE = 2, 127, 126
GRACE_S = 5.0  # how long the command's group gets after SIGTERM before SIGKILL


@dataclass
class RunOptions:
    """What `seamline run` was asked: the command, where the report goes, the JUnit file."""

    command: list[str]
    report_dir: Path
    junit: Path | None = None
    say: Callable[[str], None] = field(default=lambda line: print(line, file=sys.stderr))


def env_name(service: str) -> str:
    """`payments-v2` -> `PAYMENTS_V2`: the service's part of `SEAMLINE_<SERVICE>_URL`."""
    return re.sub(r"[^A-Za-z0-9]", "_", service).upper()


def service_values(system: System) -> dict[str, dict[str, str]]:
    """Each service's template attributes as a test sees them: `url` is the test's seam."""
    values: dict[str, dict[str, str]] = {}
    for name in system.config.spec.services:
        attributes = dict(system.service(name).attributes())
        url = _test_url(system, name)
        if url is not None:
            attributes["url"] = url
        values[name] = attributes
    return values


def _test_url(system: System, name: str) -> str | None:
    try:
        return system.url(name)
    except SeamlineError:  # a service without an address (a plain worker process)
        return None


def environment(system: System, control_url: str) -> dict[str, str]:
    """`SEAMLINE_<SERVICE>_URL` / `_HOST` / `_PORT` for every service with an address (the
    URL a pytest test gets from `system.url(name)`), `SEAMLINE_CONTROL_URL`,
    `SEAMLINE_RECORD_DIR` and `SEAMLINE_SYSTEM`."""
    env = {
        "SEAMLINE_CONTROL_URL": control_url,
        "SEAMLINE_RECORD_DIR": str(system.record_dir),
        "SEAMLINE_SYSTEM": system.config.name,
    }
    for name in system.config.spec.services:
        url = _test_url(system, name)
        if url is None:
            continue
        prefix = f"SEAMLINE_{env_name(name)}"
        env[f"{prefix}_URL"] = url
        parts = urlsplit(url)
        if parts.hostname:
            env[f"{prefix}_HOST"] = parts.hostname
        if parts.port:
            env[f"{prefix}_PORT"] = str(parts.port)
    return env


def check_templates(config: SystemConfig, command: list[str]) -> None:
    """A `{name.attr}` in the command naming no service (or no attribute of it) fails
    before anything starts, with every such problem listed."""
    problems: list[ConfigProblem] = []
    services = config.spec.services
    for position, argument in enumerate(command):
        for ref in argument_refs(argument):
            if not ref.service or ref.service == "self":
                continue
            if ref.service not in services:
                problems.append(
                    ConfigProblem(
                        f"command argument {position}",
                        f"{{service.attr}} naming a service ({', '.join(services)})",
                        str(ref),
                        "use one of the declared services' names",
                    )
                )
    if problems:
        raise ConfigError(problems, "seamline run command")


def run_command(config: SystemConfig, options: RunOptions) -> int:
    """Start, run the command, stop, write the report; the command's exit code."""
    check_templates(config, options.command)
    started_at = time.time()
    system = System(config)
    with _signals() as received:
        system.start()
        control = ControlServer(system, Harness(system).loop()).start()
        try:
            code = _run(system, control, options, received)
            _record_junit(system, options, started_at, control)
        finally:
            control.close()
            system.stop(failed=True)
    paths = _build_report(config, system.record_dir, options.report_dir)
    options.say(f"report: {paths}")
    return 128 + received[0] if received else code


def _run(system: System, control: ControlServer, options: RunOptions, received: list[int]) -> int:
    run_values = {"run_dir": str(system.run_dir)}
    values = service_values(system)
    try:
        argv = [render_argument(arg, "test", values, run_values) for arg in options.command]
    except KeyError as err:
        options.say(f"seamline run: no attribute {err} in the command's templates")
        return EXIT_USAGE
    run_id = system.record_dir.name
    # marked and tracked as the services are: if seamline is killed, the watchdog stops it too
    # the services' PATH: `python` is seamline's own, as in a command of seamline.toml
    env = {**service_base_env(), **environment(system, control.url), RUN_MARKER: run_id}
    try:
        child = subprocess.Popen(argv, env=env, process_group=0)
    except FileNotFoundError:
        options.say(f"seamline run: command not found: {argv[0]} (looked in PATH)")
        return EXIT_NOT_FOUND
    except PermissionError:
        options.say(f"seamline run: permission denied: {argv[0]} is not executable")
        return EXIT_NOT_EXECUTABLE
    ProcessTracker(system.run_dir, run_id).add("command", child.pid)
    _forward_to[:] = [child.pid]
    try:
        code = child.wait()
    finally:
        _forward_to.clear()
        _end_group(child)
    return 128 - code if code < 0 else code


# The process group that SIGINT/SIGTERM go on to while a command runs (set by _run).
_forward_to: list[int] = []


@contextmanager
def _signals() -> Iterator[list[int]]:
    """SIGINT/SIGTERM: forwarded to the command if it runs, else they stop the start-up."""
    received: list[int] = []

    def forward(signum: int, _: FrameType | None) -> None:
        received.append(signum)
        if _forward_to:
            _kill_group(_forward_to[0], signum)
        elif len(received) == 1:
            raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _kill_group(pgid: int, signum: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def _end_group(child: subprocess.Popen[bytes]) -> None:
    """What the command left running in its group (a runner's workers) goes too."""
    if child.poll() is None:
        _kill_group(child.pid, signal.SIGTERM)
        try:
            child.wait(GRACE_S)
        except subprocess.TimeoutExpired:
            _kill_group(child.pid, signal.SIGKILL)
            child.wait()
    _kill_group(child.pid, signal.SIGKILL)


def _record_junit(
    system: System, options: RunOptions, started_at: float, control: ControlServer
) -> None:
    """The runner's JUnit test cases into tests.jsonl, each with its window when known."""
    files = [options.junit] if options.junit else default_files(Path.cwd(), started_at)
    if not files:
        return
    if control.tests_announced:
        options.say("JUnit file not used: the tests announced themselves to the control API")
        return
    for path in files:
        try:
            cases = read_cases(path)
        except JUnitError as err:
            options.say(f"seamline run: {err}")
            continue
        for case in cases:
            started = case.started if case.started is not None else started_at
            ended = case.ended if case.ended is not None else started
            Harness(system).add_finished(case.test_id, case.outcome, case.message, started, ended)
        options.say(f"{len(cases)} test case(s) from {path}")


def _build_report(config: SystemConfig, record_dir: Path, out_dir: Path) -> Path:
    # imported here: the report's modules (pytest's among them) cost ~0.2 s, after the command
    from seamline.report import ReportOptions, build

    options = ReportOptions.from_spec(config.spec.report)
    return build([record_dir], out_dir, options=options).html
