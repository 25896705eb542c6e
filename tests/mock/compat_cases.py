"""WireMock mapping cases: a mapping as WireMock documents it, requests that must
match it and requests that must not. Used by test_compat.py over real sockets."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Send:
    method: str = "GET"
    url: str = "/"
    headers: dict[str, str] | list[tuple[str, str]] = field(default_factory=dict)
    body: bytes | str | None = None
    json: Any = None


@dataclass(frozen=True)
class Case:
    id: str
    request: dict[str, Any]
    hits: tuple[Send, ...]
    misses: tuple[Send, ...] = ()


def _auth(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


MULTIPART = (
    b'--XyZ\r\nContent-Disposition: form-data; name="info"\r\n'
    b"Content-Type: application/json\r\n\r\n"
    b'{"kind":"avatar"}\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; '
    b'filename="a.png"\r\n\r\nPNGDATA\r\n--XyZ--\r\n'
)
MP = {"Content-Type": "multipart/form-data; boundary=XyZ"}

MATCH_CASES: list[Case] = [
    Case("method-get", {"method": "GET", "url": "/a"}, (Send("GET", "/a"),), (Send("POST", "/a"),)),
    Case("method-any", {"method": "ANY", "url": "/a"}, (Send("GET", "/a"), Send("DELETE", "/a"))),
    Case("method-absent-means-any", {"url": "/a"}, (Send("PUT", "/a"),)),
    Case(
        "url-exact-includes-query",
        {"url": "/a?x=1"},
        (Send(url="/a?x=1"),),
        (Send(url="/a"), Send(url="/a?x=2")),
    ),
    Case(
        "url-pattern",
        {"urlPattern": "/things/[0-9]+\\?.*"},
        (Send(url="/things/12?q=1"),),
        (Send(url="/things/ab?q"),),
    ),
    Case(
        "url-path-ignores-query",
        {"urlPath": "/p"},
        (Send(url="/p?any=thing"), Send(url="/p")),
        (Send(url="/p/x"),),
    ),
    Case(
        "url-path-pattern",
        {"urlPathPattern": "/users/[a-z]+"},
        (Send(url="/users/bob?x=1"),),
        (Send(url="/users/B0b"),),
    ),
    Case(
        "url-path-template",
        {"urlPathTemplate": "/contacts/{id}/addresses"},
        (Send(url="/contacts/12/addresses"),),
        (Send(url="/contacts/12/x"),),
    ),
    Case(
        "path-parameters",
        {
            "urlPathTemplate": "/orders/{orderId}",
            "pathParameters": {"orderId": {"matches": "[0-9]+"}},
        },
        (Send(url="/orders/42"),),
        (Send(url="/orders/abc"),),
    ),
    Case("no-url-matches-all", {"method": "GET"}, (Send(url="/anything/at/all"),)),
    Case(
        "query-equal-to",
        {"urlPath": "/q", "queryParameters": {"search": {"equalTo": "shoes"}}},
        (Send(url="/q?search=shoes"),),
        (Send(url="/q?search=hats"), Send(url="/q")),
    ),
    Case(
        "query-contains",
        {"urlPath": "/q", "queryParameters": {"search": {"contains": "Some"}}},
        (Send(url="/q?search=WithSomeText"),),
        (Send(url="/q?search=none"),),
    ),
    Case(
        "query-decoded",
        {"urlPath": "/q", "queryParameters": {"name": {"equalTo": "a b&c"}}},
        (Send(url="/q?name=a%20b%26c"),),
    ),
    Case(
        "query-absent",
        {"urlPath": "/q", "queryParameters": {"debug": {"absent": True}}},
        (Send(url="/q?x=1"),),
        (Send(url="/q?debug=1"),),
    ),
    Case(
        "query-has-exactly",
        {
            "urlPath": "/q",
            "queryParameters": {"id": {"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]}},
        },
        (Send(url="/q?id=2&id=1"),),
        (Send(url="/q?id=1&id=2&id=3"), Send(url="/q?id=1")),
    ),
    Case(
        "query-includes",
        {"urlPath": "/q", "queryParameters": {"id": {"includes": [{"equalTo": "1"}]}}},
        (Send(url="/q?id=3&id=1"),),
        (Send(url="/q?id=3"),),
    ),
    Case(
        "header-equal-to",
        {"urlPath": "/h", "headers": {"Accept": {"equalTo": "text/plain"}}},
        (Send(url="/h", headers={"Accept": "text/plain"}),),
        (Send(url="/h", headers={"Accept": "text/html"}),),
    ),
    Case(
        "header-name-case-insensitive",
        {"urlPath": "/h", "headers": {"x-token": {"equalTo": "t"}}},
        (Send(url="/h", headers={"X-TOKEN": "t"}),),
    ),
    Case(
        "header-equal-to-case-insensitive",
        {
            "urlPath": "/h",
            "headers": {"Accept": {"equalTo": "TEXT/PLAIN", "caseInsensitive": True}},
        },
        (Send(url="/h", headers={"Accept": "text/plain"}),),
        (Send(url="/h", headers={"Accept": "text/html"}),),
    ),
    Case(
        "header-matches",
        {"urlPath": "/h", "headers": {"X-Id": {"matches": "[a-f0-9]{4}"}}},
        (Send(url="/h", headers={"X-Id": "be3f"}),),
        (Send(url="/h", headers={"X-Id": "be3fz"}),),
    ),
    Case(
        "header-does-not-match",
        {"urlPath": "/h", "headers": {"X-Id": {"doesNotMatch": "[0-9]+"}}},
        (Send(url="/h", headers={"X-Id": "abc"}),),
        (Send(url="/h", headers={"X-Id": "123"}),),
    ),
    Case(
        "header-contains",
        {"urlPath": "/h", "headers": {"User-Agent": {"contains": "curl"}}},
        (Send(url="/h", headers={"User-Agent": "curl/8"}),),
        (Send(url="/h", headers={"User-Agent": "wget"}),),
    ),
    Case(
        "header-does-not-contain",
        {"urlPath": "/h", "headers": {"User-Agent": {"doesNotContain": "bot"}}},
        (Send(url="/h", headers={"User-Agent": "curl/8"}),),
        (Send(url="/h", headers={"User-Agent": "a bot"}),),
    ),
    Case(
        "header-absent",
        {"urlPath": "/h", "headers": {"X-Debug": {"absent": True}}},
        (Send(url="/h"),),
        (Send(url="/h", headers={"X-Debug": "1"}),),
    ),
    Case(
        "header-present",
        {"urlPath": "/h", "headers": {"Idempotency-Key": {"matches": ".*"}}},
        (Send(url="/h", headers={"Idempotency-Key": "k1"}),),
        (Send(url="/h"),),
    ),
    Case(
        "cookie-matches",
        {"urlPath": "/c", "cookies": {"session": {"matches": ".*12345.*"}}},
        (Send(url="/c", headers={"Cookie": "a=b; session=xx12345yy"}),),
        (Send(url="/c", headers={"Cookie": "session=999"}),),
    ),
    Case(
        "cookie-absent",
        {"urlPath": "/c", "cookies": {"session": {"absent": True}}},
        (Send(url="/c", headers={"Cookie": "other=1"}),),
        (Send(url="/c", headers={"Cookie": "session=1"}),),
    ),
    Case(
        "basic-auth",
        {
            "urlPath": "/secure",
            "basicAuthCredentials": {"username": "jeff", "password": "jeffteenjefftyjeff"},
        },
        (Send(url="/secure", headers=_auth("jeff", "jeffteenjefftyjeff")),),
        (Send(url="/secure", headers=_auth("jeff", "wrong")), Send(url="/secure")),
    ),
    Case(
        "body-equal-to",
        {"method": "POST", "bodyPatterns": [{"equalTo": "hello"}]},
        (Send("POST", body="hello"),),
        (Send("POST", body="hello!"),),
    ),
    Case(
        "body-equal-to-case-insensitive",
        {"method": "POST", "bodyPatterns": [{"equalTo": "HELLO", "caseInsensitive": True}]},
        (Send("POST", body="hello"),),
        (Send("POST", body="help"),),
    ),
    Case(
        "body-contains",
        {"method": "POST", "bodyPatterns": [{"contains": "<status>OK</status>"}]},
        (Send("POST", body="<r><status>OK</status></r>"),),
        (Send("POST", body="<r/>"),),
    ),
    Case(
        "body-does-not-contain",
        {"method": "POST", "bodyPatterns": [{"doesNotContain": "error"}]},
        (Send("POST", body="fine"),),
        (Send("POST", body="an error"),),
    ),
    Case(
        "body-matches-multiline",
        {"method": "POST", "bodyPatterns": [{"matches": ".*total.*"}]},
        (Send("POST", body="line\ntotal: 3\nend"),),
        (Send("POST", body="none"),),
    ),
    Case(
        "body-does-not-match",
        {"method": "POST", "bodyPatterns": [{"doesNotMatch": "[0-9]+"}]},
        (Send("POST", body="abc"),),
        (Send("POST", body="123"),),
    ),
    Case(
        "body-absent",
        {"method": "POST", "bodyPatterns": [{"absent": True}]},
        (Send("POST"),),
        (Send("POST", body="x"),),
    ),
    Case(
        "body-binary-equal-to",
        {
            "method": "POST",
            "bodyPatterns": [{"binaryEqualTo": base64.b64encode(b"\x01\x02\x03").decode()}],
        },
        (Send("POST", body=b"\x01\x02\x03"),),
        (Send("POST", body=b"\x01\x02"),),
    ),
    Case(
        "body-several-patterns-all-must-match",
        {"method": "POST", "bodyPatterns": [{"contains": "a"}, {"contains": "b"}]},
        (Send("POST", body="ab"),),
        (Send("POST", body="a"),),
    ),
    Case(
        "json-equal",
        {"method": "POST", "bodyPatterns": [{"equalToJson": {"total_results": 4}}]},
        (Send("POST", json={"total_results": 4}), Send("POST", body='{ "total_results" : 4.0 }')),
        (Send("POST", json={"total_results": 5}),),
    ),
    Case(
        "json-equal-from-string",
        {"method": "POST", "bodyPatterns": [{"equalToJson": '{ "a": [1, 2] }'}]},
        (Send("POST", json={"a": [1, 2]}),),
        (Send("POST", json={"a": [2, 1]}),),
    ),
    Case(
        "json-extra-elements-rejected",
        {"method": "POST", "bodyPatterns": [{"equalToJson": {"a": 1}}]},
        (Send("POST", json={"a": 1}),),
        (Send("POST", json={"a": 1, "b": 2}),),
    ),
    Case(
        "json-ignore-extra-elements",
        {
            "method": "POST",
            "bodyPatterns": [{"equalToJson": {"a": 1, "l": [1]}, "ignoreExtraElements": True}],
        },
        (Send("POST", json={"a": 1, "b": 2, "l": [1, 2]}),),
        (Send("POST", json={"b": 2}),),
    ),
    Case(
        "json-ignore-array-order",
        {
            "method": "POST",
            "bodyPatterns": [{"equalToJson": {"l": [1, 2, 3]}, "ignoreArrayOrder": True}],
        },
        (Send("POST", json={"l": [3, 1, 2]}),),
        (Send("POST", json={"l": [3, 1, 1]}),),
    ),
    Case(
        "json-any-string-placeholder",
        {
            "method": "POST",
            "bodyPatterns": [
                {"equalToJson": {"id": "${json-unit.any-string}", "n": "${json-unit.any-number}"}}
            ],
        },
        (Send("POST", json={"id": "x1", "n": 4}),),
        (Send("POST", json={"id": 1, "n": 4}),),
    ),
    Case(
        "json-boolean-and-ignore-placeholders",
        {
            "method": "POST",
            "bodyPatterns": [
                {"equalToJson": {"b": "${json-unit.any-boolean}", "x": "${json-unit.ignore}"}}
            ],
        },
        (Send("POST", json={"b": False, "x": [1]}),),
        (Send("POST", json={"b": "no", "x": 1}),),
    ),
    Case(
        "json-regex-placeholder",
        {
            "method": "POST",
            "bodyPatterns": [{"equalToJson": {"sku": "${json-unit.regex}[A-Z]{3}-[0-9]+"}}],
        },
        (Send("POST", json={"sku": "ABC-12"}),),
        (Send("POST", json={"sku": "abc-12"}),),
    ),
    Case(
        "json-not-json-body",
        {"method": "POST", "bodyPatterns": [{"equalToJson": {"a": 1}}]},
        (Send("POST", json={"a": 1}),),
        (Send("POST", body="a=1"),),
    ),
    Case(
        "jsonpath-exists",
        {"method": "POST", "bodyPatterns": [{"matchesJsonPath": "$.name"}]},
        (Send("POST", json={"name": "Tom"}),),
        (Send("POST", json={"other": 1}),),
    ),
    Case(
        "jsonpath-filter",
        {
            "method": "POST",
            "bodyPatterns": [{"matchesJsonPath": "$.things[?(@.name == 'RequiredThing')]"}],
        },
        (Send("POST", json={"things": [{"name": "x"}, {"name": "RequiredThing"}]}),),
        (Send("POST", json={"things": [{"name": "x"}]}),),
    ),
    Case(
        "jsonpath-numeric-filter",
        {"method": "POST", "bodyPatterns": [{"matchesJsonPath": "$[?(@.total > 5)]"}]},
        (Send("POST", json={"total": 9}),),
        (Send("POST", json={"total": 2}),),
    ),
    Case(
        "jsonpath-with-equal-to",
        {
            "method": "POST",
            "bodyPatterns": [{"matchesJsonPath": {"expression": "$.user.id", "equalTo": "42"}}],
        },
        (Send("POST", json={"user": {"id": 42}}),),
        (Send("POST", json={"user": {"id": 43}}),),
    ),
    Case(
        "jsonpath-with-contains",
        {
            "method": "POST",
            "bodyPatterns": [{"matchesJsonPath": {"expression": "$..tag", "contains": "urgent"}}],
        },
        (Send("POST", json={"a": {"tag": "very-urgent"}}),),
        (Send("POST", json={"a": {"tag": "later"}}),),
    ),
    Case(
        "jsonpath-with-absent",
        {
            "method": "POST",
            "bodyPatterns": [{"matchesJsonPath": {"expression": "$.debug", "absent": True}}],
        },
        (Send("POST", json={"a": 1}),),
        (Send("POST", json={"debug": True}),),
    ),
    Case(
        "jsonpath-with-equal-to-json",
        {
            "method": "POST",
            "bodyPatterns": [
                {"matchesJsonPath": {"expression": "$.address", "equalToJson": {"city": "Oslo"}}}
            ],
        },
        (Send("POST", json={"address": {"city": "Oslo"}}),),
        (Send("POST", json={"address": {"city": "Rome"}}),),
    ),
    Case(
        "and-matcher",
        {
            "urlPath": "/l",
            "headers": {"X-V": {"and": [{"matches": "[a-z]+"}, {"contains": "mid"}]}},
        },
        (Send(url="/l", headers={"X-V": "amidb"}),),
        (Send(url="/l", headers={"X-V": "abc"}),),
    ),
    Case(
        "or-matcher",
        {"urlPath": "/l", "queryParameters": {"v": {"or": [{"equalTo": "1"}, {"absent": True}]}}},
        (Send(url="/l?v=1"), Send(url="/l")),
        (Send(url="/l?v=2"),),
    ),
    Case(
        "multipart-any",
        {
            "method": "POST",
            "multipartPatterns": [
                {
                    "matchingType": "ANY",
                    "headers": {"Content-Disposition": {"contains": 'name="info"'}},
                    "bodyPatterns": [{"equalToJson": {"kind": "avatar"}}],
                }
            ],
        },
        (Send("POST", headers=MP, body=MULTIPART),),
        (Send("POST", body="plain"),),
    ),
    Case(
        "multipart-all",
        {
            "method": "POST",
            "multipartPatterns": [
                {
                    "matchingType": "ALL",
                    "headers": {"Content-Disposition": {"contains": "form-data"}},
                }
            ],
        },
        (Send("POST", headers=MP, body=MULTIPART),),
    ),
    Case(
        "multipart-all-fails-on-one-part",
        {
            "method": "POST",
            "multipartPatterns": [{"matchingType": "ALL", "bodyPatterns": [{"contains": "PNG"}]}],
        },
        (),
        (Send("POST", headers=MP, body=MULTIPART),),
    ),
]

RESPONSE_CASES: list[tuple[str, dict[str, Any], int, dict[str, str], bytes]] = [
    # id, response, expected status, expected headers (subset), expected body
    ("status-only", {"status": 204}, 204, {}, b""),
    ("body-text", {"status": 200, "body": "Hello"}, 200, {}, b"Hello"),
    ("json-body", {"jsonBody": {"a": [1, 2]}}, 200, {}, b'{"a":[1,2]}'),
    ("base64-body", {"base64Body": base64.b64encode(b"\x00bin").decode()}, 200, {}, b"\x00bin"),
    (
        "headers-single-and-list",
        {"headers": {"X-One": "1", "Set-Cookie": ["a=1", "b=2"]}, "body": "x"},
        200,
        {"X-One": "1"},
        b"x",
    ),
    ("status-message", {"status": 418, "statusMessage": "Short and stout"}, 418, {}, b""),
    ("default-status-is-200", {"body": "ok"}, 200, {}, b"ok"),
    ("server-error-status", {"status": 503, "body": "down"}, 503, {}, b"down"),
    ("utf8-body", {"body": "héllo ✓"}, 200, {}, "héllo ✓".encode()),
    # WireMock reads numbers given as strings, and takes the first of several body fields
    ("status-as-string", {"status": "201", "body": "s"}, 201, {}, b"s"),
    ("delay-as-string", {"fixedDelayMilliseconds": "5", "body": "d"}, 200, {}, b"d"),
    (
        "json-body-wins-over-base64",
        {"jsonBody": {"a": 1}, "base64Body": "eHl6"},
        200,
        {},
        b'{"a":1}',
    ),
]
