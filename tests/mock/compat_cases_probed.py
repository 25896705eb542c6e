"""Matching cases found by probing WireMock 3.13.2 side by side with seamline (path
templates, multi-valued parameters, cookies, basic auth, JSONPath results, JSON
placeholders, dates, multipart), each checked against the real WireMock by
bench/mock/crosscheck_wiremock.py. Same shape as compat_cases.MATCH_CASES."""

from __future__ import annotations

import base64
import json
from typing import Any

from compat_cases import Case, Send


def _auth(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": "Basic " + token}


def _post(body: Any) -> Send:
    return Send("POST", "/b", body=body if isinstance(body, (str, bytes)) else json.dumps(body))


def _body(*patterns: dict[str, Any]) -> dict[str, Any]:
    return {"urlPath": "/b", "bodyPatterns": list(patterns)}


def _json_path(expression: str, **sub: Any) -> dict[str, Any]:
    return _body({"matchesJsonPath": {"expression": expression, **sub} if sub else expression})


def _cookie(value: str) -> Send:
    return Send(url="/k", headers={"Cookie": value})


def _h(value: str) -> Send:
    return Send(url="/d", headers={"X-D": value})


MULTIPART_TEXT = (
    b'--P\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\nhello\r\n--P--\r\n"
)
MP = {"Content-Type": "multipart/form-data; boundary=P"}
STRINGS_FROM_A = '{"type": "array", "items": {"type": "string", "pattern": "^a"}}'

PATH_CASES: list[Case] = [
    Case(
        "path-template-two-parameters",
        {
            "urlPathTemplate": "/u/{a}/x/{b}",
            "pathParameters": {"a": {"equalTo": "1"}, "b": {"matches": "[a-z]+"}},
        },
        (Send(url="/u/1/x/abc"), Send(url="/u/1/x/abc?q=1")),
        (
            Send(url="/u/2/x/abc"),
            Send(url="/u/1/x/ABC"),
            Send(url="/u/1/x/abc/"),
            Send(url="/u//x/abc"),
            Send(url="/u/1/x/a%20b"),  # parameters are matched still encoded
        ),
    ),
    Case(
        "path-parameter-case-insensitive",
        {
            "urlPathTemplate": "/c/{n}",
            "pathParameters": {"n": {"equalTo": "ABC", "caseInsensitive": True}},
        },
        (Send(url="/c/abc"), Send(url="/c/aBc")),
        (Send(url="/c/abd"),),
    ),
    Case(
        "path-parameter-encoded-value",
        {"urlPathTemplate": "/c/{n}", "pathParameters": {"n": {"equalTo": "a%20b"}}},
        (Send(url="/c/a%20b"),),
        (Send(url="/c/a+b"),),
    ),
    Case(
        "path-parameter-not-in-template-is-absent",
        {"urlPathTemplate": "/c/{n}", "pathParameters": {"zz": {"absent": True}}},
        (Send(url="/c/abc"),),
    ),
    Case(
        "path-parameter-not-in-template-never-equal",
        {"urlPathTemplate": "/c/{n}", "pathParameters": {"zz": {"equalTo": "a"}}},
        (),
        (Send(url="/c/a"),),
    ),
    Case(
        "path-parameters-ignored-without-a-template",
        {"urlPath": "/c/1", "pathParameters": {"n": {"equalTo": "a"}}},
        (Send(url="/c/1"),),
    ),
    Case(
        "path-template-loses-to-url",
        {"url": "/c/1", "urlPathTemplate": "/c/{n}", "pathParameters": {"n": {"equalTo": "2"}}},
        (Send(url="/c/1"),),
        (Send(url="/c/2"),),
    ),
    Case(
        "path-template-wildcard",
        {"urlPathTemplate": "/files/**", "pathParameters": {"0": {"equalTo": "a/b.txt"}}},
        (Send(url="/files/a/b.txt"),),
        (Send(url="/files/a/c.txt"), Send(url="/files/")),
    ),
    Case(
        "path-template-format-characters",
        {
            "urlPathTemplate": "/f/{.ext}/{ids*}",
            "pathParameters": {"ext": {"equalTo": "x"}, "ids": {"equalTo": "1,2"}},
        },
        (Send(url="/f/x/1,2"),),
        (Send(url="/f/y/1,2"),),
    ),
    Case(
        "path-template-repeated-name-keeps-the-last",
        {"urlPathTemplate": "/c/{n}/{n}", "pathParameters": {"n": {"equalTo": "2"}}},
        (Send(url="/c/1/2"),),
        (Send(url="/c/2/1"),),
    ),
]

VALUES_CASES: list[Case] = [
    Case(
        "query-has-exactly-one",
        {"urlPath": "/q", "queryParameters": {"id": {"hasExactly": [{"equalTo": "1"}]}}},
        (Send(url="/q?id=1"),),
        (Send(url="/q?id=1&id=1"), Send(url="/q?id=2"), Send(url="/q")),
    ),
    Case(
        "query-has-exactly-repeated-value",
        {
            "urlPath": "/q",
            "queryParameters": {"id": {"hasExactly": [{"equalTo": "1"}, {"equalTo": "1"}]}},
        },
        # each matcher needs some value and the counts agree: "1, 2" passes too
        (Send(url="/q?id=1&id=1"), Send(url="/q?id=1&id=2")),
        (Send(url="/q?id=1"), Send(url="/q?id=2&id=3")),
    ),
    Case(
        "query-has-exactly-mixed-matchers",
        {
            "urlPath": "/q",
            "queryParameters": {"id": {"hasExactly": [{"matches": "[0-9]+"}, {"contains": "a"}]}},
        },
        (Send(url="/q?id=1&id=ba"), Send(url="/q?id=ba&id=1")),
        (Send(url="/q?id=1&id=2"),),
    ),
    Case(
        "query-includes-two",
        {
            "urlPath": "/q",
            "queryParameters": {"id": {"includes": [{"equalTo": "1"}, {"matches": "b.*"}]}},
        },
        (Send(url="/q?id=1&id=bc&id=x"),),
        (Send(url="/q?id=1"), Send(url="/q")),
    ),
    Case(
        "query-single-matcher-any-of-several-values",
        {"urlPath": "/q", "queryParameters": {"id": {"equalTo": "2"}}},
        (Send(url="/q?id=1&id=2"), Send(url="/q?id=2&id=2")),
        (Send(url="/q?id=1"),),
    ),
    Case(
        "query-empty-value",
        {"urlPath": "/q", "queryParameters": {"f": {"equalTo": ""}}},
        (Send(url="/q?f="), Send(url="/q?f")),
        (Send(url="/q"),),
    ),
    Case(
        "query-plus-and-percent-twenty",
        {"urlPath": "/q", "queryParameters": {"f": {"equalTo": "a b"}}},
        (Send(url="/q?f=a%20b"),),
    ),
    Case(
        "query-name-is-case-sensitive",
        {"urlPath": "/q", "queryParameters": {"Id": {"equalTo": "1"}}},
        (Send(url="/q?Id=1"),),
        (Send(url="/q?id=1"), Send(url="/q?ID=1")),
    ),
    Case(
        "query-equal-to-case-insensitive",
        {"urlPath": "/q", "queryParameters": {"id": {"equalTo": "ABC", "caseInsensitive": True}}},
        (Send(url="/q?id=abc"),),
        (Send(url="/q?id=abd"),),
    ),
    Case(
        "absent-false-still-means-absent",
        {"urlPath": "/q", "queryParameters": {"id": {"absent": False}}},
        (Send(url="/q"),),
        (Send(url="/q?id=1"),),
    ),
    Case(
        "header-absent-false-still-means-absent",
        {"url": "/h", "headers": {"X-A": {"absent": False}}},
        (Send(url="/h"),),
        (Send(url="/h", headers={"X-A": ""}),),
    ),
    Case(
        "header-includes-among-repeated-headers",
        {"url": "/h", "headers": {"X-V": {"includes": [{"equalTo": "a"}]}}},
        (Send(url="/h", headers=[("X-V", "a"), ("X-V", "b")]),),
        (Send(url="/h", headers={"X-V": "a, b"}), Send(url="/h", headers={"X-V": "b"})),
    ),
    Case(
        "header-has-exactly-in-any-order-any-name-case",
        {"url": "/h", "headers": {"x-v": {"hasExactly": [{"equalTo": "a"}, {"equalTo": "b"}]}}},
        (
            Send(url="/h", headers=[("X-V", "a"), ("X-V", "b")]),
            Send(url="/h", headers=[("X-V", "b"), ("X-V", "a")]),
        ),
        (Send(url="/h", headers=[("X-V", "a")]), Send(url="/h")),
    ),
    Case(
        "header-name-lower-case-in-stub",
        {"url": "/h", "headers": {"content-type": {"contains": "json"}}},
        (Send("POST", "/h", json={"a": 1}), Send(url="/h", headers={"CONTENT-TYPE": "text/json"})),
    ),
    Case(
        "header-empty-value-equal-to-empty",
        {"url": "/h", "headers": {"X-A": {"equalTo": ""}}},
        (Send(url="/h", headers={"X-A": ""}),),
        (Send(url="/h"),),
    ),
    Case(
        "cookie-among-others",
        {"url": "/k", "cookies": {"session": {"equalTo": "abc"}}},
        (_cookie("session=abc"), _cookie("a=1; session=abc; b=2")),
        (_cookie("Session=abc"), _cookie("session=abd"), Send(url="/k")),
    ),
    Case(
        "cookie-repeated-any-value",
        {"url": "/k", "cookies": {"s": {"equalTo": "2"}}},
        (_cookie("s=1; s=2"),),
    ),
    Case(
        "cookie-absent",
        {"url": "/k", "cookies": {"s": {"absent": True}}},
        (_cookie("a=1"), Send(url="/k")),
        (_cookie("s="),),
    ),
    Case(
        "cookie-value-with-equals-sign",
        {"url": "/k", "cookies": {"s": {"equalTo": "a=b"}}},
        (_cookie("s=a=b"), _cookie("s=a=b;")),
    ),
    Case(
        "basic-auth-password-with-colon",
        {"url": "/b", "basicAuthCredentials": {"username": "u", "password": "p:w"}},
        (Send(url="/b", headers=_auth("u", "p:w")),),
        (
            Send(url="/b", headers=_auth("u", "p")),
            Send(url="/b"),
            Send(url="/b", headers={"Authorization": "Bearer x"}),
        ),
    ),
    Case(
        "basic-auth-with-header-matcher",
        {
            "url": "/b",
            "basicAuthCredentials": {"username": "u", "password": "p"},
            "headers": {"Authorization": {"contains": "Basic"}},
        },
        (Send(url="/b", headers=_auth("u", "p")),),
    ),
    Case(
        "basic-auth-non-ascii",
        {"url": "/b", "basicAuthCredentials": {"username": "ü", "password": "é"}},
        (Send(url="/b", headers=_auth("ü", "é")),),
    ),
]

JSON_CASES: list[Case] = [
    Case(
        "json-unit-type-placeholders",
        _body(
            {
                "equalToJson": {
                    "id": "${json-unit.any-string}",
                    "n": "${json-unit.any-number}",
                    "b": "${json-unit.any-boolean}",
                    "x": "${json-unit.ignore}",
                }
            }
        ),
        (_post({"id": "a", "n": 1, "b": True, "x": None}),),
        (
            _post({"id": 1, "n": 1, "b": True, "x": 1}),
            _post({"id": "a", "n": "1", "b": True, "x": 1}),
            _post({"id": "a", "n": 1, "b": "true", "x": 1}),
        ),
    ),
    Case(
        "json-unit-regex-placeholders",
        _body(
            {
                "equalToJson": {
                    "id": "${json-unit.regex}[a-z]+",
                    "when": "${json-unit.regex}\\d{4}-.*",
                }
            }
        ),
        (_post({"id": "abc", "when": "2024-01"}),),
        (_post({"id": "ab1", "when": "2024-01"}), _post({"id": 5, "when": "2024"})),
    ),
    Case(
        "json-ignore-array-order-and-extra",
        _body(
            {"equalToJson": {"a": [1, 2]}, "ignoreArrayOrder": True, "ignoreExtraElements": True}
        ),
        (_post({"a": [2, 1]}), _post({"a": [2, 1, 3]}), _post({"a": [2, 1], "b": 1})),
        (_post({"a": [1]}),),
    ),
    Case(
        "json-top-level-array-any-order",
        _body({"equalToJson": [1, 2], "ignoreArrayOrder": True}),
        (_post("[2,1]"),),
        (_post("[1,2,2]"),),
    ),
    Case(
        "json-number-forms",
        _body({"equalToJson": {"n": 1}}),
        (_post('{"n": 1}'),),
        (_post('{"n": "1"}'),),
    ),
    Case(
        "json-null-member",
        _body({"equalToJson": {"n": None}}),
        (_post('{"n": null}'),),
    ),
    Case(
        "json-path-nested-equal-to",
        _json_path("$.user.name", equalTo="ann"),
        (_post({"user": {"name": "ann"}}),),
        (_post({"user": {"name": "Ann"}}), _post({"user": {}})),
    ),
    Case(
        "json-path-wildcard-any-item-matches",
        _json_path("$.items[*].id", matches=".*2.*"),
        (_post({"items": [{"id": 1}, {"id": 2}]}),),
        (_post({"items": [{"id": 1}]}), _post({"items": []})),
    ),
    Case(
        "json-path-array-contains-item",
        _json_path("$.tags", contains="b"),
        (_post({"tags": ["a", "b"]}), _post({"tags": "abc"})),
        (_post({"tags": ["a"]}),),
    ),
    Case(
        "json-path-definite-array-each-item",
        _json_path("$.a", equalTo="2"),
        (_post('{"a":[1,2]}'),),
        (_post('{"a":[]}'),),
    ),
    Case(
        "json-path-absent-sub-matcher",
        _json_path("$.x", absent=True),
        (_post({"y": 1}), _post({"x": None}), _post("")),
        (_post({"x": 1}),),
    ),
    Case(
        "json-path-reads-permissive-json",
        _json_path("$.x", absent=True),
        (_post("notjson"), _post("a b c"), _post("'x'"), _post("{a:1}")),
        (_post("{"), _post("[1,"), _post("<x/>"), _post('{"x":1}x'), _post("{x:1}")),
    ),
    Case(
        "json-path-unquoted-member",
        _body({"matchesJsonPath": "$.a"}),
        (_post("{a:1}"), _post("{'a': 'x'}")),
        (_post("{b:1}"), _post("a")),
    ),
    Case(
        "json-path-and-not",
        _json_path("$.n", **{"and": [{"matches": "[0-9]+"}, {"not": {"equalTo": "5"}}]}),
        (_post({"n": 4}),),
        (_post({"n": 5}), _post({"n": "x"})),
    ),
    Case(
        "json-path-or-with-absent-needs-a-value",
        _json_path("$.s", **{"or": [{"equalTo": "a"}, {"absent": True}]}),
        (_post({"s": "a"}),),
        (_post({}), _post({"s": "b"})),
    ),
    Case(
        "json-path-object-is-pretty-printed",
        _json_path("$.o", equalTo='{\n  "a" : 1,\n  "b" : [ 1, 2 ]\n}'),
        (_post('{"o": {"a": 1, "b": [1,2]}}'),),
        (_post('{"o": {"a": 1}}'),),
    ),
    Case(
        "json-path-object-is-not-compact",
        _json_path("$.o", equalTo='{"a":1}'),
        (),
        (_post('{"o": {"a": 1}}'),),
    ),
    Case(
        "json-path-map-item-as-java-writes-it",
        _json_path("$.a[*]", equalTo="{k=1}"),
        (_post('{"a":[{"k":1}]}'),),
        (_post('{"a":[{"k":2}]}'),),
    ),
    Case(
        "json-path-null-is-no-value",
        _json_path("$.b", equalTo="null"),
        (),
        (_post('{"b": null}'),),
    ),
    Case(
        "json-path-double-as-java-writes-it",
        _json_path("$.a", equalTo="1.0E10"),
        (_post('{"a":1e10}'), _post('{"a":10000000000.0}')),
        (_post('{"a":10000000000}'),),
    ),
    Case(
        "json-path-empty-collections-select-nothing",
        _body({"matchesJsonPath": "$.items"}),
        (_post({"items": [0]}),),
        (_post({"items": []}), _post({"items": None}), _post({"items": {}})),
    ),
    Case(
        "json-path-wildcard-over-a-null-item",
        _body({"matchesJsonPath": "$.a[*]"}),
        (_post('{"a":[null]}'),),
        (_post('{"a":[]}'),),
    ),
    Case(
        "json-path-filter-length-function",
        _body({"matchesJsonPath": "$[?(@.items.length() > 1)]"}),
        (_post({"items": [1, 2]}),),
        (_post({"items": [1]}),),
    ),
    Case(
        "json-path-length-counts-arrays-not-text",
        _json_path("$.a.length()", equalTo="2"),
        (_post({"a": [1, 2]}),),
        (_post({"a": "xy"}), _post({"a": [1]})),
    ),
    Case(
        "json-path-filter-number-equals-numeric-string",
        _body({"matchesJsonPath": "$[?(@.n == '1')]"}),
        (_post({"n": 1}), _post({"n": "1"})),
        (_post({"n": 2}),),
    ),
    Case(
        "json-path-filter-not-equal-holds-for-a-missing-member",
        _body({"matchesJsonPath": "$[?(@.n != 1)]"}),
        (_post({"m": 1}), _post({"n": 2})),
        (_post({"n": 1}),),
    ),
    Case(
        "json-path-filter-and",
        _body({"matchesJsonPath": "$[?(@.a == 1 && @.b == 'x')]"}),
        (_post({"a": 1, "b": "x"}),),
        (_post({"a": 1, "b": "y"}),),
    ),
    Case(
        "json-path-regex-filter-ignore-case",
        _body({"matchesJsonPath": "$[?(@.name =~ /A.*/i)]"}),
        (_post({"name": "abc"}),),
        (_post({"name": "bcd"}),),
    ),
    Case(
        "json-schema-string-form-v7",
        _body(
            {
                "matchesJsonSchema": STRINGS_FROM_A,
                "schemaVersion": "V7",
            }
        ),
        (_post(["ab"]), _post([])),
        (_post(["b"]),),
    ),
    Case(
        "json-schema-object",
        _body(
            {
                "matchesJsonSchema": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {"id": {"type": "integer", "minimum": 1}},
                    "additionalProperties": False,
                }
            }
        ),
        (_post({"id": 1}),),
        (_post({"id": 0}), _post({"id": 1, "x": 2}), _post({}), _post("nope")),
    ),
    Case(
        "binary-equal-to-empty-body",
        _body({"binaryEqualTo": ""}),
        (_post(b""),),
        (_post(b"a"),),
    ),
    Case(
        "body-and-or-not",
        _body(
            {"and": [{"contains": "a"}, {"or": [{"contains": "b"}, {"not": {"contains": "c"}}]}]}
        ),
        (_post("ab"), _post("a")),
        (_post("ac"), _post("x")),
    ),
]

