"""Turn pydantic's validation errors into `ConfigProblem`s a person can act on."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from seamline.config.keys import allowed_keys, model_at, suggest, unknown_key
from seamline.config.model import KINDS
from seamline.config.probes import ProbeKeyError
from seamline.errors import ConfigProblem

Loc = tuple[str | int, ...]

EXAMPLES: dict[str, str] = {
    "kind": 'kind = "process"  (one of: ' + ", ".join(KINDS) + ")",
    "command": 'command = "python -m myapp --port {self.port}"',
    "url": 'url = "http://127.0.0.1:8080"',
    "ready": 'ready = "http GET /health"  (or "tcp", "log <regex>", "command <cmd>")',
    "ready_timeout": "ready_timeout = 10  (seconds)",
    "stop_timeout": "stop_timeout = 5  (seconds)",
    "env": 'env = { DATABASE_URL = "{db.url}" }',
    "depends_on": 'depends_on = ["db"]',
    "port": "port = 0  (0 picks a free port)",
    "isolation": 'isolation = "truncate"  (or "template", "none", "auto")',
    "contracts": 'contracts = "fail"  (or "warn", "off")',
}

_TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a table",
    "model_type": "a table",
    "path_type": "a path string",
}


def describe_value(value: Any) -> str:
    kind = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{shown} ({kind})"


def _clean_loc(loc: Loc) -> tuple[str, ...]:
    """Drop the discriminator tag pydantic inserts after a service name."""
    parts = [str(p) for p in loc]
    if len(parts) >= 3 and parts[0] == "services" and parts[2] in KINDS:
        del parts[2]
    return tuple(parts)


def explain(error: ValidationError, data: dict[str, Any], prefix: Loc = ()) -> list[ConfigProblem]:
    """The problems of `error`, raised by validating the table at `prefix` of `data`."""
    problems: list[ConfigProblem] = []
    for item in error.errors(include_url=False):
        loc = _clean_loc((*prefix, *item["loc"]))
        if loc and _UNION_MEMBER.match(loc[-1]):  # `str | list[str]`: one problem, not two
            loc = loc[:-1]
            said = next((p for p in problems if p.key == ".".join(loc)), None)
            if said is not None:
                problem = _one(item, loc, data)
                problems[problems.index(said)] = dataclasses.replace(
                    said, expected=f"{said.expected} or {problem.expected}"
                )
                continue
        problems.append(_one(item, loc, data))
    return problems


# pydantic puts the member tried after the key of a union (`command.str`, `command.list[str]`)
_UNION_MEMBER = re.compile(r"^(str|int|float|bool|list\[.*\]|dict\[.*\])$")


def _one(item: Any, loc: tuple[str, ...], data: dict[str, Any]) -> ConfigProblem:
    key = ".".join(loc) or "(top level)"
    last = loc[-1] if loc else ""
    kind = item["type"]
    value = item.get("input")
    if kind == "extra_forbidden":
        model = model_at(data, loc[:-1])
        return unknown_key(loc, allowed_keys(model) if model is not None else [])
    if kind == "missing":
        fix = "add " + EXAMPLES.get(last, f"{last} = ...")
        return ConfigProblem(key, f"a value for '{last}'", "nothing", fix)
    if kind == "union_tag_invalid":
        tag = str(item.get("ctx", {}).get("tag", value))
        near = suggest(tag, KINDS)
        fix = f'did you mean kind = "{near}"?' if near else "use " + EXAMPLES["kind"]
        return ConfigProblem(key + ".kind", "one of " + ", ".join(KINDS), repr(tag), fix)
    if kind == "literal_error":
        expected = str(item.get("ctx", {}).get("expected", "one of the allowed values"))
        fix = _example_fix(last)
        choices = re.findall(r"'([^']*)'", expected)
        if not all(f'"{choice}"' in fix for choice in choices):  # the example is another kind's
            fix = f"write {last} = " + " or ".join(f'"{choice}"' for choice in choices)
        return ConfigProblem(key, expected, describe_value(value), fix)
    if kind == "value_error":
        message = str(item["msg"]).removeprefix("Value error, ")
        expected, _, rest = message.removeprefix("expected ").partition(" (")
        cause = item.get("ctx", {}).get("error")
        fix = cause.fix if isinstance(cause, ProbeKeyError) else _example_fix(last)
        return ConfigProblem(
            key, expected + (f" ({rest}" if rest else ""), describe_value(value), fix
        )
    expected = _TYPE_WORDS.get(kind) or str(item["msg"]).lower()
    return ConfigProblem(key, expected, describe_value(value), _example_fix(last))


def _example_fix(key: str) -> str:
    return "write " + EXAMPLES[key] if key in EXAMPLES else ""


def with_lines(problems: Sequence[ConfigProblem], file: Any, line_of: Any) -> list[ConfigProblem]:
    """Attach file and line to problems, looking each key up with `line_of`."""
    placed = []
    for p in problems:
        path = tuple(p.key.split(".")) if p.key != "(top level)" else ()
        placed.append(ConfigProblem(p.key, p.expected, p.found, p.fix, file, line_of(path)))
    return sorted(placed, key=lambda p: p.line or 0)
