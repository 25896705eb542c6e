"""Imports inside seamline only point down the layers that docs/architecture.md declares.

Every import counts: module level, inside functions (lazy) and under TYPE_CHECKING, because a
lazy import still ties the two packages together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "seamline"

# Top to bottom, as drawn in docs/architecture.md. A package may import its own modules, and any
# package of a lower layer; never one of its own layer or above.
LAYERS: list[set[str]] = [
    {"__main__"},
    {"cli", "pytest_plugin"},
    {"strategy_cli", "strategy_run"},
    {"live", "pytest_db", "pytest_page", "control", "strategy_steps"},
    {"console", "progress", "init"},
    {"system"},
    {"db", "seams", "report", "strategies"},
    {"contracts", "services"},
    {"mock"},
    {"http", "runtime"},
    {"config"},
    {"records", "browser"},
    {"errors", "version", "masking"},
]
# The package's face: re-exports the public names of every layer, imported by none of them.
FACADE = "__init__"


def layer_of(unit: str) -> int:
    for depth, units in enumerate(LAYERS):
        if unit in units:
            return depth
    raise AssertionError(f"{unit!r} is in no layer: add it to LAYERS and docs/architecture.md")


def unit_of(module: str) -> str:
    """`seamline.seams.proxy` -> `seams`; `seamline` -> the facade."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else FACADE


def imports_of(source: str, module: str) -> list[tuple[int, str]]:
    """(line, imported module) for every seamline import in `source`, the text of `module`."""
    package = module.split(".")[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            name = ".".join([*base, node.module] if node.module else base)
            # `from seamline import console` imports the module seamline.console
            found += [(node.lineno, submodule_or(name, alias.name)) for alias in node.names]
    return [(line, m) for line, m in found if m == "seamline" or m.startswith("seamline.")]


def submodule_or(package: str, name: str) -> str:
    path = SRC.parent.joinpath(*package.split("."), name)
    return f"{package}.{name}" if path.is_dir() or path.with_suffix(".py").is_file() else package


def upward_imports() -> list[str]:
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        module_name = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
        here = unit_of(module_name)
        if here == FACADE:
            continue
        for line, module in imports_of(path.read_text(), module_name):
            there = unit_of(module)
            if there == here:
                continue
            if there == FACADE or layer_of(there) <= layer_of(here):
                problems.append(
                    f"{path.relative_to(SRC.parent)}:{line}: {here} imports {module} "
                    f"(layer {layer_of(there) if there != FACADE else 'facade'}, "
                    f"not below {here}'s layer {layer_of(here)})"
                )
    return problems


def test_every_import_points_down() -> None:
    assert upward_imports() == []


def test_every_unit_has_a_layer() -> None:
    units = {p.stem if p.parent == SRC else p.parent.name for p in SRC.glob("*/__init__.py")}
    units |= {p.stem for p in SRC.glob("*.py")} - {FACADE}
    for unit in units:
        layer_of(unit)


def test_the_checker_sees_every_form_of_import() -> None:
    source = (
        "import seamline.system.core\n"
        "from seamline.cli import main\n"
        "from ..seams import proxy\n"
        "from . import exchange\n"
        "from seamline import __version__, console\n"
        "def lazy():\n"
        "    from .. import db\n"
    )
    assert [m for _, m in imports_of(source, "seamline.records.run")] == [
        "seamline.system.core",
        "seamline.cli",
        "seamline.seams.proxy",
        "seamline.records.exchange",
        "seamline",
        "seamline.console",
        "seamline.db",
    ]


@pytest.mark.parametrize("unit", sorted(set().union(*LAYERS)))
def test_layers_name_real_modules(unit: str) -> None:
    assert (SRC / unit).is_dir() or (SRC / f"{unit}.py").is_file()
