"""`seamline init`: a first seamline.toml from a project or a docker-compose file; the work is
seamline.init's."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from seamline import console as out
from seamline.cli.common import EXIT_OK


def add_init(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `init` command's arguments."""
    init = commands.add_parser("init", help="write a first seamline.toml (docs: README, init)")
    init.add_argument("dir", nargs="?", default=".", help="the project's directory (default: .)")
    init.add_argument("--from-compose", metavar="FILE", help="convert a docker-compose file")
    init.add_argument("--force", action="store_true", help="overwrite existing files")


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
