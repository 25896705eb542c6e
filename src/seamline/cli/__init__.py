"""The `seamline` command: a thin shell over `System`.

Exit codes: 0 success; 1 tests failed or the system failed to start; 2 bad
usage or invalid config; 3 `status`/`down` found nothing running; 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

from seamline import console as out
from seamline.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_NOT_RUNNING,
    EXIT_OK,
    EXIT_USAGE,
    add_config_args,
    config_of,
)
from seamline.cli.init import add_init, cmd_init
from seamline.cli.pytest_run import cmd_test
from seamline.cli.run import add_run, cmd_run
from seamline.cli.strategy import (
    add_record_and_drive,
    add_strategy_and_bisect,
    cmd_bisect,
    cmd_drive,
    cmd_record,
    cmd_strategy,
)
from seamline.cli.up import cmd_down, cmd_status, cmd_up
from seamline.config.load import check_profiles
from seamline.errors import ConfigError, SeamlineError
from seamline.runtime.signals import exit_code_of
from seamline.system.documents import check_documents

# The exit codes, as the README lists them (one place: cli/common.py).
__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_RUNNING",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "main",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seamline", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("check", help="validate the config; print the graph and seams")
    add_config_args(check)
    up = commands.add_parser("up", help="start the system and keep it up until Ctrl-C")
    add_config_args(up)
    up.add_argument("--detach", "-d", action="store_true", help="start in the background")
    up.add_argument("--state-file", help=argparse.SUPPRESS)  # set for the detached runner
    for name, text in (
        ("status", "show the detached system"),
        ("down", "stop the detached system"),
    ):
        add_config_args(commands.add_parser(name, help=text))
    test = commands.add_parser(
        "test",
        help="run a system's test suite with pytest",
        description="Start the system, run its pytest suite, write the report. pytest's own "
        "arguments go after --; pytest runs in the system's directory (as `cd PATH && pytest` "
        "would), so its paths and node ids are relative to that directory.",
        epilog="example: seamline test examples/shop -- -k checkout",
    )
    add_config_args(test)
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
    add_record_and_drive(commands)
    add_run(commands)
    add_strategy_and_bisect(test, commands)
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
    add_init(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["mock"]:
        standalone = importlib.import_module("seamline.mock.standalone")
        return int(standalone.main(argv[1:]))
    parser = build_parser()
    # what follows `--` is the command's (pytest's, the runner's), never seamline's PATH:
    # `seamline test -- -k x` in the project's directory means PATH = "."
    cut = argv.index("--") if "--" in argv else len(argv)
    args, extra = parser.parse_known_args(argv[:cut])
    extra += argv[cut:]
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


def cmd_check(args: argparse.Namespace, _: list[str]) -> int:
    config = config_of(args)
    check_profiles(config)  # without --profile: each profile too, laid over the base
    check_documents(config)  # the OpenAPI documents and stub mappings the system will use
    out.console().print(out.graph_tree(config))
    out.console().print(
        f"[green]config OK[/]: {len(config.spec.services)} services, {len(config.links)} seams, "
        f"{len(config.message_links)} message seams"
    )
    return EXIT_OK


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