OTHER_CASES: list[Case] = [
    Case(
        "date-before-with-actual-format",
        {
            "urlPath": "/d",
            "queryParameters": {
                "d": {"before": "2024-06-01T00:00:00Z", "actualFormat": "dd/MM/yyyy"}
            },
        },
        (Send(url="/d?d=31/05/2024"),),
        (Send(url="/d?d=01/06/2024"), Send(url="/d?d=2024-05-01")),
    ),
    Case(
        "date-equal-across-offsets",
        {"urlPath": "/d", "headers": {"X-D": {"equalToDateTime": "2024-06-01T12:00:00+02:00"}}},
        (_h("2024-06-01T10:00:00Z"),),
        (_h("2024-06-01T12:00:00Z"),),
    ),
    Case(
        "date-after-now-minus-a-day",
        {"urlPath": "/d", "headers": {"X-D": {"after": "now -1 days"}}},
        (_h("2999-01-01T00:00:00Z"),),
        (_h("2001-01-01T00:00:00Z"), _h("garbage")),
    ),
    Case(
        "date-truncate-actual-to-the-hour",
        {
            "urlPath": "/d",
            "headers": {
                "X-D": {
                    "equalToDateTime": "2024-06-01T10:00:00Z",
                    "truncateActual": "first hour of day",
                }
            },
        },
        (),
        (_h("2024-06-01T10:45:00Z"),),
    ),
    Case(
        "multipart-part-headers-and-body",
        {
            "urlPath": "/m",
            "multipartPatterns": [
                {
                    "matchingType": "ANY",
                    "headers": {
                        "Content-Disposition": {"contains": 'name="f"'},
                        "Content-Type": {"equalTo": "text/plain"},
                    },
                    "bodyPatterns": [{"equalTo": "hello"}],
                }
            ],
        },
        (Send("POST", "/m", MP, MULTIPART_TEXT), Send("PUT", "/m", MP, MULTIPART_TEXT)),
        (
            Send("POST", "/m", MP, MULTIPART_TEXT.replace(b"hello", b"hellx")),
            Send("POST", "/m", {}, "hello"),
            Send("GET", "/m"),
        ),
    ),
    Case(
        "form-parameters-with-absent",
        {"urlPath": "/f", "formParameters": {"a": {"equalTo": "1 2"}, "b": {"absent": True}}},
        (Send("POST", "/f", {"Content-Type": "application/x-www-form-urlencoded"}, "a=1+2"),),
        (
            Send("POST", "/f", {"Content-Type": "application/x-www-form-urlencoded"}, "a=1+2&b=x"),
            Send("POST", "/f", {"Content-Type": "text/plain"}, "a=1+2"),
        ),
    ),
]

PROBED_CASES: list[Case] = PATH_CASES + VALUES_CASES + JSON_CASES + OTHER_CASES
