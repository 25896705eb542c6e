"""JSON helpers: jsonPath, formatJson, toJson, parseJson, jsonArrayAdd, jsonRemove, jsonMerge.

Outputs are written the way WireMock's Jackson and Jayway write them: an object
JSONPath selects is pretty-printed, a list is compact; toJson and formatJson are
pretty; the json* editing helpers answer compact JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

from seamline.mock import jsonpath
from seamline.mock.jsonpath import jackson_pretty
from seamline.mock.template_model import (
    Call,
    ListValue,
    TemplateError,
    handle_error,
    json_data,
    to_text,
)


def _loads(text: Any) -> Any:
    return json.loads(text if isinstance(text, str) else to_text(text))


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _json_path(call: Call) -> Any:
    document = call.arg(0)
    if document is None or document == "":
        return ""
    if len(call.args) < 2 or call.arg(1) is None:
        return handle_error("The JSONPath cannot be empty")
    expression = str(call.arg(1))
    default = call.hash.get("default")
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            # WireMock refuses a broken object or array, but reads other text as no match
            if document.lstrip().startswith(("{", "[")):
                return handle_error(f"{document} is not valid JSON")
            return "" if default is None else default
    try:
        compiled = jsonpath.compile_path(expression)
    except jsonpath.JsonPathError:
        return handle_error(f"{expression} is not a valid JSONPath expression")
    found = compiled.find(document, leaf_to_null=True)
    if not compiled.definite:
        return json_data(found)
    if not found or found[0] is None:
        return "" if default is None else default
    return json_data(found[0])


def _format_json(call: Call) -> str:
    given = call.fn() if call.fn is not None else call.arg(0)
    text = given.strip() if isinstance(given, str) else ""
    if not text:
        return handle_error(
            "formatJson should take a block of JSON to format or a single parameter of type String"
        )
    fmt = str(call.hash.get("format", "pretty"))
    if fmt not in ("pretty", "compact"):
        return handle_error(f"formatJson: format [{fmt}] should be one of [pretty, compact]")
    try:
        value = json.loads(text)
    except ValueError:
        raise TemplateError(f"formatJson: {text!r} is not valid JSON") from None
    return jackson_pretty(value, drop_nulls=False) if fmt == "pretty" else _compact(value)


def _to_json(call: Call) -> str:
    value = call.arg(0)
    if value is None:
        return ""
    if isinstance(value, str):
        return json.dumps(value)
    return jackson_pretty(_plain(value))


def _plain(value: Any) -> Any:
    """A template value as plain JSON data (dates and wrappers become their text)."""
    if isinstance(value, ListValue):  # WireMock's ListOrSingle: one value is written bare
        return _plain(value[0]) if len(value) == 1 else [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return to_text(value)


def _parse_json(call: Call) -> Any:
    if call.fn is not None:
        text, name = call.fn(), (to_text(call.arg(0)) if call.args else None)
    elif not call.args:
        return handle_error("Missing required JSON string parameter")
    else:
        text, name = to_text(call.arg(0)), (to_text(call.arg(1)) if len(call.args) > 1 else None)
    stripped = "".join(text.split())
    result = {} if stripped in ("", "{}") else _loads(text.strip())
    if name is not None:
        call.variables[name] = result
        return None
    return result


def _json_array_add(call: Call) -> str:
    base = call.arg(0)
    if not isinstance(base, str):
        return handle_error("Base JSON must be a string")
    try:
        root = json.loads(base)
    except ValueError:
        return handle_error(f"Base JSON is not valid JSON ('{base}')")
    path = call.hash.get("jsonPath")
    target = root
    if path is not None:
        found = jsonpath.compile_path(str(path)).find(root)
        target = found[0] if found else None
    if not isinstance(target, list):
        return handle_error(f"Target JSON is not a JSON array ('{base}')")
    item_text = call.fn() if call.fn is not None else call.arg(1)
    if not isinstance(item_text, str):
        return handle_error("Item-to-add JSON must be a string")
    try:
        item = json.loads(item_text)
    except ValueError:
        return handle_error(f"Item-to-add JSON is not valid JSON ('{item_text}')")
    if call.hash.get("flatten") is True and isinstance(item, list):
        target.extend(item)
    else:
        target.append(item)
    max_items = call.hash.get("maxItems")
    if isinstance(max_items, int) and len(target) > max_items >= 0:
        del target[: len(target) - max_items]
    return _compact(root)


def _json_remove(call: Call) -> str:
    base, expression = call.arg(0), call.arg(1)
    if not isinstance(base, str):
        return handle_error("Input JSON must be a string")
    if not isinstance(expression, str):
        return handle_error("A single JSONPath expression parameter must be supplied")
    try:
        root = json.loads(base)
    except ValueError:
        return handle_error(f"Input JSON string is not valid JSON ('{base}')")
    last = _LAST_STEP.search(expression)
    if last is None or not last.group("parent"):
        return handle_error(
            f"Delete operation cannot be applied to JSONPath expression ('{expression}')"
        )
    name, index = last.group("name") or last.group("quoted"), last.group("index")
    for parent in jsonpath.compile_path(last.group("parent")).find(root):
        if isinstance(parent, dict) and name is not None:
            parent.pop(name, None)
        elif (
            isinstance(parent, list)
            and index is not None
            and -len(parent) <= int(index) < len(parent)
        ):
            del parent[int(index)]
    return _compact(root)


_LAST_STEP = re.compile(
    r"^(?P<parent>.*?)(?:\.(?P<name>[^.\[\]]+)|\[(?P<index>-?\d+)\]|\[['\"](?P<quoted>[^'\"]+)['\"]\])$"
)


def _json_merge(call: Call) -> str:
    base = call.arg(0)
    other = call.fn() if call.fn is not None else call.arg(1)
    if not isinstance(base, str) or not isinstance(other, str):
        return handle_error("Base JSON parameter must be a string")
    try:
        merged, extra = json.loads(base), json.loads(other)
    except ValueError:
        return handle_error("JSON to merge is not valid JSON")
    if not isinstance(merged, dict) or not isinstance(extra, dict):
        return handle_error("JSON to merge is not a JSON object")
    _merge(merged, extra, call.hash.get("removeNulls") is True)
    return _compact(merged)


def _merge(base: dict[str, Any], other: dict[str, Any], remove_nulls: bool) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, remove_nulls)
        elif remove_nulls and value is None:
            base.pop(key, None)
        else:
            base[key] = value


JSON_HELPERS = {
    "jsonPath": _json_path,
    "formatJson": _format_json,
    "toJson": _to_json,
    "parseJson": _parse_json,
    "jsonArrayAdd": _json_array_add,
    "jsonRemove": _json_remove,
    "jsonMerge": _json_merge,
}
