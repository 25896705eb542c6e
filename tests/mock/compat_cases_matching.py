"""More WireMock matching cases (issue 13's matching family), each checked against a
real WireMock 3.13.2 by bench/mock/crosscheck_wiremock.py. Same shape as
compat_cases.MATCH_CASES: a request pattern, requests it must match, and misses."""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime

from compat_cases import Case, Send

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
XML = {"Content-Type": "application/xml"}
BIN = bytes([0, 1, 2, 250, 255])
BIN_MULTIPART = (
    b'--B1\r\nContent-Disposition: form-data; name="blob"\r\n'
    b"Content-Type: application/octet-stream\r\n\r\n" + BIN + b"\r\n--B1--\r\n"
)
TODO = "<todo-list><todo-item id='1'>wash</todo-item><todo-item id='2'>dry</todo-item></todo-list>"
NS_DOC = (
    '<s:Envelope xmlns:s="http://soap.example/env"><s:Body>'
    '<m:Order xmlns:m="http://shop.example/order"><m:id>42</m:id></m:Order>'
    "</s:Body></s:Envelope>"
)


PLACEHOLDERS = (
    "<m><id>${xmlunit.isNumber}</id><at>${xmlunit.ignore}</at>"
    "<c>${xmlunit.matchesRegex([A-Z]{3})}</c></m>"
)


def _xml(text: str) -> Send:
    return Send("POST", "/x", XML, text)


def _q(name: str, value: str) -> Send:
    return Send(url=f"/q?{name}={value}")


