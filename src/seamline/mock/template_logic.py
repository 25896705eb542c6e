"""Logic, number, list and variable helpers: eq/neq/gt/..., and/or/not, contains,
matches, size, math, range, array, arrayAdd/arrayRemove, pickRandom, randomInt,
randomDecimal, val, assign, lookup; and the built-in blocks if, unless, each, with."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from seamline.mock.template_model import (
    Call,
    ListValue,
    PathValue,
    TemplateError,
    handle_error,
    to_text,
    truthy,
)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(to_text(value))
    except ValueError:
        return None


def _operand(value: Any) -> Any:
    """A request value (a query parameter, a header) compares as the text it renders to;
    WireMock compares its Java list object, which never equals a string."""
    return to_text(value) if isinstance(value, ListValue) else value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(a: Any, b: Any) -> bool:
    """Java's equals as Handlebars.java's eq uses it: numbers by value, and a string
    never equals a number."""
    a, b = _operand(a), _operand(b)
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if _is_number(a) != _is_number(b):
        return False
    if isinstance(a, (str, bool)) or a is None or isinstance(b, (str, bool)) or b is None:
        return bool(a == b)
    return to_text(a) == to_text(b)


def _compare(call: Call, test: Any) -> Any:
    """Numbers by value, strings in dictionary order; a number against numeric text
    compares as numbers (WireMock answers 500 there)."""
    a, b = _operand(call.arg(0)), _operand(call.arg(1))
    if _is_number(a) != _is_number(b):
        a, b = _number(a), _number(b)
        if a is None or b is None:
            raise TemplateError(f"cannot compare {call.arg(0)!r} with {call.arg(1)!r}")
    elif not _is_number(a):
        a, b = to_text(a), to_text(b)
    return call.branch(bool(test(a, b)))


def _contains(call: Call) -> Any:
    container, wanted = call.arg(0), call.arg(1)
    if container is None or wanted is None:
        return False
    if not isinstance(wanted, str):
        raise TemplateError(f"contains: the value to look for must be a string, found {wanted!r}")
    if isinstance(container, list):
        found = any(_equal(item, wanted) for item in container)
    else:
        found = to_text(wanted) in to_text(container)
    # WireMock's block form renders nothing, not the {{else}}, when there is no match
    return (call.fn() if found else "") if call.fn is not None else found


def _matches(call: Call) -> Any:
    if len(call.args) < 2:
        return handle_error("You must specify the string to be matched and the regular expression")
    found = re.fullmatch(to_text(call.arg(1)), to_text(call.arg(0))) is not None
    return (call.fn() if found else "") if call.fn is not None else found


def _size(call: Call) -> Any:
    value = call.arg(0)
    return len(value) if isinstance(value, (str, list, dict)) else None


def _decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(to_text(value))
    except InvalidOperation:
        return Decimal(0)


def _math(call: Call) -> Any:
    """BigDecimal arithmetic as WireMock's MathsHelper does: `/` keeps the left scale."""
    if len(call.args) != 3:
        return handle_error(
            "All maths functions require two operands and an operator as parameters e.g. 3 '+' 2"
        )
    left, operator, right = _decimal(call.arg(0)), to_text(call.arg(1)), _decimal(call.arg(2))
    try:
        if operator == "+":
            result = left + right
        elif operator == "-":
            result = left - right
        elif operator in ("*", "x"):
            result = left * right
        elif operator == "/":
            exponent = left.as_tuple().exponent
            scale = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
            result = (left / right).quantize(scale, ROUND_HALF_UP)
        elif operator == "%":
            result = left % right
        else:
            return handle_error(f"{operator} is not a valid mathematical operator")
    except (InvalidOperation, ZeroDivisionError):
        raise TemplateError(f"math: cannot compute {left} {operator} {right}") from None
    return int(result) if result.as_tuple().exponent == 0 else float(result)


def _range(call: Call) -> Any:
    try:
        low, high = int(to_text(call.arg(0))), int(to_text(call.arg(1)))
    except ValueError:
        return handle_error(
            "The range helper requires both lower and upper bounds as integer parameters"
        )
    if high - low + 1 < 0:
        raise TemplateError(f"range: the upper bound {high} is below the lower bound {low}")
    return list(range(low, high + 1))


_POSITION = (
    "position must be greater than or equal to 0 and less than or equal to the size of the list"
)


def _position(call: Call, size: int) -> int | None:
    spec = call.hash.get("position", "end")
    if str(spec).lower() == "start":
        return 0
    if str(spec).lower() == "end":
        return None
    return int(spec)


