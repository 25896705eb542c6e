"""Whether a record line has exactly the fields its TypedDict in `records.lines` names.

Used by the docs check and by the report tests' record builder, so that neither can drift
from what the writers write (the builder once wrote a field the journal no longer did,
and the report tests kept passing on it).
"""

from __future__ import annotations

from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict


def checked(line: dict[str, Any], line_type: Any) -> dict[str, Any]:
    """`line`, after failing with what differs if it is not shaped as `line_type`."""
    problems = differences(line, line_type)
    assert not problems, f"not a {line_type.__name__} as the writers write it: {problems}"
    return line


def differences(value: Any, line_type: Any, where: str = "") -> list[str]:
    """Where `value` has other fields than the TypedDict `line_type`, or than the ones it holds."""
    where = where or line_type.__name__
    hints = get_type_hints(line_type)
    names = set(hints)
    missing = set(line_type.__required_keys__) - set(value)
    found = [f"{where}: missing {sorted(missing)}"] if missing else []
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
