"""Response templating: the Handlebars subset WireMock's `response-template` offers.

    {{request.path}} {{request.path.[0]}} {{request.query.q}} {{request.headers.X-Id}}
    {{request.cookies.session}} {{request.body}} {{request.method}} {{request.url}}
    {{jsonPath request.body '$.name'}} {{now offset='3 days' format='yyyy-MM-dd'}}
    {{randomValue length=8 type='ALPHANUMERIC' uppercase=true}} {{randomInt lower=1 upper=9}}
    {{uuid}} {{#if (eq request.method 'POST')}}...{{else}}...{{/if}} {{#each ...}}{{this}}{{/each}}

`{{x}}` HTML-escapes its output as Handlebars does; `{{{x}}}` does not.
Helpers live in `template_helpers.py`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from seamline.mock.errors import InvalidMapping
from seamline.mock.incoming import ReceivedRequest
from seamline.mock.template_helpers import BLOCK_HELPERS, HELPERS, ListValue, PathValue, truthy

_TAG = re.compile(r"\{\{(\{?)(~?)\s*(.*?)\s*(~?)\}?\}\}", re.DOTALL)
_ARG = re.compile(
    r"\s*(?:(?P<key>[\w-]+)=)?(?:(?P<sq>'(?:[^'\\]|\\.)*')|(?P<dq>\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<sub>\()|(?P<num>-?\d+(?:\.\d+)?(?=[\s)]|$))|(?P<path>[^\s()=]+))"
)


@dataclass
class _Expr:
    name: str
    args: list[Any]
    hash: dict[str, Any]
    escape: bool = True


@dataclass
class _Block:
    name: str
    args: list[Any]
    hash: dict[str, Any]
    body: list[Any] = field(default_factory=list)
    inverse: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class _Path:
    text: str


@dataclass(frozen=True)
class _Sub:
    expr: _Expr


class Template:
    def __init__(self, source: str, where: str = "response") -> None:
        self.source = source
        self.nodes = _parse(source, where)

    def render(self, context: dict[str, Any]) -> str:
        out: list[str] = []
        _render(self.nodes, [context], out)
        return "".join(out)


_cache: dict[str, Template] = {}


def compile_template(source: str, where: str = "response") -> Template:
    template = _cache.get(source)
    if template is None:
        template = Template(source, where)
        if len(_cache) < 2048:
            _cache[source] = template
    return template


def request_context(
    request: ReceivedRequest, parameters: dict[str, Any] | None = None
) -> dict[str, Any]:
    headers = {}
    for name in request.headers.names():
        headers[name.lower()] = ListValue(request.headers.get_all(name))
    return {
        "request": {
            "url": request.url,
            "path": PathValue(request.path, request.path_segments),
            "pathSegments": ListValue(request.path_segments),
            "query": {k: ListValue(v) for k, v in request.query.items()},
            "headers": headers,
            "cookies": {k: ListValue(v) for k, v in request.cookies.items()},
            "body": request.text,
            "bodyAsBase64": __import__("base64").b64encode(request.body).decode(),
            "method": request.method,
            "baseUrl": request.base_url,
            "clientIp": request.client_ip,
            "id": request.id,
        },
        "parameters": parameters or {},
    }


# -- parsing ---------------------------------------------------------------------------


def _parse(source: str, where: str) -> list[Any]:
    root: list[Any] = []
    stack: list[tuple[_Block, list[Any]]] = []
    current = root
    pos = 0
    for match in _TAG.finditer(source):
        if match.start() > pos:
            current.append(source[pos : match.start()])
        pos = match.end()
        raw, inner = match.group(1) == "{", match.group(3)
        if inner.startswith("!"):
            continue
        if inner.startswith("#"):
            name, args, hash_ = _parse_call(inner[1:], where)
            if name not in ("each", "with") and name not in BLOCK_HELPERS and name not in HELPERS:
                raise InvalidMapping(where, f"template: unknown block helper {{{{#{name}}}}}")
            block = _Block(name, args, hash_)
            current.append(block)
            stack.append((block, current))
            current = block.body
        elif inner.startswith("/"):
            if not stack or stack[-1][0].name != inner[1:].strip():
                raise InvalidMapping(
                    where, f"template: unexpected {{{{{inner}}}}}", "close blocks in order"
                )
            current = stack.pop()[1]
        elif inner in ("else", "^") and stack:
            current = stack[-1][0].inverse
        else:
            name, args, hash_ = _parse_call(inner, where)
            current.append(_Expr(name, args, hash_, escape=not raw))
    if stack:
        raise InvalidMapping(where, f"template: {{{{#{stack[-1][0].name}}}}} is never closed")
    if pos < len(source):
        current.append(source[pos:])
    return root


def _parse_call(text: str, where: str) -> tuple[str, list[Any], dict[str, Any]]:
    items, rest = _parse_args(text, where)
    if rest.strip():
        raise InvalidMapping(where, f"template: cannot read {text!r} near {rest!r}")
    if not items or items[0][0] is not None or not isinstance(items[0][1], _Path):
        raise InvalidMapping(where, f"template: expected a helper or a path in {{{{{text}}}}}")
    name = items[0][1].text
    args = [v for k, v in items[1:] if k is None]
    return name, args, {k: v for k, v in items[1:] if k is not None}


def _parse_args(text: str, where: str) -> tuple[list[tuple[str | None, Any]], str]:
    items: list[tuple[str | None, Any]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "" or text[pos:].lstrip().startswith(")"):
            break
        match = _ARG.match(text, pos)
        if match is None:
            raise InvalidMapping(where, f"template: cannot read {text!r} at {pos}")
        key, pos = match.group("key"), match.end()
        value: Any
        if match.group("sub"):
            inner, tail = _parse_args(text[pos:], where)
            if not tail.lstrip().startswith(")") or not inner:
                raise InvalidMapping(where, f"template: unclosed ( in {text!r}")
            consumed = len(text) - pos - len(tail.lstrip()) + 1
            pos += consumed
            name = inner[0][1].text if isinstance(inner[0][1], _Path) else str(inner[0][1])
            sub_args = [v for k, v in inner[1:] if k is None]
            value = _Sub(_Expr(name, sub_args, {k: v for k, v in inner[1:] if k is not None}))
        elif match.group("sq") or match.group("dq"):
            value = (match.group("sq") or match.group("dq"))[1:-1]
        elif match.group("num"):
            number = match.group("num")
            value = float(number) if "." in number else int(number)
        else:
            path = match.group("path")
            value = {"true": True, "false": False, "null": None}.get(path, _Path(path))
        items.append((key, value))
    return items, text[pos:]


# -- rendering ---------------------------------------------------------------------------


def _lookup(path: str, scopes: list[Any]) -> Any:
    if path in ("this", "."):
        return scopes[-1]
    if path.startswith("@"):
        return scopes[-1].get(path) if isinstance(scopes[-1], dict) else None
    parts = [p[1:-1] if p.startswith("[") else p for p in re.findall(r"\[[^\]]*\]|[^.]+", path)]
    if parts and parts[0] == "this":
        parts, scope_list = parts[1:], [scopes[-1]]
    else:
        scope_list = list(reversed(scopes))
    for scope in scope_list:
        found, value = _walk(scope, parts)
        if found:
            return value
    return None


def _walk(value: Any, parts: list[str]) -> tuple[bool, Any]:
    for part in parts:
        if isinstance(value, PathValue) and part.lstrip("-").isdigit():
            value = value.segments
        if isinstance(value, dict):
            if part in value:
                value = value[part]
            elif part.lower() in value:
                value = value[part.lower()]
            else:
                return False, None
        elif isinstance(value, list) and part.lstrip("-").isdigit():
            index = int(part)
            if not -len(value) <= index < len(value):
                return False, None
            value = value[index]
        else:
            return False, None
    return True, value


def _value(arg: Any, scopes: list[Any]) -> Any:
    if isinstance(arg, _Path):
        return _lookup(arg.text, scopes)
    if isinstance(arg, _Sub):
        return _call(arg.expr, scopes)
    return arg


def _call(expr: _Expr, scopes: list[Any]) -> Any:
    args = [_value(a, scopes) for a in expr.args]
    hash_ = {k: _value(v, scopes) for k, v in expr.hash.items()}
    helper = HELPERS.get(expr.name)
    if helper is not None:
        return helper(args, hash_)
    return _lookup(expr.name, scopes)


def _render(nodes: list[Any], scopes: list[Any], out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Expr):
            value = _call(node, scopes)
            text = "" if value is None else _text(value)
            out.append(html.escape(text).replace("&#x27;", "&#x27;") if node.escape else text)
        else:
            _render_block(node, scopes, out)


def _render_block(block: _Block, scopes: list[Any], out: list[str]) -> None:
    args = [_value(a, scopes) for a in block.args]
    if block.name == "each":
        items = args[0] if args else None
        entries = list(items.items()) if isinstance(items, dict) else list(enumerate(items or []))
        if not entries:
            _render(block.inverse, scopes, out)
        for index, (key, item) in enumerate(entries):
            frame = {
                "@index": index,
                "@key": key,
                "@first": index == 0,
                "@last": index == len(entries) - 1,
            }
            _render(block.body, [*scopes, frame, item], out)
        return
    if block.name == "with":
        _render(block.body, [*scopes, args[0] if args else None], out)
        return
    condition = BLOCK_HELPERS.get(block.name)
    if condition is None:
        helper = HELPERS.get(block.name)
        if helper is None:
            raise InvalidMapping("template", f"unknown block helper #{block.name}")
        verdict = truthy(helper(args, {k: _value(v, scopes) for k, v in block.hash.items()}))
    else:
        verdict = condition(args)
    _render(block.body if verdict else block.inverse, scopes, out)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)) and not isinstance(value, ListValue):
        import json

        return json.dumps(value, separators=(",", ":"))
    return str(value)
