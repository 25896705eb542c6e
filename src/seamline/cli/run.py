"""`seamline run PATH -- COMMAND`: any test runner (Jest, JUnit, Newman) against the started
system; the work is seamline.control.runner's."""

from __future__ import annotations

import argparse
from pathlib import Path

from seamline import console as out
from seamline.cli.common import EXIT_USAGE, add_config_args, config_of


def add_run(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `run` command's arguments."""
    run = commands.add_parser(
        "run",
        help="start the system, run any command against it, stop",
        description="Start the system, run COMMAND with every service's address in its "
        "environment (SEAMLINE_<SERVICE>_URL, SEAMLINE_CONTROL_URL) and {service.url} "
        "templates in its arguments, stop, write the report. Exits with COMMAND's code.",
        epilog="example: seamline run examples/shop -- npx jest",
    )
    add_config_args(run)
    run.add_argument("--report-dir", default="seamline-report", help="where reports go")
    run.add_argument("--junit", help="the JUnit XML file the command writes (for the report)")


def cmd_run(args: argparse.Namespace, command: list[str]) -> int:
    """`seamline run PATH -- COMMAND ...` (seamline.control.runner)."""
    from seamline.control.runner import RunOptions, run_command

    command = command[1:] if command[:1] == ["--"] else command
    if not command:
        out.error("seamline run: no command given; write: seamline run PATH -- COMMAND ...")
        return EXIT_USAGE
    junit = Path(args.junit).resolve() if args.junit else None
    return run_command(config_of(args), RunOptions(command, Path(args.report_dir).resolve(), junit))
