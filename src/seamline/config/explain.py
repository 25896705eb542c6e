"""Turn pydantic's validation errors into `ConfigProblem`s a person can act on."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from seamline.config.model import KINDS, SystemSpec
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


def suggest(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def _clean_loc(loc: Loc) -> tuple[str, ...]:
    """Drop the discriminator tag pydantic inserts after a service name."""
    parts = [str(p) for p in loc]
    if len(parts) >= 3 and parts[0] == "services" and parts[2] in KINDS:
        del parts[2]
    return tuple(parts)


def _fields_of(data: dict[str, Any], loc: tuple[str, ...]) -> list[str]:
    """The keys allowed at `loc` (the table holding an unknown key)."""
    if len(loc) == 2 and loc[0] == "services":
        service = data.get("services", {}).get(loc[1], {})
        kind = service.get("kind") if isinstance(service, dict) else None
        model = _model_for_kind(kind)
        if model is not None:
            return [f.alias or name for name, f in model.model_fields.items()]
    if not loc:
        return [f.alias or name for name, f in SystemSpec.model_fields.items()]
    return []


def _model_for_kind(kind: Any) -> type[BaseModel] | None:
    from seamline.config import model as m

    models: dict[str, type[BaseModel]] = {
        "process": m.ProcessSpec,
        "sqlite": m.SqliteSpec,
        "postgres": m.PostgresSpec,
        "redis": m.RedisSpec,
        "mock": m.MockSpec,
        "external": m.ExternalSpec,
    }
    return models.get(kind) if isinstance(kind, str) else None


def explain(error: ValidationError, data: dict[str, Any]) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    for item in error.errors(include_url=False):
        loc = _clean_loc(item["loc"])
        problems.append(_one(item, loc, data))
    return problems


def _one(item: Any, loc: tuple[str, ...], data: dict[str, Any]) -> ConfigProblem:
    key = ".".join(loc) or "(top level)"
    last = loc[-1] if loc else ""
    kind = item["type"]
    value = item.get("input")
    if kind == "extra_forbidden":
        allowed = _fields_of(data, loc[:-1])
        near = suggest(last, allowed)
        fix = f"did you mean '{near}'?" if near else "remove it"
        if allowed:
            fix += " (allowed here: " + ", ".join(sorted(allowed)) + ")"
        return ConfigProblem(key, "a known key", f"unknown key '{last}'", fix)
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
        return ConfigProblem(key, expected, describe_value(value), _example_fix(last))
    if kind == "value_error":
        message = str(item["msg"]).removeprefix("Value error, ")
        expected, _, rest = message.removeprefix("expected ").partition(" (")
        return ConfigProblem(
            key, expected + (f" ({rest}" if rest else ""), describe_value(value), _example_fix(last)
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
