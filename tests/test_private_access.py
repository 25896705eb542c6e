"""No code reads another package's private attributes: `x._name` is only used inside the package
that defines `_name` (a class's state stays behind its methods; `System`'s plumbing is reached
through `system.harness.Harness`, not through `system._seams`)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "seamline"

# Third parties' names that start with an underscore.
THIRD_PARTY = {
    "_mapping",  # SQLAlchemy's Row._mapping, its documented way to a row as a dict
    "_file",  # pytest's TerminalWriter._file: the live view redirects pytest's own output
    "_SubParsersAction",  # argparse's type of add_subparsers(), for annotations only
    "_initrequest",  # pytest's Function._initrequest: a test run again (as pytest-rerunfailures)
}


def unit_of(path: Path) -> str:
    parts = path.relative_to(SRC).parts
    return parts[0] if len(parts) > 1 else path.stem


def test_private_attributes_are_read_only_inside_their_package():
    defined: dict[str, set[str]] = defaultdict(set)
    used: list[tuple[str, str, int, str]] = []
    for path in sorted(SRC.rglob("*.py")):
        unit = unit_of(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                defined[unit].add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined[unit].add(node.id)
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                if node.attr.startswith("__"):
                    continue
                owner = node.value
                if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                    if isinstance(node.ctx, ast.Store):
                        defined[unit].add(node.attr)
                    continue
                used.append((unit, str(path.relative_to(SRC)), node.lineno, node.attr))
    foreign = [
        f"{where}:{line}: ._{attr[1:]}"
        for unit, where, line, attr in used
        if attr not in defined[unit] and attr not in THIRD_PARTY
    ]
    assert foreign == []
