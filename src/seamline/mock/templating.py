"""Response templating: the Handlebars dialect of WireMock's `response-template`.

    {{request.path.id}} {{request.query.q.first}} {{jsonPath request.body '$.user'}}
    {{#if a}}..{{else if b}}..{{else}}..{{/if}} {{#each list as |item|}}{{@index}}{{/each}}
    {{#assign 'v'}}..{{/assign}} {{now offset='1 months' timezone='GMT'}}

Output is not HTML-escaped: WireMock 3 turns Handlebars' escaping off, so `{{x}}` and
`{{{x}}}` are the same. A helper name the engine does not know is refused when the
stub is loaded. The request model is in `template_model.py`, helpers in
`template_helpers.py` and its family modules.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from seamline.mock.errors import InvalidMapping
from seamline.mock.template_helpers import HELPERS
from seamline.mock.template_logic import BUILT_IN_BLOCKS
from seamline.mock.template_model import (
    Call,
    PathValue,
    request_context,
    to_text,
)

__all__ = ["Template", "TemplateSyntaxError", "compile_template", "request_context"]

_TAG_END = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\}\}\}?")
_ARG = re.compile(
    r"\s*(?:(?P<key>[\w-]+)=)?(?:(?P<sq>'(?:[^'\\]|\\.)*')|(?P<dq>\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<sub>\()|(?P<num>-?\d+(?:\.\d+)?(?=[\s)]|$))|(?P<path>[^\s()=]+))"
)
_BLOCK_PARAMS = re.compile(r"\s+as\s+\|([^|]*)\|\s*$")


@dataclass
class _Expr:
    name: str
    args: list[Any]
    hash: dict[str, Any]


@dataclass
class _Block:
    name: str
    args: list[Any]
    hash: dict[str, Any]
    params: list[str] = field(default_factory=list)
    body: list[Any] = field(default_factory=list)
    inverse: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class _Path:
    text: str


@dataclass(frozen=True)
class _Sub:
    expr: _Expr


class TemplateSyntaxError(InvalidMapping):
    """A template that cannot be read, or names a helper that does not exist."""


class _Frame(dict[str, Any]):
    """The @index/@key/@first/@last of one #each step and its `as |x|` names."""


class Template:
    def __init__(self, source: str, where: str = "response") -> None:
        self.source = source
        self.nodes = _Parser(where).parse(source)

    def render(self, context: dict[str, Any]) -> str:
        out: list[str] = []
        _render(self.nodes, _Scope([context], {}), out)
        return "".join(out)


_cache: dict[str, Template] = {}


def compile_template(source: str, where: str = "response") -> Template:
    template = _cache.get(source)
    if template is None:
        template = Template(source, where)
        if len(_cache) < 2048:
            _cache[source] = template
    return template


# -- parsing ---------------------------------------------------------------------------


def _tags(source: str) -> list[tuple[int, int, str]]:
    """Each `{{...}}` as (start, end, inner text); a `}}` inside a quoted string does not
    end a tag, so JSON literals can be helper arguments."""
    tags: list[tuple[int, int, str]] = []
    start = source.find("{{")
    while start != -1:
        if source.startswith("{{!--", start):
            end = source.find("--}}", start)
            end = len(source) if end == -1 else end + 4
            tags.append((start, end, "!"))
        else:
            body = start + (3 if source.startswith("{{{", start) else 2)
            pos, end = body, -1
            while (match := _TAG_END.search(source, pos)) is not None:
                if match.group(0).startswith("}"):
                    end = match.end()
                    break
                pos = match.end()
            if end == -1:
                break  # an unclosed `{{` is text, as Handlebars leaves it
            inner = source[body : match.start()] if match else ""
            tags.append((start, end, inner.strip().strip("~").strip()))
        start = source.find("{{", end)
    return tags


