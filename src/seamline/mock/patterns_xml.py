"""The XML family of matchers: `equalToXml` and `matchesXPath`, as WireMock has them.

`equalToXml` follows XMLUnit as WireMock drives it: whitespace-only text ignored
and text trimmed, comments ignored, namespace URIs compared (prefixes not),
attributes compared as a set, sibling elements paired by name whatever their
order (same-name siblings in order, or by text with `ignoreOrderOfSameNode`),
`exemptedComparisons` skipped, and with `enablePlaceholders` the values
`${xmlunit.ignore}`, `${xmlunit.isNumber}`, `${xmlunit.matchesRegex(re)}`,
`${xmlunit.isDateTime}` (delimiters changeable).

`matchesXPath` runs XPath 1.0 (elementpath over the standard library's
ElementTree: ElementTree's own XPath subset has no text(), count() or
local-name(), which WireMock's examples use) with `xPathNamespaces`; an element
found is handed to a sub-matcher as its XML (indented, as WireMock prints it), a text
or attribute node as its text, a number or boolean as its value.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from typing import Any

from seamline.mock.errors import InvalidMapping
from seamline.mock.java_regex import compile_java
from seamline.mock.patterns_dates import parse_default, parse_with
from seamline.mock.value_patterns import ValuePattern

_CDATA = "<![CDATA["
Node = tuple[str, Any]  # ("text", str) or ("element", ET.Element)
COMPARISONS = frozenset(
    {
        "ELEMENT_TAG_NAME",
        "SCHEMA_LOCATION",
        "NO_NAMESPACE_SCHEMA_LOCATION",
        "NODE_TYPE",
        "NAMESPACE_URI",
        "TEXT_VALUE",
        "PROCESSING_INSTRUCTION_TARGET",
        "PROCESSING_INSTRUCTION_DATA",
        "ELEMENT_NUM_ATTRIBUTES",
        "ATTR_VALUE",
        "CHILD_NODELIST_LENGTH",
        "CHILD_LOOKUP",
        "ATTR_NAME_LOOKUP",
    }
)


def _parse(text: str) -> ET.Element | None:
    try:
        return ET.fromstring(text.strip())
    except ET.ParseError:
        return None


def _split(tag: str) -> tuple[str, str]:
    """(namespace URI, local name) of an ElementTree tag."""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return "", tag


def _children(element: ET.Element) -> list[Node]:
    nodes: list[Node] = []
    if element.text and element.text.strip():
        nodes.append(("text", element.text.strip()))
    for child in element:
        nodes.append(("element", child))
        if child.tail and child.tail.strip():
            nodes.append(("text", child.tail.strip()))
    return nodes


class EqualToXml(ValuePattern):
    key = "equalToXml"

    def __init__(self, spec: dict[str, Any], where: str) -> None:
        self.spec = spec
        expected = spec["equalToXml"]
        root = _parse(expected) if isinstance(expected, str) else None
        if root is None:
            raise InvalidMapping(where, f"expected an XML document, found {expected!r}")
        self.expected = root
        self._cdata = expected.count(_CDATA)
        exempt = spec.get("exemptedComparisons") or []
        unknown = sorted(set(exempt) - COMPARISONS)
        if unknown:
            raise InvalidMapping(
                f"{where}.exemptedComparisons",
                f"unknown comparison {unknown[0]!r}",
                f"use any of: {', '.join(sorted(COMPARISONS))}",
            )
        self.exempt = frozenset(exempt)
        if spec.get("namespaceAwareness") in ("NONE", "LEGACY"):
            self.exempt |= {"NAMESPACE_URI"}
        self.order_by_text = bool(spec.get("ignoreOrderOfSameNode"))
        self.placeholder: re.Pattern[str] | None = None
        if spec.get("enablePlaceholders"):
            opening = spec.get("placeholderOpeningDelimiterRegex") or r"\$\{"
            closing = spec.get("placeholderClosingDelimiterRegex") or r"\}"
            self.placeholder = compile_java(
                f"\\s*{opening}\\s*xmlunit\\.(\\w+)(?:\\((.*)\\))?\\s*{closing}\\s*", re.DOTALL
            )

    def matches(self, value: str | None) -> bool:
        if not value:
            return False
        # XMLUnit tells a CDATA section from text (NODE_TYPE); ElementTree merges them, so
        # compare how many each side has (exact unless they sit in different places).
        if self._counts("NODE_TYPE") and value.count(_CDATA) != self._cdata:
            return False
        actual = _parse(value)
        return actual is not None and self._element(self.expected, actual)

    def _counts(self, comparison: str) -> bool:
        return comparison not in self.exempt

    def _element(self, expected: ET.Element, actual: ET.Element) -> bool:
        (e_uri, e_local), (a_uri, a_local) = _split(expected.tag), _split(actual.tag)
        if self._counts("ELEMENT_TAG_NAME") and e_local != a_local:
            return False
        if self._counts("NAMESPACE_URI") and e_uri != a_uri:
            return False
        return self._attributes(expected, actual) and self._child_nodes(expected, actual)

    def _attributes(self, expected: ET.Element, actual: ET.Element) -> bool:
        if self._counts("ELEMENT_NUM_ATTRIBUTES") and len(expected.attrib) != len(actual.attrib):
            return False
        for name, value in expected.attrib.items():
            if name not in actual.attrib:
                if self._counts("ATTR_NAME_LOOKUP"):
                    return False
                continue
            if self._counts("ATTR_VALUE") and not self._value(value, actual.attrib[name]):
                return False
        return True

    def _child_nodes(self, expected: ET.Element, actual: ET.Element) -> bool:
        wanted, got = _children(expected), _children(actual)
        if self._placeholder_ignores(wanted) and not [n for n in got if n[0] == "element"]:
            return True
        if self._counts("CHILD_NODELIST_LENGTH") and len(wanted) != len(got):
            return False
        pairs, unmatched = self._pair(wanted, got)
        if unmatched and self._counts("CHILD_LOOKUP"):
            return False
        for (kind, want), (_, have) in pairs:
            if kind == "text":
                if self._counts("TEXT_VALUE") and not self._value(want, have):
                    return False
            elif not self._element(want, have):
                return False
        return True

    def _placeholder_ignores(self, nodes: list[Node]) -> bool:
        """`<a>${xmlunit.ignore}</a>` also matches an empty `<a/>`."""
        if self.placeholder is None or len(nodes) != 1 or nodes[0][0] != "text":
            return False
        found = self.placeholder.fullmatch(nodes[0][1])
        return found is not None and found.group(1) == "ignore"

    def _sort_key(self, node: Node) -> tuple[str, str]:
        kind, value = node
        if kind == "text":
            return "", ""
        text = "".join(value.itertext()) if self.order_by_text else ""
        return _split(value.tag)[1], text

    def _pair(self, wanted: list[Node], got: list[Node]) -> tuple[list[tuple[Node, Node]], bool]:
        """XMLUnit's DefaultNodeMatcher over lists sorted by local name: each expected
        node takes the first free actual node of the same type and name."""
        free = sorted(got, key=self._sort_key)
        pairs: list[tuple[Node, Node]] = []
        unmatched = False
        for node in sorted(wanted, key=self._sort_key):
            index = next((i for i, c in enumerate(free) if self._same_kind(node, c)), None)
            if index is None:
                unmatched = True
                continue
            pairs.append((node, free.pop(index)))
        return pairs, unmatched or bool(free)

    def _same_kind(self, node: Node, candidate: Node) -> bool:
        if node[0] != candidate[0]:
            return False
        if node[0] == "text":
            return True
        (e_uri, e_local), (a_uri, a_local) = _split(node[1].tag), _split(candidate[1].tag)
        return e_local == a_local and (e_uri == a_uri or not self._counts("NAMESPACE_URI"))

    def _value(self, expected: str, actual: str) -> bool:
        if self.placeholder is not None:
            found = self.placeholder.fullmatch(expected)
            if found is not None:
                return _placeholder(found.group(1), found.group(2), actual.strip())
        return expected.strip() == actual.strip()

    def to_json(self) -> dict[str, Any]:
        return dict(self.spec)


def _placeholder(name: str, argument: str | None, actual: str) -> bool:
    if name == "ignore":
        return True
    if name == "isNumber":
        try:
            float(actual)
        except ValueError:
            return False
        return True
    if name == "matchesRegex" and argument is not None:
        return compile_java(argument, re.DOTALL).fullmatch(actual) is not None
    if name == "isDateTime":
        if argument:
            return parse_with(argument, actual) is not None
        return parse_default(actual) is not None
    return False


class MatchesXPath(ValuePattern):
    key = "matchesXPath"

    def __init__(
        self, expression: str, sub: ValuePattern | None, namespaces: Any, where: str
    ) -> None:
        self.expression = expression
        self.sub = sub
        if namespaces is not None and not isinstance(namespaces, dict):
            raise InvalidMapping(
                f"{where}.xPathNamespaces",
                f"expected an object prefix -> URI, found {namespaces!r}",
            )
        self.namespaces = {str(k): str(v) for k, v in (namespaces or {}).items()}
        # imported here: it costs ~0.3 s of every start (`seamline run`'s first line), and only
        # mappings with an XPath matcher need it
        import elementpath

        try:
            self._selector = elementpath.Selector(expression, namespaces=self.namespaces)
        except elementpath.ElementPathError as exc:
            raise InvalidMapping(where, f"invalid XPath {expression!r}: {exc}") from None

    def _found(self, value: str | None) -> list[str] | None:
        if value is None or not value.strip().startswith("<"):
            return None
        root = _parse(value)
        if root is None:
            return None
        from elementpath import ElementPathError

        try:
            result = self._selector.select(ET.ElementTree(root))
        except ElementPathError:
            return None
        items = result if isinstance(result, list) else [result]
        return [_as_text(item) for item in items]

    def matches(self, value: str | None) -> bool:
        found = self._found(value)
        if not found:
            return False
        if self.sub is None:
            return True
        return any(self.sub.matches(item) for item in found)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any]
        if self.sub is None:
            out = {"matchesXPath": self.expression}
        else:
            out = {"matchesXPath": {"expression": self.expression, **self.sub.to_json()}}
        if self.namespaces:
            out["xPathNamespaces"] = self.namespaces
        return out


def _as_text(item: Any) -> str:
    if isinstance(item, ET.Element):
        # as WireMock renders a node: indented by two spaces, a newline at the end
        element = copy.deepcopy(item)
        element.tail = None
        ET.indent(element, space="  ")
        return ET.tostring(element, encoding="unicode") + "\n"
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, float) and item.is_integer():
        return str(int(item))
    if hasattr(item, "value") and not isinstance(item, (str, int, float)):
        return str(item.value)  # an attribute node
    return str(item)
