"""The helpers response templates can call (WireMock's names and arguments)."""

from __future__ import annotations

import base64
import json
import re
import secrets
import string
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from seamline.mock import jsonpath
from seamline.mock.errors import InvalidMapping

Helper = Callable[[list[Any], dict[str, Any]], Any]


class ListValue(list[Any]):
    """A multi-valued field (query parameter, header): renders as its first value."""

    def __str__(self) -> str:
        return str(self[0]) if self else ""


class PathValue(str):
    """The request path: renders whole, `.[n]` indexes its segments."""

    segments: list[str]

    def __new__(cls, path: str, segments: list[str]) -> PathValue:
        value = super().__new__(cls, path)
        value.segments = segments
        return value


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value not in ("", "false")
    return bool(value)


def _json_path(args: list[Any], hash_: dict[str, Any]) -> Any:
    if len(args) < 2:
        raise InvalidMapping("template", "jsonPath needs a JSON value and an expression")
    document, expression = args[0], str(args[1])
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return hash_.get("default", "")
    found = jsonpath.compile_path(expression).find(document)
    if not found:
        return hash_.get("default", "")
    return found[0]


_UNITS = {
    "second": "seconds", "minute": "minutes", "hour": "hours", "day": "days",
    "week": "weeks", "month": "days", "year": "days",
}  # fmt: skip
_JAVA_FORMAT = re.compile(r"'[^']*'|y+|M+|d+|H+|h+|m+|s+|S+|a|E+|Z+|X+|z+|[^'a-zA-Z]+|[a-zA-Z]")


def _offset(text: str) -> timedelta:
    match = re.fullmatch(r"\s*(-?\d+)\s+([a-zA-Z]+?)s?\s*", text)
    if match is None:
        raise InvalidMapping("template", f"now: offset like '3 days' expected, found {text!r}")
    amount, unit = int(match.group(1)), match.group(2).lower()
    if unit not in _UNITS:
        raise InvalidMapping("template", f"now: unknown offset unit {unit!r}")
    factor = 30 if unit == "month" else 365 if unit == "year" else 1
    return timedelta(**{_UNITS[unit]: amount * factor})


def format_java_date(moment: datetime, pattern: str) -> str:
    """Render `moment` with a Java `SimpleDateFormat` pattern (the one WireMock takes)."""
    out: list[str] = []
    for token in _JAVA_FORMAT.findall(pattern):
        first = token[0]
        if first == "'":
            out.append(token[1:-1] or "'")
        elif first == "y":
            out.append(moment.strftime("%y" if len(token) == 2 else "%Y"))
        elif first == "M":
            out.append(moment.strftime({1: "%-m", 2: "%m", 3: "%b"}.get(len(token), "%B")))
        elif first in "dHhms":
            code = {"d": "%d", "H": "%H", "h": "%I", "m": "%M", "s": "%S"}[first]
            text = moment.strftime(code)
            out.append(text.lstrip("0") or "0" if len(token) == 1 else text)
        elif first == "S":
            out.append(f"{moment.microsecond // 1000:03d}"[: len(token)])
        elif first == "a":
            out.append(moment.strftime("%p"))
        elif first == "E":
            out.append(moment.strftime("%A" if len(token) >= 4 else "%a"))
        elif first in "ZXz":
            out.append("Z" if first == "X" else moment.strftime("%z" if first == "Z" else "%Z"))
        else:
            out.append(token)
    return "".join(out)


def _now(args: list[Any], hash_: dict[str, Any]) -> str:
    moment = datetime.now(UTC)
    if hash_.get("offset"):
        moment += _offset(str(hash_["offset"]))
    fmt = hash_.get("format")
    if fmt == "epoch":
        return str(int(moment.timestamp() * 1000))
    if fmt == "unix":
        return str(int(moment.timestamp()))
    if fmt:
        return format_java_date(moment, str(fmt))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