def _array_add(call: Call) -> Any:
    items = list(call.arg(0) or [])
    if len(call.args) < 2:
        return handle_error("Missing required parameter: additional value to add to list")
    position = _position(call, len(items))
    if position is None:
        items.append(call.arg(1))
    elif 0 <= position <= len(items):
        items.insert(position, call.arg(1))
    else:
        return handle_error(_POSITION)
    return items


def _array_remove(call: Call) -> Any:
    items = list(call.arg(0) or [])
    position = _position(call, len(items))
    index = len(items) - 1 if position is None else position
    if not 0 <= index < len(items):
        return handle_error(_POSITION)
    del items[index]
    return items


def _pick_random(call: Call) -> Any:
    first = call.arg(0)
    if first is None:
        return handle_error(
            "Must specify either a single list argument or a set of single value arguments."
        )
    values = list(first) if isinstance(first, list) else list(call.args)
    count = call.hash.get("count")
    if isinstance(count, int) and count > 0:
        return random.sample(values, min(count, len(values)))
    return random.choice(values)


def _random_int(call: Call) -> int:
    lower, upper = int(call.hash.get("lower", -(2**31))), int(call.hash.get("upper", 2**31 - 1))
    if upper <= lower:
        raise TemplateError(
            f"randomInt: upper ({upper}) must be greater than lower ({lower}); upper is exclusive"
        )
    return random.randrange(lower, upper)


def _random_decimal(call: Call) -> float:
    lower = float(call.hash.get("lower", 5e-324))
    upper = float(call.hash.get("upper", 1.7976931348623157e308))
    if upper <= lower:
        raise TemplateError(f"randomDecimal: upper ({upper}) must be greater than lower ({lower})")
    return random.uniform(lower, upper)


def _val(call: Call) -> Any:
    value = call.arg(0)
    if value is None:
        value = call.hash.get("or", call.hash.get("default"))
    if call.hash.get("assign") is not None:
        call.variables[to_text(call.hash["assign"])] = value
        return None
    return value


def _assign(call: Call) -> None:
    if call.fn is not None:
        call.variables[to_text(call.arg(0))] = call.fn()
    else:
        call.variables[to_text(call.arg(0))] = call.arg(1)


def _lookup(call: Call) -> Any:
    container, key = call.arg(0), call.arg(1)
    if isinstance(container, dict):
        return container.get(to_text(key))
    if isinstance(container, list) and _number(key) is not None:
        index = int(_number(key) or 0)
        return container[index] if -len(container) <= index < len(container) else None
    return None


def _each(call: Call) -> str:
    items = call.arg(0)
    if isinstance(items, PathValue):
        items = items.segments
    entries = list(items.items()) if isinstance(items, dict) else list(enumerate(items or []))
    if not entries or call.fn is None:
        return call.inverse() if call.inverse is not None else ""
    pieces = []
    for index, (key, item) in enumerate(entries):
        frame = {
            "@index": index,
            "@key": key,
            "@first": index == 0,
            "@last": index == len(entries) - 1,
        }
        frame.update(zip(call.params, (item, key), strict=False))
        pieces.append(call.fn(item, frame))
    return "".join(pieces)


def _with(call: Call) -> str:
    value = call.arg(0)
    if not truthy(value) or call.fn is None:
        return call.inverse() if call.inverse is not None else ""
    return call.fn(value, dict(zip(call.params, (value,), strict=False)))


BUILT_IN_BLOCKS: dict[str, Callable[[Call], Any]] = {
    "if": lambda call: call.branch(truthy(call.arg(0))),
    "unless": lambda call: call.branch(not truthy(call.arg(0))),
    "each": _each,
    "with": _with,
}


LOGIC_HELPERS = {
    "eq": lambda c: c.branch(_equal(c.arg(0), c.arg(1))),
    "neq": lambda c: c.branch(not _equal(c.arg(0), c.arg(1))),
    "gt": lambda c: _compare(c, lambda a, b: a > b),
    "gte": lambda c: _compare(c, lambda a, b: a >= b),
    "lt": lambda c: _compare(c, lambda a, b: a < b),
    "lte": lambda c: _compare(c, lambda a, b: a <= b),
    "and": lambda c: c.branch(all(truthy(a) for a in c.args)),
    # without arguments Handlebars.java tests the current context, which is never empty
    "or": lambda c: c.branch(any(truthy(a) for a in c.args) if c.args else True),
    "not": lambda c: c.branch(not truthy(c.arg(0)) if c.args else False),
    "contains": _contains,
    "matches": _matches,
    "size": _size,
    "math": _math,
    "range": _range,
    "array": lambda c: list(c.args),
    "arrayAdd": _array_add,
    "arrayRemove": _array_remove,
    "pickRandom": _pick_random,
    "randomInt": _random_int,
    "randomDecimal": _random_decimal,
    "val": _val,
    "assign": _assign,
    "lookup": _lookup,
    "log": lambda c: None,
}
