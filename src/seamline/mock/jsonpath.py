"""A small JSONPath evaluator in the Jayway dialect WireMock uses.

Supported: `$`, `.name`, `['name']`, `.*`, `[*]`, `..name`, `[0]`, `[-1]`, `[0,2]`,
`[1:3]`, filters `[?(@.price < 10 && @.tag == 'x')]` with `== != < <= > >= =~ /re/`
and Jayway's `in nin subsetof anyof noneof size empty` (`[?(@.tag in ['a','b'])]`),
an existence filter `[?(@.isbn)]`, and a trailing `.length()` / `.size()`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from seamline.mock.java_regex import JavaRegexError, compile_java

Step = Callable[[list[Any]], list[Any]]


class JsonPathError(ValueError):
    pass


_INDEFINITE = re.compile(r"\.\.|\*|\[\s*\?|\[[^\]]*[:,][^\]]*\]")


class CompiledPath:
    def __init__(self, expression: str, steps: list[Step]) -> None:
        self.expression = expression
        self._steps = steps
        # Jayway answers a list for a path that can select several nodes, even one or none
        self.definite = _INDEFINITE.search(expression) is None

    def find(self, document: Any, leaf_to_null: bool = False) -> list[Any]:
        """The selected nodes. With `leaf_to_null`, an object lacking the last member
        named gives a null, as Jayway's DEFAULT_PATH_LEAF_TO_NULL (WireMock's templates)."""
        nodes = [document]
        last = len(self._steps) - 1
        for index, step in enumerate(self._steps):
            if leaf_to_null and index == last and isinstance(step, _Member):
                return [n.get(step.name) for n in nodes if isinstance(n, dict)]
            nodes = step(nodes)
            if not nodes:
                break
        return nodes


_cache: dict[str, CompiledPath] = {}


def compile_path(expression: str) -> CompiledPath:
    cached = _cache.get(expression)
    if cached is None:
        text = expression.strip()
        if not text.startswith(("$", "@")):
            text = "$." + text  # Jayway accepts `name.sub` as `$.name.sub`
        cached = CompiledPath(expression, _Parser(text).steps())
        if len(_cache) < 4096:
            _cache[expression] = cached
    return cached


def as_text(value: Any) -> str:
    """How a selected value is compared with a string matcher (as Jayway renders it)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def java_double(value: float) -> str:
    """Java's Double.toString: `1.0`, `0.001`, `1.0E10`, `1.5E-4`."""
    if not math.isfinite(value):
        return {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}[repr(value)]
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        return repr(value)
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    power = int(exponent) + len(text) - 1
    return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{power}"


