"""XML helpers: xPath, soapXPath and formatXml over the standard library's ElementTree.

XPath is 1.0, run by elementpath as the `matchesXPath` matcher runs it. Elements are
matched by local name, so an unprefixed path finds elements in a default namespace
(and soapXPath's `/Envelope/Body`) while a prefixed step finds nothing — both as
WireMock's XPath without a namespace context behaves. Elements render as WireMock
writes them: indented, text-only elements on one line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from seamline.mock.template_model import Call, ListValue, handle_error, to_text

_PREFIXED_STEP = re.compile(r"(?:^|/)[\w.-]+:[\w*]")


def _strip_namespaces(root: ET.Element) -> ET.Element:
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
        for name in [n for n in element.attrib if n.startswith("{")]:
            element.attrib[name.rpartition("}")[2]] = element.attrib.pop(name)
    return root


def _select(root: ET.Element, expression: str) -> Any:
    """XPath 1.0 over the namespace-stripped document; a prefixed step finds nothing."""
    if _PREFIXED_STEP.search(re.sub(r"\[[^\]]*\]|'[^']*'|\"[^\"]*\"", "", expression)):
        return []
    # imported here, as in patterns_xml: ~0.3 s of every start that only XPath helpers need
    import elementpath

    try:
        found = elementpath.select(
            ET.ElementTree(root), expression.strip(), parser=elementpath.XPath1Parser
        )
    except elementpath.ElementPathError as exc:
        raise SyntaxError(str(exc)) from None
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, float):
        return int(found) if found.is_integer() else found
    return found


def write_xml(element: ET.Element, indent: bool, level: int = 0) -> str:
    """An element as WireMock's XML writer puts it: `<c/>`, and when indenting, each child
    and each piece of text on its own line."""
    pad = "  " * level if indent else ""
    attributes = "".join(f" {k}={quoteattr(v)}" for k, v in element.attrib.items())
    text = (element.text or "").strip() if indent else element.text or ""
    children = list(element)
    if not children:
        body = escape(text)
        return (
            f"{pad}<{element.tag}{attributes}/>"
            if not body
            else (f"{pad}<{element.tag}{attributes}>{body}</{element.tag}>")
        )
    inner: list[str] = [f"{pad}  {escape(text)}" if indent else escape(text)] if text else []
    for child in children:
        inner.append(write_xml(child, indent, level + 1))
        tail = (child.tail or "").strip() if indent else child.tail or ""
        if tail:
            inner.append(f"{pad}  {escape(tail)}" if indent else escape(tail))
    joiner = "\n" if indent else ""
    opening, closing = f"{pad}<{element.tag}{attributes}>", f"{pad}</{element.tag}>"
    return joiner.join([opening, *inner, closing])


class _Node:
    """One selected element: renders as WireMock writes an XmlNode."""

    def __init__(self, element: ET.Element) -> None:
        self.element = element

    def __str__(self) -> str:
        return write_xml(self.element, indent=True) + "\n"


class _Nodes(ListValue):
    """Selected XML nodes: renders the first, as WireMock's ListOrSingle<XmlNode>."""


def _xpath(call: Call, prefix: str = "") -> Any:
    document = call.arg(0)
    if document is None:
        return ""
    if call.arg(1) is None:
        return handle_error("The XPath expression cannot be empty")
    expression = to_text(call.arg(1))
    try:
        root = _strip_namespaces(ET.fromstring(to_text(document)))
    except ET.ParseError:
        return handle_error(f"{to_text(document)} is not valid XML")
    try:
        found = _select(root, prefix + expression)
    except SyntaxError:
        return handle_error(f"{expression} is not a valid XPath expression")
    if not isinstance(found, list):
        return found
    nodes = [_Node(n) if isinstance(n, ET.Element) else str(n) for n in found]
    return _Nodes(nodes) if nodes else ""


def _format_xml(call: Call) -> str:
    text = (call.fn() if call.fn is not None else to_text(call.arg(0))).strip()
    try:
        root = _strip_namespaces(ET.fromstring(text))
    except ET.ParseError:
        return handle_error("Input is not valid XML")
    if str(call.hash.get("format", "pretty")) == "compact":
        return write_xml(root, indent=False)
    return write_xml(root, indent=True) + "\n"


XML_HELPERS = {
    "xPath": _xpath,
    "soapXPath": lambda call: _xpath(call, "/Envelope/Body"),
    "formatXml": _format_xml,
}
