"""XML helpers: xPath, soapXPath and formatXml over the standard library's ElementTree.

The XPath subset is ElementTree's (paths, `//`, `[n]`, `[@a='v']`) plus a trailing
`/text()` or `/@attr` and `count(...)`; elements are matched by local name, so
namespace prefixes in the expression are ignored as WireMock's SOAP examples expect.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from seamline.mock.template_model import Call, ListValue, handle_error, to_text

_TAIL = re.compile(r"/(text\(\)|@[\w:.-]+)$")


def _strip_namespaces(root: ET.Element) -> ET.Element:
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
        for name in [n for n in element.attrib if n.startswith("{")]:
            element.attrib[name.rpartition("}")[2]] = element.attrib.pop(name)
    return root


def _select(root: ET.Element, expression: str) -> Any:
    counted = re.fullmatch(r"count\((.*)\)", expression.strip())
    if counted:
        return len(_select(root, counted.group(1)))
    path = re.sub(r"(?<![\w@'\"])[\w.-]+:(?=[\w*])", "", expression.strip())
    tail = _TAIL.search(path)
    if tail:
        path = path[: tail.start()]
    wrapper = ET.Element("document")
    wrapper.append(root)
    relative = "." + path if path.startswith("/") else "./" + path
    elements = wrapper.findall(relative)
    if tail is None:
        return elements
    if tail.group(1) == "text()":
        return [e.text or "" for e in elements]
    name = tail.group(1)[1:].rpartition(":")[2]
    return [e.get(name) for e in elements if e.get(name) is not None]


def _render(node: Any) -> str:
    if isinstance(node, ET.Element):
        copy = ET.fromstring(ET.tostring(node))
        copy.tail = None
        return ET.tostring(copy, encoding="unicode") + "\n"
    return to_text(node)


class _Nodes(ListValue):
    """Selected XML nodes: renders the first, as WireMock's ListOrSingle<XmlNode>."""

    def __str__(self) -> str:
        return _render(self[0]) if self else ""


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
    if isinstance(found, int):
        return found
    return _Nodes(found) if found else ""


def _format_xml(call: Call) -> str:
    text = (call.fn() if call.fn is not None else to_text(call.arg(0))).strip()
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return handle_error("There was an error parsing the xml. Please make sure the xml is valid")
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode") + "\n"


XML_HELPERS = {
    "xPath": _xpath,
    "soapXPath": lambda call: _xpath(call, "/Envelope/Body"),
    "formatXml": _format_xml,
}