def java_string(value: Any) -> str:
    """A value selected inside a list, as Java's toString writes it (json-smart's maps are
    LinkedHashMaps, `{a=1, b=x}`; its lists write compact JSON)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={java_string(v)}" for k, v in value.items()) + "}"
    return as_text(value)


def jackson_pretty(value: Any, level: int = 0, drop_nulls: bool = True) -> str:
    """JSON as Jackson's default pretty printer writes it (`"a" : 1`, `[ 1, 2 ]`); WireMock's
    mapper leaves out null members of objects, formatJson keeps them."""
    if isinstance(value, dict):
        pad = "  " * (level + 1)
        items = [
            f"{pad}{json.dumps(k)} : {jackson_pretty(v, level + 1, drop_nulls)}"
            for k, v in value.items()
            if v is not None or not drop_nulls
        ]
        if not items:
            return "{ }"
        return "{\n" + ",\n".join(items) + "\n" + "  " * level + "}"
    if isinstance(value, list):
        if not value:
            return "[ ]"
        # Jackson writes arrays inline: they do not indent the objects inside them
        return "[ " + ", ".join(jackson_pretty(v, level, drop_nulls) for v in value) + " ]"
    return json.dumps(value, ensure_ascii=False)


def _children(nodes: list[Any], name: str) -> list[Any]:
    return [n[name] for n in nodes if isinstance(n, dict) and name in n]


def _all_children(nodes: list[Any]) -> list[Any]:
    out: list[Any] = []
    for n in nodes:
        if isinstance(n, dict):
            out.extend(n.values())
        elif isinstance(n, list):
            out.extend(n)
    return out


def _descendants(nodes: list[Any]) -> list[Any]:
    out: list[Any] = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return out


class _Member:
    """The `.name` step, a class so `find` can tell a leaf member from other steps."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, nodes: list[Any]) -> list[Any]:
        return _children(nodes, self.name)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 1  # after the leading $ or @

    def fail(self, reason: str) -> JsonPathError:
        return JsonPathError(f"{reason} at position {self.pos} of {self.text!r}")

    def steps(self) -> list[Step]:
        steps: list[Step] = []
        text = self.text
        while self.pos < len(text):
            if text.startswith("..", self.pos):
                self.pos += 2
                steps.append(_descendants)
                if self.pos < len(text) and text[self.pos] == "[":
                    continue
                steps.append(self._dot_member())
            elif text[self.pos] == ".":
                self.pos += 1
                steps.append(self._dot_member())
            elif text[self.pos] == "[":
                steps.append(self._bracket())
            else:
                raise self.fail(f"unexpected {text[self.pos]!r}")
        return steps

    def _dot_member(self) -> Step:
        match = re.compile(r"\*|[^.\[\]()\s]+(\(\))?").match(self.text, self.pos)
        if match is None:
            raise self.fail("expected a member name")
        self.pos = match.end()
        name = match.group(0)
        if name == "*":
            return _all_children
        if name in ("length()", "size()"):  # Jayway counts arrays and objects, not text
            return lambda nodes: [len(n) for n in nodes if isinstance(n, (list, dict))]
        return _Member(name)

    def _bracket(self) -> Step:
        end = self._matching_bracket()
        inner = self.text[self.pos + 1 : end].strip()
        self.pos = end + 1
        if inner == "*":
            return _all_children
        if inner.startswith("?"):
            return _filter_step(_parse_condition(inner[1:].strip()))
        if inner[:1] in ("'", '"'):
            names = [n.strip()[1:-1] for n in inner.split(",")]
            return lambda nodes: [v for name in names for v in _children(nodes, name)]
        if ":" in inner:
            bounds = [int(b) if b.strip() else None for b in inner.split(":")[:3]]
            return lambda nodes: [
                v for n in nodes if isinstance(n, list) for v in n[slice(*bounds)]
            ]
        try:
            indexes = [int(i) for i in inner.split(",")]
        except ValueError:
            raise self.fail(
                f"expected an index, a quoted name, * or a filter, found {inner!r}"
            ) from None
        return lambda nodes: [
            n[i] for n in nodes if isinstance(n, list) for i in indexes if -len(n) <= i < len(n)
        ]

    def _matching_bracket(self) -> int:
        depth, quote = 0, ""
        for index in range(self.pos, len(self.text)):
            char = self.text[index]
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
                if depth == 0:
                    return index
        raise self.fail("unclosed [")


_TOKEN = re.compile(
    r"\s*(?:(?P<op>==|!=|<=|>=|=~|<|>|&&|\|\||(?:nin|in|subsetof|anyof|noneof|size|empty)\b)"
    r"|(?P<regex>/(?:\\.|[^/])*/[a-z]*)|(?P<array>\[[^\]]*\])"
    r"|(?P<str>'(?:\\.|[^'])*'|\"(?:\\.|[^\"])*\")|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<word>true|false|null)|(?P<path>[@$](?:\(\)|[^\s=!<>&|()])*))"
)

Condition = Callable[[Any], bool]