class _Parser:
    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, message: str, fix: str = "") -> InvalidMapping:
        return TemplateSyntaxError(self.where, f"template: {message}", fix)

    def parse(self, source: str) -> list[Any]:
        root: list[Any] = []
        # (block, the list it sits in, True when it is an `{{else if}}` link of a chain)
        stack: list[tuple[_Block, list[Any], bool]] = []
        current, pos = root, 0
        for start, end, inner in _tags(source):
            if start > pos:
                current.append(source[pos:start])
            pos = end
            if inner.startswith("!"):
                continue
            if inner.startswith("#"):
                block = self._block(inner[1:])
                current.append(block)
                stack.append((block, current, False))
                current = block.body
            elif inner.startswith("/"):
                current = self._close(inner[1:].strip(), stack)
            elif inner in ("else", "^"):
                if not stack:
                    raise self.fail("{{else}} outside a block")
                current = stack[-1][0].inverse
            elif inner.startswith("else "):
                if not stack:
                    raise self.fail(f"{{{{{inner}}}}} outside a block")
                link = self._block(inner[5:].strip())
                stack[-1][0].inverse = [link]
                stack.append((link, stack[-1][0].inverse, True))
                current = link.body
            else:
                current.append(self._expr(inner.lstrip("&")))
        if stack:
            raise self.fail(f"{{{{#{stack[-1][0].name}}}}} is never closed", "add its {{/...}}")
        if pos < len(source):
            current.append(source[pos:])
        return root

    def _close(self, name: str, stack: list[tuple[_Block, list[Any], bool]]) -> list[Any]:
        while stack and stack[-1][2]:
            stack.pop()
        if not stack or stack[-1][0].name != name:
            raise self.fail(f"unexpected {{{{/{name}}}}}", "close blocks in the order they open")
        return stack.pop()[1]

    def _block(self, text: str) -> _Block:
        params: list[str] = []
        found = _BLOCK_PARAMS.search(text)
        if found:
            params, text = found.group(1).split(), text[: found.start()]
        expr = self._expr(text, block=True)
        if expr.name not in HELPERS and expr.name not in BUILT_IN_BLOCKS:
            raise self.fail(
                f"unknown block helper {{{{#{expr.name}}}}}",
                "use one of WireMock's helpers (docs/mock.md lists them)",
            )
        return _Block(expr.name, expr.args, expr.hash, params)

    def _expr(self, text: str, block: bool = False) -> _Expr:
        items, rest = self._args(text)
        if rest.strip():
            raise self.fail(f"cannot read {text!r} near {rest!r}")
        if not items or items[0][0] is not None or not isinstance(items[0][1], _Path):
            raise self.fail(f"expected a helper or a path in {{{{{text}}}}}")
        return self._call(items, block)

    def _call(self, items: list[tuple[str | None, Any]], block: bool = False) -> _Expr:
        name = items[0][1].text if isinstance(items[0][1], _Path) else str(items[0][1])
        args = [v for k, v in items[1:] if k is None]
        hash_ = {k: v for k, v in items[1:] if k is not None}
        if (args or hash_) and name not in HELPERS and not (block and name in BUILT_IN_BLOCKS):
            raise self.fail(
                f"unknown helper {name!r}",
                "use one of WireMock's helpers (docs/mock.md lists them)",
            )
        return _Expr(name, args, hash_)

    def _args(self, text: str) -> tuple[list[tuple[str | None, Any]], str]:
        items: list[tuple[str | None, Any]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "" or text[pos:].lstrip().startswith(")"):
                break
            match = _ARG.match(text, pos)
            if match is None:
                raise self.fail(f"cannot read {text!r} at {pos}")
            key, pos = match.group("key"), match.end()
            value: Any
            if match.group("sub"):
                inner, tail = self._args(text[pos:])
                if not tail.lstrip().startswith(")") or not inner:
                    raise self.fail(f"unclosed ( in {text!r}")
                pos += len(text) - pos - len(tail.lstrip()) + 1
                value = _Sub(self._call(inner))
            elif match.group("sq"):
                value = match.group("sq")[1:-1].replace("\\'", "'")
            elif match.group("dq"):
                value = match.group("dq")[1:-1].replace('\\"', '"')
            elif match.group("num"):
                number = match.group("num")
                value = float(number) if "." in number else int(number)
            else:
                path = match.group("path")
                value = {"true": True, "false": False, "null": None}.get(path, _Path(path))
            items.append((key, value))
        return items, text[pos:]


# -- rendering ---------------------------------------------------------------------------


@dataclass
class _Scope:
    contexts: list[Any]  # innermost last; _Frame entries carry @data and block params
    variables: dict[str, Any]  # set by assign, regexExtract, formData, parseJson, val

    def push(self, *contexts: Any) -> _Scope:
        return _Scope([*self.contexts, *contexts], self.variables)

    def lookup(self, path: str) -> Any:
        if path in ("this", "."):
            return self._innermost()
        if path.startswith("@"):
            body, up = path[1:], 0
            while body.startswith("../"):  # `@../index`: the enclosing #each's data
                body, up = body[3:], up + 1
            name, _, rest = body.partition(".")
            if name == "root":
                return _walk(self.contexts[0], _split(rest))[1]
            frames = [c for c in reversed(self.contexts) if isinstance(c, _Frame) and c]
            return frames[up].get("@" + name) if up < len(frames) else None
        if path.startswith("../"):  # the context around the innermost #each / #with
            outer = [c for c in self.contexts if not isinstance(c, _Frame)][:-1] or self.contexts
            return _Scope(outer, self.variables).lookup(path[3:])
        parts = _split(path)
        if not parts:
            return None
        if parts[0] in ("this", "."):
            return _walk(self._innermost(), parts[1:])[1]
        for context in reversed(self.contexts):
            found, value = _walk(context, parts)
            if found:
                return value
        found, value = _walk(self.variables, parts)
        return value if found else None

    def _innermost(self) -> Any:
        return next((c for c in reversed(self.contexts) if not isinstance(c, _Frame)), None)


@functools.lru_cache(maxsize=4096)
def _split(path: str) -> tuple[str, ...]:
    parts = re.findall(r"\[[^\]]*\]|[^./]+", path)
    return tuple(p[1:-1] if p.startswith("[") else p for p in parts)


def _walk(value: Any, parts: Sequence[str]) -> tuple[bool, Any]:
    for part in parts:
        if isinstance(value, dict):  # the common case first: templates render per request
            if part in value:
                value = value[part]
            elif part.lower() in value:
                value = value[part.lower()]
            else:
                return False, None
            continue
        member = getattr(type(value), "member", None)
        found, picked = member(value, part) if member is not None else (False, None)
        if found:
            value = picked
        elif isinstance(value, PathValue) and part in value.parameters:
            value = value.parameters[part]
        elif isinstance(value, PathValue):
            found, value = _index(value.segments, part)
            if not found:
                return False, None
        elif isinstance(value, list):
            found, value = _index(value, part)
            if not found:
                return False, None
        else:
            return False, None
    return True, value


def _index(items: list[Any], part: str) -> tuple[bool, Any]:
    if not part.lstrip("-").isdigit():
        return False, None
    index = int(part)
    return (True, items[index]) if -len(items) <= index < len(items) else (False, None)


def _value(arg: Any, scope: _Scope) -> Any:
    if isinstance(arg, _Path):
        return scope.lookup(arg.text)
    if isinstance(arg, _Sub):
        return _call(arg.expr, scope)
    return arg


def _call(expr: _Expr, scope: _Scope) -> Any:
    helper = HELPERS.get(expr.name)
    if helper is None:
        return scope.lookup(expr.name)
    args = [_value(a, scope) for a in expr.args]
    return helper(Call(args, {k: _value(v, scope) for k, v in expr.hash.items()}, scope.variables))


def _render(nodes: list[Any], scope: _Scope, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Expr):
            out.append(to_text(_call(node, scope)))
        else:
            out.append(to_text(_render_block(node, scope)))


def _render_block(block: _Block, scope: _Scope) -> Any:
    args = [_value(a, scope) for a in block.args]
    hash_ = {k: _value(v, scope) for k, v in block.hash.items()}

    def fn(context: Any = scope, frame: dict[str, Any] | None = None) -> str:
        inner = scope if context is scope else scope.push(_Frame(frame or {}), context)
        out: list[str] = []
        _render(block.body, inner, out)
        return "".join(out)

    def inverse() -> str:
        out: list[str] = []
        _render(block.inverse, scope, out)
        return "".join(out)

    call = Call(args, hash_, scope.variables, fn, inverse, block.params)
    built_in = BUILT_IN_BLOCKS.get(block.name)
    return built_in(call) if built_in is not None else HELPERS[block.name](call)
