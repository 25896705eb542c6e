"""`seamline record`, `drive`, `bisect` and `test --strategy` / `--only-real`: the integration
strategies' commands, each a `seamline test` run with steps or recordings around it (their
checks and output are in strategy_cli.py and strategy_run.py)."""

from __future__ import annotations

import argparse
from typing import get_args

from seamline.cli.common import add_config_args, config_of
from seamline.cli.pytest_run import cmd_test
from seamline.strategies.plans import StrategyName


def add_record_and_drive(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    record = commands.add_parser(
        "record",
        help="run the suite all-real and store each seam's exchanges as WireMock mappings",
        description="Run the suite as `seamline test` does, every seam real, and store what "
        "crossed each seam under [recordings] dir (recordings/<consumer>__<provider>/).",
        epilog="example: seamline record examples/shop -- -k checkout",
    )
    add_config_args(record)
    record.add_argument("--report-dir", default="seamline-report", help="where reports go")
    record.add_argument("--plain", action="store_true", help="plain lines, no live view")
    _add_record_arguments(record)
    drive = commands.add_parser(
        "drive",
        help="send the recorded requests to the real providers; report the drift",
        epilog="example: seamline drive examples/shop --seam 'api->payments'",
    )
    add_config_args(drive)
    _add_drive_arguments(drive)


def add_strategy_and_bisect(
    test: argparse.ArgumentParser, commands: argparse._SubParsersAction[argparse.ArgumentParser]
) -> None:
    _add_strategy_arguments(test)
    bisect = commands.add_parser(
        "bisect",
        help="find the seam(s) at which a suite that passes replayed fails real (ddmin)",
        description="Run the suite all-real, then its failing tests all-replayed, then find "
        "the smallest set of seams that, real with every other replayed, still fails.",
        epilog="example: SHOP_PAYMENTS_AMOUNT_AS_STRING=1 seamline bisect examples/shop",
    )
    add_config_args(bisect)
    bisect.add_argument("--report-dir", default="seamline-report", help="where reports go")
    bisect.add_argument("--plain", action="store_true", help="plain lines, no live view")


def cmd_strategy(args: argparse.Namespace, pytest_args: list[str]) -> int:
    """`seamline test --strategy NAME` / `--only-real SEAM`: steps in one session, a matrix."""
    from seamline import strategy_run

    config = config_of(args)
    strategy_run.check_pytest_args(pytest_args)
    plugin = strategy_run.strategy_plugin(config, args)
    code = cmd_test(args, pytest_args, plugin)
    return strategy_run.finish_strategy(config, args, plugin, code)


def cmd_bisect(args: argparse.Namespace, pytest_args: list[str]) -> int:
    """`seamline bisect`: the seam(s) whose real traffic breaks the suite."""
    from seamline import strategy_run

    config = config_of(args)
    strategy_run.check_pytest_args(pytest_args)
    plugin = strategy_run.bisect_plugin(config)
    cmd_test(args, pytest_args, plugin)
    return strategy_run.finish_bisect(config, args, plugin, pytest_args)


def cmd_record(args: argparse.Namespace, pytest_args: list[str]) -> int:
    """`seamline test` with every seam real, then each seam's recording written."""
    from seamline import strategy_cli

    config = config_of(args)
    with strategy_cli.recording_run(config) as run:
        code = cmd_test(args, pytest_args)
    return strategy_cli.finish_recording(config, run, code, missing=args.missing, force=args.force)


def cmd_drive(args: argparse.Namespace, _: list[str]) -> int:
    from seamline import strategy_cli

    return strategy_cli.run_drive(config_of(args), args)


# The arguments are the CLI's: defined here, building the parser imports none of the
# strategy modules (and with them pytest and httpx), which `seamline run` does not use.


def _add_strategy_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add(
        "--strategy",
        choices=get_args(StrategyName),
        default=None,
        help="run the suite step by step, switching seams between real and replayed",
    )
    add(
        "--target",
        metavar="SERVICE",
        default=None,
        help="the service a sandwich strategy meets at (default: the middle layer)",
    )
    add(
        "--only-real",
        action="append",
        default=None,
        metavar="CONSUMER->PROVIDER",
        help="every seam between services replayed except this one (repeatable)",
    )


def _add_record_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--missing", action="store_true", help="record only what is absent")
    parser.add_argument("--force", action="store_true", help="record even if the run fails")


def _add_drive_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seam",
        action="append",
        default=[],
        metavar="CONSUMER->PROVIDER",
        help="drive only this seam (repeatable); default: every recorded seam",
    )
    parser.add_argument(
        "--json", metavar="FILE", help="where the drift goes (default: REPORT_DIR/drift.json)"
    )
    parser.add_argument(
        "--report-dir",
        default="seamline-report",
        help="where the report (index.html, report.json with its drift section) and drift.json go",
    )
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a header for every driven request, e.g. a credential the recording masked "
        '(repeatable): --header "Authorization: Bearer $TOKEN"',
    )
    parser.add_argument(
        "--secret",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="the value of a JSON body field the recording masked (repeatable): "
        "--secret card_number=4242424242424242",
    )
