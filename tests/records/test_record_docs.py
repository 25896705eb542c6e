"""docs/architecture.md's "Record formats" shows every line kind with exactly the fields of its
TypedDict in `records.lines`, nested ones included, at the current version."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict

from seamline.records.lines import (
    FORMAT_VERSION,
    DbChangeLine,
    EndEvent,
    ExchangeLine,
    RunInfo,
    StartEvent,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
# The examples in the order the section shows them.
EXAMPLES = [RunInfo, StartEvent, EndEvent, ExchangeLine, DbChangeLine]


def section() -> str:
    text = DOC.read_text()
    start = text.index("## Record formats")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def differences(value: Any, line_type: Any, where: str) -> list[str]:
    """Where `value` has other fields than the TypedDict `line_type`, or than the ones it holds."""
    hints = get_type_hints(line_type)
    names = set(hints)
    found = [f"{where}: missing {sorted(names - set(value))}"] if names - set(value) else []
    if set(value) - names:
        found.append(f"{where}: not in {line_type.__name__}: {sorted(set(value) - names)}")
    for name in names & set(value):
        found += nested(value[name], hints[name], f"{where}.{name}")
    return found


def nested(value: Any, field_type: Any, where: str) -> list[str]:
    """The differences of the TypedDicts in `field_type`: X, X | None, list[X], dict[str, X]."""
    if is_typeddict(field_type):
        return differences(value, field_type, where)
    if value is None:
        return []
    origin, args = get_origin(field_type), get_args(field_type)
    if origin is list:
        return [p for item in value for p in nested(item, args[0], f"{where}[]")]
    if origin is dict:
        return [p for item in value.values() for p in nested(item, args[1], f"{where}{{}}")]
    not_none = [arg for arg in args if arg is not type(None)]
    if origin in (Union, UnionType) and len(not_none) == 1:
        return nested(value, not_none[0], where)
    return []


def test_every_example_has_the_fields_of_its_typeddict():
    blocks = re.findall(r"```json\n(.*?)```", section(), flags=re.DOTALL)
    assert len(blocks) == len(EXAMPLES)
    for block, line_type in zip(blocks, EXAMPLES, strict=True):
        example = json.loads(block)
        assert differences(example, line_type, line_type.__name__) == []
        assert example["v"] == FORMAT_VERSION


def test_the_section_names_the_current_version():
    assert f"current version `v` = {FORMAT_VERSION}" in section()