_ALPHABETS = {
    "ALPHANUMERIC": string.ascii_letters + string.digits,
    "ALPHABETIC": string.ascii_letters,
    "NUMERIC": string.digits,
    "HEXADECIMAL": "0123456789abcdef",
    "ALPHANUMERIC_AND_SYMBOLS": string.ascii_letters + string.digits + string.punctuation,
}


def _random_value(args: list[Any], hash_: dict[str, Any]) -> str:
    kind = str(hash_.get("type", "ALPHANUMERIC")).upper()
    if kind == "UUID":
        return str(uuid.uuid4())
    alphabet = _ALPHABETS.get(kind)
    if alphabet is None:
        raise InvalidMapping(
            "template", f"randomValue type must be one of {[*_ALPHABETS, 'UUID']}, found {kind!r}"
        )
    value = "".join(secrets.choice(alphabet) for _ in range(int(hash_.get("length", 36))))
    return value.upper() if truthy(hash_.get("uppercase", False)) else value


def _random_int(args: list[Any], hash_: dict[str, Any]) -> int:
    lower = int(hash_.get("lower", 0))
    upper = int(hash_.get("upper", 2**31 - 1))
    return lower + secrets.randbelow(max(1, upper - lower + 1))


def _number(value: Any) -> float:
    try:
        return float(str(value))
    except ValueError:
        return float("nan")


def _first(args: list[Any]) -> str:
    return "" if not args or args[0] is None else str(args[0])


def _base64(args: list[Any], hash_: dict[str, Any]) -> str:
    if truthy(hash_.get("decode", False)):
        return base64.b64decode(_first(args)).decode("utf-8", "replace")
    return base64.b64encode(_first(args).encode()).decode()


def _regex_extract(args: list[Any], hash_: dict[str, Any]) -> str:
    match = re.search(str(args[1]), _first(args)) if len(args) > 1 else None
    if match is None:
        return str(hash_.get("default", ""))
    return match.group(1) if match.groups() else match.group(0)


def _size(args: list[Any], hash_: dict[str, Any]) -> int:
    value = args[0] if args else None
    return len(value) if isinstance(value, (str, list, dict)) else 0


HELPERS: dict[str, Helper] = {
    "jsonPath": _json_path,
    "now": _now,
    "date": _now,
    "randomValue": _random_value,
    "randomInt": _random_int,
    "uuid": lambda a, h: str(uuid.uuid4()),
    "upper": lambda a, h: _first(a).upper(),
    "lower": lambda a, h: _first(a).lower(),
    "capitalize": lambda a, h: _first(a).title(),
    "trim": lambda a, h: _first(a).strip(),
    "size": _size,
    "base64": _base64,
    "urlEncode": lambda a, h: (
        unquote_plus(_first(a)) if truthy(h.get("decode")) else quote_plus(_first(a))
    ),
    "regexExtract": _regex_extract,
    "eq": lambda a, h: len(a) > 1 and str(a[0]) == str(a[1]),
    "neq": lambda a, h: len(a) > 1 and str(a[0]) != str(a[1]),
    "gt": lambda a, h: len(a) > 1 and _number(a[0]) > _number(a[1]),
    "gte": lambda a, h: len(a) > 1 and _number(a[0]) >= _number(a[1]),
    "lt": lambda a, h: len(a) > 1 and _number(a[0]) < _number(a[1]),
    "lte": lambda a, h: len(a) > 1 and _number(a[0]) <= _number(a[1]),
    "and": lambda a, h: all(truthy(x) for x in a),
    "or": lambda a, h: any(truthy(x) for x in a),
    "not": lambda a, h: not (a and truthy(a[0])),
    "contains": lambda a, h: (
        len(a) > 1 and str(a[1]) in (a[0] if isinstance(a[0], list) else str(a[0]))
    ),
    "matches": lambda a, h: len(a) > 1 and re.fullmatch(str(a[1]), _first(a)) is not None,
}

BLOCK_HELPERS: dict[str, Callable[[list[Any]], bool]] = {
    "if": lambda a: bool(a) and truthy(a[0]),
    "unless": lambda a: not (a and truthy(a[0])),
}