def _parse_condition(text: str) -> Condition:
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text.rstrip()):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise JsonPathError(f"cannot read the filter {text!r} at position {pos}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    groups: list[list[list[tuple[str, str]]]] = [[[]]]
    for token in tokens:
        if token == ("op", "||"):
            groups.append([[]])
        elif token == ("op", "&&"):
            groups[-1].append([])
        else:
            groups[-1][-1].append(token)
    alternatives = [[_term(term, text) for term in group] for group in groups]
    return lambda node: any(all(c(node) for c in group) for group in alternatives)


def _term(term: list[tuple[str, str]], text: str) -> Condition:
    if len(term) == 1 and term[0][0] == "path":
        return _exists(term[0][1])
    if len(term) == 3 and term[1][0] == "op":
        return _comparison(term[0], term[1][1], term[2])
    raise JsonPathError(f"expected `@.x`, or `@.x <op> value`, in the filter {text!r}")


def _operand(token: tuple[str, str]) -> Callable[[Any], list[Any]]:
    kind, value = token
    if kind == "path":
        path = compile_path(value)
        return path.find
    if kind == "str":
        literal: Any = value[1:-1]
    elif kind == "num":
        literal = float(value) if "." in value else int(value)
    elif kind == "word":
        literal = json.loads(value)
    elif kind == "array":
        literal = _array_literal(value)
    else:
        literal = value
    return lambda node: [literal]


def _exists(path: str) -> Condition:
    compiled = compile_path(path)
    return lambda node: bool(compiled.find(node))


def _comparison(left: tuple[str, str], op: str, right: tuple[str, str]) -> Condition:
    get_left = _operand(left)
    if op == "=~":
        body, _, flags = right[1][1:].rpartition("/")
        try:  # Jayway runs Java regexes
            regex = compile_java(body, re.IGNORECASE if "i" in flags else 0)
        except (re.error, JavaRegexError) as exc:
            raise JsonPathError(f"invalid regular expression /{body}/: {exc}") from None
        return lambda node: any(isinstance(v, str) and regex.fullmatch(v) for v in get_left(node))
    get_right = _operand(right)
    compare = _COMPARE[op]

    def condition(node: Any) -> bool:
        lefts = get_left(node)
        if not lefts:  # Jayway: a missing member is "undefined", unequal to anything
            return op in ("!=", "nin")
        for a in lefts:
            for b in get_right(node):
                try:
                    if compare(a, b):
                        return True
                except TypeError:
                    continue
        return False

    return condition


def _array_literal(text: str) -> list[Any]:
    """`['a', "b", 1, true]` in a filter."""
    items: list[Any] = []
    for match in _TOKEN.finditer(text[1:-1].replace(",", " ")):
        kind = match.lastgroup or ""
        if kind not in ("str", "num", "word"):
            raise JsonPathError(f"cannot read the array {text!r}")
        items.append(_operand((kind, match.group(kind)))(None)[0])
    return items


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _contains(values: list[Any], item: Any) -> bool:
    return any(_COMPARE["=="](item, v) for v in values)


def _equal(a: Any, b: Any) -> bool:
    """Jayway's `==`: a number equals a string that reads as that number (`1 == '1'`)."""
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    for number, text in ((a, b), (b, a)):
        if isinstance(number, (int, float)) and isinstance(text, str):
            try:
                return float(text) == number
            except ValueError:
                return False
    return bool(a == b)


def _sized(a: Any) -> bool:
    return isinstance(a, (str, list, dict))


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "in": lambda a, b: _contains(_as_list(b), a),
    "nin": lambda a, b: not _contains(_as_list(b), a),
    "subsetof": lambda a, b: isinstance(a, list) and all(_contains(_as_list(b), x) for x in a),
    "anyof": lambda a, b: isinstance(a, list) and any(_contains(_as_list(b), x) for x in a),
    "noneof": lambda a, b: isinstance(a, list) and not any(_contains(_as_list(b), x) for x in a),
    "size": lambda a, b: _sized(a) and len(a) == b and not isinstance(b, bool),
    "empty": lambda a, b: _sized(a) and (len(a) == 0) == b,
    "==": _equal,
    "!=": lambda a, b: not _equal(a, b),
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _filter_step(condition: Condition) -> Step:
    def step(nodes: list[Any]) -> list[Any]:
        out: list[Any] = []
        for node in nodes:
            items = node if isinstance(node, list) else [node] if isinstance(node, dict) else []
            out.extend(item for item in items if condition(item))
        return out

    return step
