"""`seamline init`: a first `seamline.toml` from a project's directory or its docker-compose file.

`write_starter` looks at a directory (a FastAPI/Flask app, a package.json, an OpenAPI document);
`write_from_compose` converts a compose file, one service per compose service. Neither
overwrites a file unless told to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from seamline.errors import ConfigError, ConfigProblem
from seamline.init.from_compose import convert_compose
from seamline.init.starter import starter

CONFIG_NAME = "seamline.toml"
STARTER_TEST = Path("tests") / "test_seamline.py"


@dataclass
class Written:
    """What init wrote, what it found, and what is left for the user to do."""

    files: list[Path]
    found: str = ""
    problems: list[ConfigProblem] = field(default_factory=list)
    todos: list[str] = field(default_factory=list)


def _refuse_existing(paths: list[Path], force: bool) -> None:
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        raise ConfigError(
            [
                ConfigProblem(
                    str(p),
                    "no file there (init never overwrites)",
                    "an existing file",
                    "move it away, or pass --force to overwrite it",
                )
                for p in existing
            ],
            what="target for `seamline init`",
        )


def write_starter(directory: Path, force: bool = False) -> Written:
    """Write a starter config and test into `directory`."""
    if not directory.is_dir():
        raise ConfigError(
            [ConfigProblem(str(directory), "a project directory", "no such directory", "")],
            what="directory for `seamline init`",
        )
    found = starter(directory)
    config, test = directory / CONFIG_NAME, directory / STARTER_TEST
    _refuse_existing([config, test], force)
    config.write_text(found.config)
    test.parent.mkdir(exist_ok=True)
    test.write_text(found.test)
    return Written([config, test], found.found)


def write_from_compose(compose: Path, out_dir: Path | None = None, force: bool = False) -> Written:
    """Write the config converted from `compose` beside it (or into `out_dir`)."""
    target_dir = out_dir or compose.parent
    config = target_dir / CONFIG_NAME
    _refuse_existing([config], force)
    conversion = convert_compose(compose, target_dir)
    config.write_text(conversion.text)
    return Written([config], f"{compose} (docker-compose)", conversion.problems, conversion.todos)


__all__ = ["CONFIG_NAME", "Written", "write_from_compose", "write_starter"]