MATCHING_CASES: list[Case] = [
    Case(
        "form-parameters",
        {"urlPath": "/f", "formParameters": {"tag": {"equalTo": "shoes & socks"}}},
        (Send("POST", "/f", FORM, "tag=shoes+%26+socks&x=1"),),
        (Send("POST", "/f", FORM, "tag=boots"), Send("POST", "/f", FORM, "x=1")),
    ),
    Case(
        "form-parameters-has-exactly",
        {
            "urlPath": "/f",
            "formParameters": {"id": {"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]}},
        },
        (Send("POST", "/f", FORM, "id=1&id=2"),),
        (Send("POST", "/f", FORM, "id=1&id=2&id=3"),),
    ),
    Case(
        "date-before-fixed",
        {"urlPath": "/q", "queryParameters": {"d": {"before": "2021-06-14T12:13:14Z"}}},
        (_q("d", "2021-06-01T00:00:00Z"), _q("d", "2020-01-01T10:00:00%2B02:00")),
        (_q("d", "2022-01-01T00:00:00Z"), _q("d", "not-a-date")),
    ),
    Case(
        "date-after-now-offset",
        {"urlPath": "/q", "queryParameters": {"d": {"after": "now -5 days"}}},
        (_q("d", "2099-01-01T00:00:00Z"),),
        (_q("d", "2000-01-01T00:00:00Z"),),
    ),
    Case(
        "date-equal-actual-format",
        {
            "urlPath": "/q",
            "queryParameters": {
                "d": {"equalToDateTime": "2021-06-24T00:00:00", "actualFormat": "dd/MM/yyyy"}
            },
        },
        (_q("d", "24/06/2021"),),
        (_q("d", "25/06/2021"), _q("d", "2021-06-24")),
    ),
    Case(
        "date-before-local-date",
        {"urlPath": "/q", "queryParameters": {"d": {"before": "2021-06-14"}}},
        (_q("d", "2021-06-13T23:59:59"),),
        (_q("d", "2021-06-14T00:00:01"),),
    ),
    Case(
        "date-truncate-expected-and-actual",
        {
            "urlPath": "/q",
            "queryParameters": {
                "d": {
                    "equalToDateTime": "now",
                    "truncateExpected": "first day of year",
                    "truncateActual": "first day of year",
                }
            },
        },
        (_q("d", f"{datetime.now(UTC).year}-07-04T10:00:00Z"),),
        (_q("d", "2001-07-04T10:00:00Z"),),
    ),
    Case(
        "date-epoch-format",
        {
            "urlPath": "/q",
            "queryParameters": {"d": {"after": "2021-01-01T00:00:00Z", "actualFormat": "unix"}},
        },
        (_q("d", "1700000000"),),
        (_q("d", "1500000000"),),
    ),
    Case(
        "date-expected-offset-fields",
        {
            "urlPath": "/q",
            "queryParameters": {
                "d": {"before": "now", "expectedOffset": 1, "expectedOffsetUnit": "years"}
            },
        },
        (_q("d", "2001-01-01T00:00:00Z"),),
        (_q("d", "2199-01-01T00:00:00Z"),),
    ),
    Case(
        "not-contains",
        {"urlPath": "/q", "queryParameters": {"a": {"not": {"contains": "x"}}}},
        (_q("a", "abc"), Send(url="/q")),
        (_q("a", "axe"),),
    ),
    Case(
        "not-absent-header",
        {"url": "/h", "headers": {"X-Id": {"not": {"absent": True}}}},
        (Send(url="/h", headers={"X-Id": "1"}),),
        (Send(url="/h"),),
    ),
    Case(
        "equal-to-xml-ignores-whitespace-and-sibling-order",
        {"urlPath": "/x", "bodyPatterns": [{"equalToXml": "<a><b>1</b><c>2</c></a>"}]},
        (_xml("<a>\n  <c>2</c>\n  <b>1</b>\n</a>"), _xml("<a><b> 1 </b><c>2</c></a>")),
        (_xml("<a><b>1</b><c>3</c></a>"), _xml("<a><b>1</b></a>"), _xml("not xml")),
    ),
    Case(
        "equal-to-xml-namespace-prefix-free",
        {
            "urlPath": "/x",
            "bodyPatterns": [{"equalToXml": '<p:a xmlns:p="urn:x"><p:b>1</p:b></p:a>'}],
        },
        (_xml('<q:a xmlns:q="urn:x"><q:b>1</q:b></q:a>'),),
        (_xml('<q:a xmlns:q="urn:y"><q:b>1</q:b></q:a>'),),
    ),
    Case(
        "equal-to-xml-attributes",
        {"urlPath": "/x", "bodyPatterns": [{"equalToXml": '<a x="1" y="2"/>'}]},
        (_xml('<a y="2" x="1"></a>'),),
        (_xml('<a x="1"/>'), _xml('<a x="1" y="3"/>')),
    ),
    Case(
        "equal-to-xml-placeholders",
        {
            "urlPath": "/x",
            "bodyPatterns": [
                {
                    "equalToXml": PLACEHOLDERS,
                    "enablePlaceholders": True,
                }
            ],
        },
        (_xml("<m><id>12</id><at>whenever</at><c>EUR</c></m>"),),
        (
            _xml("<m><id>twelve</id><at>x</at><c>EUR</c></m>"),
            _xml("<m><id>1</id><at>x</at><c>eur</c></m>"),
        ),
    ),
    Case(
        "equal-to-xml-same-node-order",
        {"urlPath": "/x", "bodyPatterns": [{"equalToXml": "<l><i>1</i><i>2</i></l>"}]},
        (_xml("<l><i>1</i><i>2</i></l>"),),
        (_xml("<l><i>2</i><i>1</i></l>"),),
    ),
    Case(
        "equal-to-xml-ignore-order-of-same-node",
        {
            "urlPath": "/x",
            "bodyPatterns": [
                {"equalToXml": "<l><i>1</i><i>2</i></l>", "ignoreOrderOfSameNode": True}
            ],
        },
        (_xml("<l><i>2</i><i>1</i></l>"),),
        (_xml("<l><i>2</i><i>3</i></l>"),),
    ),
    Case(
        "matches-xpath-exists",
        {"urlPath": "/x", "bodyPatterns": [{"matchesXPath": "/todo-list[count(todo-item) = 2]"}]},
        (_xml(TODO),),
        (_xml("<todo-list><todo-item>x</todo-item></todo-list>"), _xml("{}")),
    ),
    Case(
        "matches-xpath-text-sub-matcher",
        {
            "urlPath": "/x",
            "bodyPatterns": [
                {"matchesXPath": {"expression": "//todo-item/text()", "contains": "dry"}}
            ],
        },
        (_xml(TODO),),
        (_xml("<todo-list><todo-item>wash</todo-item></todo-list>"),),
    ),
    Case(
        "matches-xpath-attribute",
        {
            "urlPath": "/x",
            "bodyPatterns": [{"matchesXPath": {"expression": "//todo-item/@id", "equalTo": "2"}}],
        },
        (_xml(TODO),),
        (_xml("<todo-list><todo-item id='3'>x</todo-item></todo-list>"),),
    ),
    Case(
        "matches-xpath-namespaces",
        {
            "urlPath": "/x",
            "bodyPatterns": [
                {
                    "matchesXPath": "/s:Envelope/s:Body/o:Order[o:id='42']",
                    "xPathNamespaces": {
                        "s": "http://soap.example/env",
                        "o": "http://shop.example/order",
                    },
                }
            ],
        },
        (_xml(NS_DOC),),
        (_xml(NS_DOC.replace(">42<", ">43<")),),
    ),
    Case(
        "matches-xpath-local-name",
        {
            "urlPath": "/x",
            "bodyPatterns": [
                {"matchesXPath": {"expression": "//*[local-name()='id']/text()", "equalTo": "42"}}
            ],
        },
        (_xml(NS_DOC),),
        (_xml(NS_DOC.replace(">42<", ">4<")),),
    ),
    Case(
        "json-path-in",
        {"urlPath": "/j", "bodyPatterns": [{"matchesJsonPath": "$.items[?(@.tag in ['a', 'b'])]"}]},
        (Send("POST", "/j", json={"items": [{"tag": "b"}]}),),
        (Send("POST", "/j", json={"items": [{"tag": "c"}]}),),
    ),
    Case(
        "json-path-nin",
        {
            "urlPath": "/j",
            "bodyPatterns": [{"matchesJsonPath": "$.items[?(@.tag nin ['a', 'b'])]"}],
        },
        (Send("POST", "/j", json={"items": [{"tag": "c"}]}),),
        (Send("POST", "/j", json={"items": [{"tag": "a"}]}),),
    ),
    Case(
        "json-path-size",
        {"urlPath": "/j", "bodyPatterns": [{"matchesJsonPath": "$[?(@.items size 2)]"}]},
        (Send("POST", "/j", json={"items": [1, 2]}),),
        (Send("POST", "/j", json={"items": [1]}),),
    ),
    Case(
        "json-path-empty",
        {"urlPath": "/j", "bodyPatterns": [{"matchesJsonPath": "$[?(@.items empty false)]"}]},
        (Send("POST", "/j", json={"items": [1]}),),
        (Send("POST", "/j", json={"items": []}),),
    ),
    Case(
        "json-path-subsetof-anyof-noneof",
        {
            "urlPath": "/j",
            "bodyPatterns": [
                {"matchesJsonPath": "$[?(@.tags subsetof ['a', 'b', 'c'])]"},
                {"matchesJsonPath": "$[?(@.tags anyof ['c', 'z'])]"},
                {"matchesJsonPath": "$[?(@.tags noneof ['x', 'y'])]"},
            ],
        },
        (Send("POST", "/j", json={"tags": ["a", "c"]}),),
        (
            Send("POST", "/j", json={"tags": ["a", "b"]}),
            Send("POST", "/j", json={"tags": ["c", "x"]}),
        ),
    ),
    Case(
        "json-path-regex-filter",
        {
            "urlPath": "/j",
            "bodyPatterns": [{"matchesJsonPath": "$.items[?(@.sku =~ /AB-[0-9]+/)]"}],
        },
        (Send("POST", "/j", json={"items": [{"sku": "AB-12"}]}),),
        (Send("POST", "/j", json={"items": [{"sku": "xAB-12"}]}),),
    ),
    Case(
        "multipart-binary-equal-to",
        {
            "urlPath": "/up",
            "multipartPatterns": [
                {"bodyPatterns": [{"binaryEqualTo": base64.b64encode(BIN).decode()}]}
            ],
        },
        (Send("POST", "/up", {"Content-Type": "multipart/form-data; boundary=B1"}, BIN_MULTIPART),),
        (
            Send(
                "POST",
                "/up",
                {"Content-Type": "multipart/form-data; boundary=B1"},
                BIN_MULTIPART.replace(BIN, b"other"),
            ),
        ),
    ),
    Case(
        "body-binary-equal-to",
        {"urlPath": "/bin", "bodyPatterns": [{"binaryEqualTo": base64.b64encode(BIN).decode()}]},
        (Send("POST", "/bin", {"Content-Type": "application/octet-stream"}, BIN),),
        (Send("POST", "/bin", {"Content-Type": "application/octet-stream"}, BIN + b"x"),),
    ),
    Case(
        "gzip-body-decoded-for-matching",
        {"urlPath": "/gz", "bodyPatterns": [{"equalToJson": {"amount": 5}}]},
        (
            Send(
                "POST",
                "/gz",
                {"Content-Type": "application/json", "Content-Encoding": "gzip"},
                gzip.compress(b'{"amount": 5}'),
            ),
        ),
        (
            Send(
                "POST",
                "/gz",
                {"Content-Type": "application/json", "Content-Encoding": "gzip"},
                gzip.compress(b'{"amount": 6}'),
            ),
        ),
    ),
    Case(
        "quoted-cookie-value",
        {"url": "/ck", "cookies": {"session": {"equalTo": "abc 1"}}},
        (Send(url="/ck", headers={"Cookie": 'session="abc 1"'}),),
        (Send(url="/ck", headers={"Cookie": "session=abc"}),),
    ),
    Case(
        "regex-possessive-and-posix-class",
        {"urlPath": "/q", "queryParameters": {"a": {"matches": "\\p{Alpha}++[0-9]{2}"}}},
        (_q("a", "abc12"),),
        (_q("a", "abc1"), _q("a", "ab-12")),
    ),
    Case(
        "regex-java-ascii-word",
        {"urlPath": "/q", "queryParameters": {"a": {"matches": "\\w+"}}},
        (_q("a", "abc_1"),),
        (_q("a", "%C3%A9t%C3%A9"),),
    ),
    Case(
        "regex-quoted-literal",
        {"urlPath": "/q", "queryParameters": {"a": {"matches": "\\Q1+1\\E=2"}}},
        (_q("a", "1%2B1%3D2"),),
        (_q("a", "11%3D2"),),
    ),
    Case(
        "regex-named-group-backreference",
        {"urlPath": "/q", "queryParameters": {"a": {"matches": "(?<w>[a-z]+)-\\k<w>"}}},
        (_q("a", "ab-ab"),),
        (_q("a", "ab-cd"),),
    ),
    Case(
        "json-schema",
        {
            "urlPath": "/j",
            "bodyPatterns": [
                {
                    "matchesJsonSchema": {
                        "type": "object",
                        "required": ["id"],
                        "properties": {"id": {"type": "integer"}},
                    }
                }
            ],
        },
        (Send("POST", "/j", json={"id": 3}),),
        (Send("POST", "/j", json={"id": "3"}), Send("POST", "/j", json={})),
    ),
    Case(
        "json-schema-query-parameter",
        {
            "urlPath": "/q",
            "queryParameters": {"a": {"matchesJsonSchema": {"type": "integer", "minimum": 10}}},
        },
        (_q("a", "12"),),
        (_q("a", "3"), _q("a", "x")),
    ),
    Case(
        "case-insensitive-header",
        {"url": "/h", "headers": {"Accept": {"equalTo": "TEXT/PLAIN", "caseInsensitive": True}}},
        (Send(url="/h", headers={"Accept": "text/plain"}),),
        (Send(url="/h", headers={"Accept": "text/html"}),),
    ),
    Case(
        "matcher-extra-keys-ignored",
        {"url": "/h", "headers": {"A": {"equalTo": "1", "note": "kept for humans"}}},
        (Send(url="/h", headers={"A": "1"}),),
        (Send(url="/h", headers={"A": "2"}),),
    ),
    Case(
        "first-url-key-wins",
        {"url": "/u1", "urlPath": "/u2"},
        (Send(url="/u1"),),
        (Send(url="/u2"),),
    ),
]
