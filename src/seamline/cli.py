"""The `seamline` command: a thin shell over `System`.

Exit codes: 0 success; 1 tests failed or the system failed to start; 2 bad
usage or invalid config; 3 `status`/`down` found nothing running; 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape

from seamline import console as out
from seamline.config import SystemConfig, chosen_profile, find_config, load_config
from seamline.errors import ConfigError, SeamlineError
from seamline.runtime.signals import exit_code_of
from seamline.system.core import System
from seamline.system.detached import (
    SeamRow,
    ServiceRow,
    UpState,
    read_state,
    state_path,
    stop_owner,
    wait_for_status,
    write_state,
)
from seamline.system.documents import check_documents
from seamline.system.harness import Harness

if TYPE_CHECKING:
    from seamline.progress import RunProgress

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOT_RUNNING, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _add_config_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path", nargs="?", default=".", help="the system's directory or config file (default: .)"
    )
    # no short forms: `seamline test` passes unknown options on to pytest (-c, -p are pytest's)
    parser.add_argument("--config", help="the config file (overrides PATH)")
    parser.add_argument(
        "--profile", help="a [profiles.NAME] table to apply (env: SEAMLINE_PROFILE)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seamline", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("check", help="validate the config; print the graph and seams")
    _add_config_args(check)
    up = commands.add_parser("up", help="start the system and keep it up until Ctrl-C")
    _add_config_args(up)
    up.add_argument("--detach", "-d", action="store_true", help="start in the background")
    up.add_argument("--state-file", help=argparse.SUPPRESS)  # set for the detached runner
    for name, text in (
        ("status", "show the detached system"),
        ("down", "stop the detached system"),
    ):
        _add_config_args(commands.add_parser(name, help=text))
    test = commands.add_parser(
        "test",
        help="run a system's test suite with pytest",
        description="Start the system, run its pytest suite, write the report. pytest's own "
        "arguments go after --; pytest runs in the system's directory (as `cd PATH && pytest` "
        "would), so its paths and node ids are relative to that directory.",
        epilog="example: seamline test examples/shop -- -k checkout",
    )
    _add_config_args(test)
    test.add_argument("--report-dir", default="seamline-report", help="where reports go")
    test.add_argument("--plain", action="store_true", help="plain lines, no live view (as in CI)")
    test.add_argument(
        "--shard",
        type=_shard_spec,
        metavar="K/N",
        help="run only the K-th of N shards of the suite (e.g. 2/4); merge the shards' "
        "reports with `seamline report merge`",
    )
    test.add_argument(
        "--durations-from",
        metavar="FILE",
        help="balance --shard by these durations: a report.json or {node id: seconds} "
        "(default: .seamline/durations.json next to seamline.toml, if there is one)",
    )
    _add_strategy_commands(commands)
    run = commands.add_parser(
        "run",
        help="start the system, run any command against it, stop",
        description="Start the system, run COMMAND with every service's address in its "
        "environment (SEAMLINE_<SERVICE>_URL, SEAMLINE_CONTROL_URL) and {service.url} "
        "templates in its arguments, stop, write the report. Exits with COMMAND's code.",
        epilog="example: seamline run examples/shop -- npx jest",
    )
    _add_config_args(run)
    run.add_argument("--report-dir", default="seamline-report", help="where reports go")
    run.add_argument("--junit", help="the JUnit XML file the command writes (for the report)")
    _add_step_commands(test, commands)
    report = commands.add_parser(
        "report",
        help="re-render a run's report from its records",
        epilog="`seamline report merge OUT DIR...` merges N shards' records into one report "
        "(see `seamline report merge -h`)",
    )
    report.add_argument(
        "run_dirs",
        nargs="+",
        metavar="RUN_DIR",
        help="record dirs (.seamline/runs/<run-id>) or a runs directory",
    )
    report.add_argument("--report-dir", default="seamline-report", help="where the report goes")
    commands.add_parser(
        "mock", help="a stand-alone WireMock-compatible stub server", add_help=False
    )
    init = commands.add_parser("init", help="write a first seamline.toml (docs: README, init)")
    init.add_argument("dir", nargs="?", default=".", help="the project's directory (default: .)")
    init.add_argument("--from-compose", metavar="FILE", help="convert a docker-compose file")
    init.add_argument("--force", action="store_true", help="overwrite existing files")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["mock"]:
        standalone = importlib.import_module("seamline.mock.standalone")
        return int(standalone.main(argv[1:]))
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in ("test", "record", "run", "bisect"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    handlers: dict[str, Callable[[argparse.Namespace, list[str]], int]] = {
        "check": cmd_check,
        "up": cmd_up,
        "status": cmd_status,
        "down": cmd_down,
        "test": cmd_test,
        "report": cmd_report,
        "record": cmd_record,
        "drive": cmd_drive,
        "bisect": cmd_bisect,
        "init": cmd_init,
        "run": cmd_run,
    }
    if args.command == "test" and (args.strategy or args.only_real):
        handlers["test"] = cmd_strategy
    try:
        return handlers[args.command](args, extra)
    except ConfigError as err:
        out.error(str(err))
        return EXIT_USAGE
    except SeamlineError as err:
        out.error(str(err))
        return EXIT_FAILED
    except KeyboardInterrupt as interrupt:  # 130 for Ctrl-C, 143 for SIGTERM
        return exit_code_of(interrupt)


def _shard_spec(text: str) -> str:
    from seamline.report.sharding import parse_shard

    try:
        return str(parse_shard(text))
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _config(args: argparse.Namespace) -> SystemConfig:
    return load_config(args.config or args.path, chosen_profile(args.profile))


def cmd_check(args: argparse.Namespace, _: list[str]) -> int:
    config = _config(args)
    check_documents(config)  # the OpenAPI documents and stub mappings the system will use
    out.console().print(out.graph_tree(config))
    out.console().print(
        f"[green]config OK[/]: {len(config.spec.services)} services, {len(config.links)} seams"
    )
    return EXIT_OK


def _rows(system: System) -> list[ServiceRow]:
    rows = []
    harness = Harness(system)
    for name, service in harness.services().items():
        log = service.log_path()
        rows.append(
            ServiceRow(
                name,
                service.kind,
                service.url or "",
                service.describe(),
                str(log) if log else "",
                harness.ready_s(name),
            )
        )
    return rows


def _seam_rows(system: System) -> list[SeamRow]:
    return [
        SeamRow(view.name, view.url, system.direct_url(view.provider))
        for view in Harness(system).seams_in_use()
    ]


def cmd_up(args: argparse.Namespace, _: list[str]) -> int:
    config = _config(args)
    if not args.state_file and _already_up(config):
        return EXIT_FAILED
    if args.detach:
        return _up_detached(config, config.profile)
    state_file = Path(args.state_file) if args.state_file else None
    state = UpState.for_this_process(config.path, config.profile)
    console = out.console()
    system = System(config)
    try:
        system.start(on_ready=lambda name: None if state_file else console.print(f"  {name} ready"))
    except SeamlineError as err:
        if state_file:
            state.status, state.error = "failed", str(err)
            write_state(state_file, state)
        raise
    # Once up, Ctrl-C and SIGTERM end the wait below; while starting they interrupt the
    # start itself (which cleans up), so neither waits out a ready_timeout.
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        state.status, state.services, state.seams = "ready", _rows(system), _seam_rows(system)
        state.run_id, state.record_dir = system.record_dir.name, str(system.record_dir)
        if state_file:
            write_state(state_file, state)
        else:
            console.print(out.services_table(state.services, f"{config.name} is up"))
            if state.seams:
                console.print(out.seams_table(state.seams))
            console.print("Press Ctrl-C to stop.")
        stop.wait()
    finally:
        system.stop()
        if state_file:
            state.status = "stopped"
            write_state(state_file, state)
    return EXIT_OK


def _already_up(config: SystemConfig) -> bool:
    """Say so if a detached copy of this config runs: a second one would share its dirs."""
    previous = read_state(state_path(config.path))
    if previous is None or not previous.owner_alive():
        return False
    out.error(
        f"{config.name} is already up (pid {previous.pid}, detached); "
        f"stop it first with: {_down_command(config)}"
    )
    return True


def _down_command(config: SystemConfig) -> str:
    """The `seamline down` that stops this config's system, to print as a hint."""
    try:
        by_directory = find_config(config.base_dir) == config.path
    except ConfigError:
        by_directory = False
    return "seamline down " + shlex.quote(str(config.base_dir if by_directory else config.path))


