"""What every `seamline` command shares: its exit codes and how it finds and loads the config."""

from __future__ import annotations

import argparse

from seamline.config import SystemConfig, chosen_profile, load_config

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOT_RUNNING, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def add_config_args(parser: argparse.ArgumentParser) -> None:
    """PATH, --config and --profile: which system a command works on."""
    parser.add_argument(
        "path", nargs="?", default=".", help="the system's directory or config file (default: .)"
    )
    # no short forms: `seamline test` passes unknown options on to pytest (-c, -p are pytest's)
    parser.add_argument("--config", help="the config file (overrides PATH)")
    parser.add_argument(
        "--profile", help="a [profiles.NAME] table to apply (env: SEAMLINE_PROFILE)"
    )


def config_of(args: argparse.Namespace) -> SystemConfig:
    """The config the command's arguments name, loaded (once per command)."""
    return load_config(args.config or args.path, chosen_profile(args.profile))
