"""Check an OpenAPI document before it is used: every schema against its JSON Schema dialect,
every `$ref`, the shape of `paths`. An invalid schema would make the checks quietly do nothing;
here each problem gets its JSON pointer and its line in the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft4Validator, Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

from seamline.config.keys import suggest
from seamline.contracts.schema_errors import shown
from seamline.errors import ConfigProblem

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TYPES_30 = ("array", "boolean", "integer", "number", "object", "string")
_TYPES_31 = (*_TYPES_30, "null")
TYPES_DRAFT7 = _TYPES_31  # draft-07, as AsyncAPI's schemas are, has `null` too


def escape(segment: str) -> str:
    """One JSON pointer segment (RFC 6901)."""
    return segment.replace("~", "~0").replace("/", "~1")


def document_problems(document: dict[str, Any], v30: bool, file: Path) -> list[ConfigProblem]:
    """Every problem of the document, in document order (`file` only names where they are)."""
    problems = _path_problems(document)
    problems += ref_problems(document)
    seen: set[str] = set()
    for pointer, schema in _schemas(document):
        for problem in _schema_problems(schema, pointer, v30):
            if problem.key not in seen:
                seen.add(problem.key)
                problems.append(problem)
    return [_at(problem, file) for problem in problems]


def _at(problem: ConfigProblem, file: Path) -> ConfigProblem:
    return ConfigProblem(problem.key, problem.expected, problem.found, problem.fix, file)


# libyaml's parser when PyYAML has it (the wheels do): ~10x the pure-Python one, which took
# ~0.2 s of each start on the shop's two contracts
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """The YAML (or JSON) text's value, as `yaml.safe_load` gives it."""
    return yaml.load(text, Loader=_LOADER)


def with_lines(problems: list[ConfigProblem], text: str) -> list[ConfigProblem]:
    """The problems with the lines of their pointers (their `key`) in the document's `text`."""
    if not problems:
        return []  # parsing the text again for lines costs as much as loading it
    lines = pointer_lines(text)
    placed = []
    for p in problems:
        pointer = p.key.split(" ", 1)[0]
        while pointer and pointer not in lines:
            pointer = pointer.rsplit("/", 1)[0]  # an absent key: the line of its parent
        placed.append(ConfigProblem(p.key, p.expected, p.found, p.fix, p.file, lines.get(pointer)))
    return sorted(placed, key=lambda p: p.line or 0)


def pointer_lines(text: str) -> dict[str, int]:
    """JSON pointer -> 1-based line of each value in a YAML (or JSON) text; {} if unreadable."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return {}
    lines: dict[str, int] = {}
    stack: list[tuple[str, Any]] = [("", root)] if root is not None else []
    while stack:
        pointer, node = stack.pop()
        lines.setdefault(pointer, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{pointer}/{escape(str(key.value))}"
                lines[child] = key.start_mark.line + 1
                stack.append((child, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((f"{pointer}/{i}", item) for i, item in enumerate(node.value))
    return lines


def _path_problems(document: dict[str, Any]) -> list[ConfigProblem]:
    paths = document.get("paths", {})
    if not isinstance(paths, dict):
        return [ConfigProblem("/paths", "a mapping of path -> path item", shown(paths), "")]
    problems = []
    for template, item in paths.items():
        where = f"/paths/{escape(template)}"
        if not template.startswith("/"):
            problems.append(
                ConfigProblem(where, "a path starting with /", repr(template), f"write /{template}")
            )
        if not isinstance(item, dict):
            problems.append(ConfigProblem(where, "a path item (a mapping)", shown(item), ""))
            continue
        for method in _METHODS:
            operation = item.get(method)
            if method in item and not isinstance(operation, dict):
                problems.append(
                    ConfigProblem(
                        f"{where}/{method}", "an operation (a mapping)", shown(operation), ""
                    )
                )
    return problems


# Keys whose values are data, not document structure: an example may hold a key "$ref" or "schema".
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})


def _walk(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    yield pointer, value
    if isinstance(value, dict):
        for key, inner in value.items():
            if key not in _DATA_KEYS:
                yield from _walk(inner, f"{pointer}/{escape(str(key))}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _walk(inner, f"{pointer}/{index}")


def ref_problems(document: dict[str, Any]) -> list[ConfigProblem]:
    """Every `$ref` that is not local or names nothing in the document."""
    problems = []
    for pointer, value in _walk(document):
        if not isinstance(value, dict) or not isinstance(value.get("$ref"), str):
            continue
        ref = value["$ref"]
        if not ref.startswith("#/"):
            problems.append(
                ConfigProblem(
                    f"{pointer}/$ref",
                    "a local $ref (#/...)",
                    repr(ref),
                    "bundle the document into one file (e.g. `redocly bundle`)",
                )
            )
        elif not _resolves(document, ref[1:]):
            problems.append(
                ConfigProblem(
                    f"{pointer}/$ref",
                    "a $ref to a part of this document",
                    f"{ref!r}, which is not there",
                    "correct the reference or add what it names",
                )
            )
    return problems


def _resolves(document: Any, pointer: str) -> bool:
    value = document
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False
    return True


def _schemas(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every schema object: components' schemas and each `schema` of a parameter, header,
    media type (the metaschema checks the schemas nested in them)."""
    components = document.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if isinstance(schemas, dict):
        for name, schema in schemas.items():
            yield f"/components/schemas/{escape(name)}", schema
    for pointer, value in _walk(document):
        if (
            isinstance(value, dict)
            and "schema" in value
            and not pointer.startswith("/components/schemas/")
        ):
            yield f"{pointer}/schema", value["schema"]


def _schema_problems(schema: Any, pointer: str, v30: bool) -> Iterator[ConfigProblem]:
    if v30:
        return schema_problems(schema, pointer, Draft4Validator, _TYPES_30)
    return schema_problems(schema, pointer, Draft202012Validator, _TYPES_31)


def schema_problems(
    schema: Any, pointer: str, dialect: type[Validator], types: tuple[str, ...]
) -> Iterator[ConfigProblem]:
    """The problems of `schema` (at `pointer`) against the metaschema of `dialect`."""
    errors = dialect(dialect.META_SCHEMA).iter_errors(schema)
    for error in sorted(errors, key=lambda e: list(e.absolute_path)):
        yield _explain(error, pointer, types)


def _explain(error: ValidationError, pointer: str, types: tuple[str, ...]) -> ConfigProblem:
    path = [str(p) for p in error.absolute_path]
    where = pointer + "".join("/" + escape(p) for p in path)
    if path and path[-1] == "type" and isinstance(error.instance, str):
        near = suggest(error.instance, types)
        return ConfigProblem(
            where,
            "a JSON Schema type (" + ", ".join(types) + ")",
            repr(error.instance),
            f"did you mean '{near}'?" if near else "use one of these types",
        )
    return ConfigProblem(where, "a valid JSON Schema", error.message, "")