def _up_detached(config: SystemConfig, profile: str | None) -> int:
    path = state_path(config.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "seamline", "up", str(config.path), "--state-file", str(path)]
    if profile:
        argv += ["--profile", profile]
    log_path = path.with_suffix(".log")
    with log_path.open("ab") as log:
        runner = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
    state = wait_for_status(path, runner.pid, timeout=600)
    if state is None or state.pid != runner.pid or state.status != "ready":
        error = state.error if state and state.pid == runner.pid else "the runner exited"
        out.error(error, f"(see {log_path})")
        return EXIT_FAILED
    out.console().print(
        out.services_table(state.services, f"{config.name} is up (pid {state.pid})")
    )
    if state.seams:
        out.console().print(out.seams_table(state.seams))
    out.console().print("Stop it with: " + escape(_down_command(config)))
    return EXIT_OK


def _detached_state(args: argparse.Namespace) -> tuple[Path, UpState | None]:
    path = state_path(find_config(args.config or args.path))
    return path, read_state(path)


def cmd_status(args: argparse.Namespace, _: list[str]) -> int:
    state = _detached_state(args)[1]
    if state is None or not state.owner_alive():
        out.console().print("nothing is up")
        return EXIT_NOT_RUNNING
    out.console().print(
        out.services_table(state.services, f"{state.status} (pid {state.pid}, run {state.run_id})")
    )
    return EXIT_OK


