"""Turn JSON Schema errors into expected/found pairs a person can read."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

_JSON_TYPES = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
    type(None): "null",
}


def json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def shown(value: Any) -> str:
    """`string '39.98'`, `integer 5`, `null`, `object {"a": 1}` (long ones cut)."""
    if value is None:
        return "null"
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{json_type(value)} {text}"


def pointer_of(error: ValidationError) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path]
    return "".join("/" + p for p in parts)


def leaves(errors: Iterator[ValidationError]) -> Iterator[ValidationError]:
    """Each error, or for anyOf/oneOf the most relevant error among its alternatives."""
    for error in errors:
        if error.validator in ("anyOf", "oneOf") and error.context:
            yield best_match(error.context)
        else:
            yield error


def explain(error: ValidationError) -> tuple[str, str, str]:
    """(pointer, expected, found) for one schema error."""
    pointer = pointer_of(error)
    kind, value = error.validator, error.instance
    rule: Any = error.validator_value
    schema: Any = error.schema
    if kind == "type":
        types = rule if isinstance(rule, list) else [rule]
        return pointer, " or ".join(str(t) for t in types), shown(value)
    if kind == "required":
        # one error per missing property; its message names it: "'x' is a required property"
        quoted = re.match(r"^'(.+)' is a required property", error.message)
        missing = quoted.group(1) if quoted else ""
        return f"{pointer}/{missing}", "a value (the field is required)", "nothing"
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = set(schema.get("properties", {}) if isinstance(schema, dict) else ())
        extra = sorted(k for k in value if k not in allowed)
        return (
            pointer,
            "no properties beyond " + (", ".join(sorted(allowed)) or "none"),
            "extra " + ", ".join(repr(k) for k in extra),
        )
    if kind == "enum":
        return pointer, "one of " + ", ".join(json.dumps(v) for v in rule), shown(value)
    if kind == "const":
        return pointer, json.dumps(rule), shown(value)
    if kind == "format":
        return pointer, f"a string in format {rule!r}", shown(value)
    if kind in (
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "pattern",
    ):
        return pointer, f"{kind} {rule}", shown(value)
    return pointer, f"{kind} {json.dumps(rule, default=str)[:60]}", shown(value)