def cmd_down(args: argparse.Namespace, _: list[str]) -> int:
    path, state = _detached_state(args)
    if state is None or not stop_owner(state):
        out.console().print("nothing is up")
        path.unlink(missing_ok=True)
        return EXIT_NOT_RUNNING
    path.unlink(missing_ok=True)
    out.console().print(f"stopped (pid {state.pid})")
    return EXIT_OK


def cmd_test(args: argparse.Namespace, pytest_args: list[str], steps: object | None = None) -> int:
    """Start the system, run its tests, write the report; exit 1 if anything failed.

    pytest runs in the system's directory, as `cd DIR && pytest ARGS` would: its own
    selection (paths, node ids, -k, -m, the ini's testpaths) means what it means there.
    """
    import pytest

    from seamline.progress import CONFIG_PLUGIN, PROGRESS_PLUGIN

    config = _config(args)
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


def _add_strategy_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from seamline import strategy_cli

    record = commands.add_parser(
        "record",
        help="run the suite all-real and store each seam's exchanges as WireMock mappings",
        description="Run the suite as `seamline test` does, every seam real, and store what "
        "crossed each seam under [recordings] dir (recordings/<consumer>__<provider>/).",
        epilog="example: seamline record examples/shop -- -k checkout",
    )
    _add_config_args(record)
    record.add_argument("--report-dir", default="seamline-report", help="where reports go")
    record.add_argument("--plain", action="store_true", help="plain lines, no live view")
    strategy_cli.add_record_arguments(record)
    drive = commands.add_parser(
        "drive",
        help="send the recorded requests to the real providers; report the drift",
        epilog="example: seamline drive examples/shop --seam 'api->payments'",
    )
    _add_config_args(drive)
    strategy_cli.add_drive_arguments(drive)


def _add_step_commands(
    test: argparse.ArgumentParser, commands: argparse._SubParsersAction[argparse.ArgumentParser]
) -> None:
    from seamline import strategy_run

    strategy_run.add_strategy_arguments(test)
    bisect = commands.add_parser(
        "bisect",
        help="find the seam(s) at which a suite that passes replayed fails real (ddmin)",
        description="Run the suite all-real, then its failing tests all-replayed, then find "
        "the smallest set of seams that, real with every other replayed, still fails.",
        epilog="example: SHOP_PAYMENTS_AMOUNT_AS_STRING=1 seamline bisect examples/shop",
    )
    _add_config_args(bisect)
    bisect.add_argument("--report-dir", default="seamline-report", help="where reports go")
    bisect.add_argument("--plain", action="store_true", help="plain lines, no live view")


def cmd_strategy(args: argparse.Namespace, pytest_args: list[str]) -> int:
    """`seamline test --strategy NAME` / `--only-real SEAM`: steps in one session, a matrix."""
    from seamline import strategy_run

    config = _config(args)
    strategy_run.check_pytest_args(pytest_args)
    plugin = strategy_run.strategy_plugin(config, args)
    code = cmd_test(args, pytest_args, plugin)
    return strategy_run.finish_strategy(config, args, plugin, code)


def cmd_bisect(args: argparse.Namespace, pytest_args: list[str]) -> int:
    """`seamline bisect`: the seam(s) whose real traffic breaks the suite."""
    from seamline import strategy_run

    config = _config(args)
    strategy_run.check_pytest_args(pytest_args)
    plugin = strategy_run.bisect_plugin(config)
    cmd_test(args, pytest_args, plugin)
    return strategy_run.finish_bisect(config, args, plugin, pytest_args)


def cmd_record(args: argparse.Namespace, pytest_args: list[str]) -> int:
    """`seamline test` with every seam real, then each seam's recording written."""
    from seamline import strategy_cli

    config = _config(args)
    with strategy_cli.recording_run(config) as run:
        code = cmd_test(args, pytest_args)
    return strategy_cli.finish_recording(config, run, code, missing=args.missing, force=args.force)


def cmd_drive(args: argparse.Namespace, _: list[str]) -> int:
    from seamline import strategy_cli

    return strategy_cli.run_drive(_config(args), args)


def cmd_run(args: argparse.Namespace, command: list[str]) -> int:
    """`seamline run PATH -- COMMAND ...` (seamline.control.runner)."""
    from seamline.control.runner import RunOptions, run_command

    command = command[1:] if command[:1] == ["--"] else command
    if not command:
        out.error("seamline run: no command given; write: seamline run PATH -- COMMAND ...")
        return EXIT_USAGE
    junit = Path(args.junit).resolve() if args.junit else None
    return run_command(_config(args), RunOptions(command, Path(args.report_dir).resolve(), junit))


class _HandedOn:
    """The config `seamline test` loaded, handed to the pytest plugin so the process loads
    it once. Registered by `pytest.main(plugins=...)` under its `__name__` (pluggy's
    canonical name), so the plugin finds it from its first hook on."""

    def __init__(self, system_config: SystemConfig, name: str) -> None:
        self.system_config = system_config
        self.__name__ = name


def cmd_report(args: argparse.Namespace, _: list[str]) -> int:
    """Re-render the report of a finished or killed run from its record dirs."""
    from seamline.report import build, record_dirs_of

    if args.run_dirs[0] == "merge":  # `seamline report merge OUT DIR...`
        return cmd_report_merge(args.run_dirs[1:])

    records: list[Path] = []
    for given in args.run_dirs:
        path = Path(given)
        if not path.exists():
            raise SeamlineError(
                f"{path} does not exist: expected a run's record dir "
                "(.seamline/runs/<run-id>) or the runs directory"
            )
        try:
            records += record_dirs_of(path)
        except FileNotFoundError as err:
            raise SeamlineError(str(err)) from None
    paths = build(records, Path(args.report_dir))
    out.console().print(f"report of {len(records)} record dir(s): {paths.html}")
    return EXIT_OK


def cmd_init(args: argparse.Namespace, _: list[str]) -> int:
    """Write a starter config (and test), or convert a compose file; print what is left."""
    from seamline.init import write_from_compose, write_starter

    directory = Path(args.dir)
    if args.from_compose:
        out_dir = directory if args.dir != "." else None
        written = write_from_compose(Path(args.from_compose), out_dir, force=args.force)
    else:
        written = write_starter(directory, force=args.force)
    for problem in written.problems:
        out.error(problem.render())
    out.console().print(f"found {escape(written.found)}")
    for path in written.files:
        out.console().print(f"wrote {escape(str(path))}")
    if written.todos:
        out.console().print(f"[yellow]left to fill in[/] ({len(written.todos)}):")
        for todo in written.todos:
            out.console().print(f"  TODO {escape(todo)}")
    out.console().print("next: seamline check " + escape(str(written.files[0])))
    return EXIT_OK


def cmd_report_merge(argv: list[str]) -> int:
    """`seamline report merge OUT DIR...`: one report from the record dirs of N shards."""
    from seamline.report.merge import merge

    parser = argparse.ArgumentParser(
        prog="seamline report merge",
        description="Build one report (HTML, JSON, JUnit, GitHub summary) from N shards' "
        "record dirs or artifacts, as if from one run; shows each shard's wall time and the "
        "critical path.",
        epilog="example: seamline report merge seamline-report shard-1/ shard-2/",
    )
    parser.add_argument("out", metavar="OUT", help="where the merged report goes")
    parser.add_argument("shards", nargs="+", metavar="DIR", help="one shard's record dir(s)")
    args = parser.parse_args(argv)
    paths = merge([Path(d) for d in args.shards], Path(args.out))
    out.console().print(f"report of {len(args.shards)} shard(s): {paths.html}")
    return EXIT_OK
