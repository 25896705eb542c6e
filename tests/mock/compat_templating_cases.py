"""Response-templating cases, each a stub in WireMock's JSON and one request to it.

The answers are not written here: `compat_templating_expected.json` holds what real
WireMock 3.13.x answered to each case, recorded by `bench/mock/crosscheck_templating.py
--record` (re-check with the same script without `--record`). `test_compat_templating.py`
sends every case to seamline over a real socket and compares.

A case whose answer is random or depends on the clock gives `pattern`, a regular
expression both WireMock's and seamline's answers must match in full.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ORDER = b'{"id":7,"user":{"name":"ann","tags":["a","b"]},"items":[{"name":"pen","n":1},{"name":"ink","n":2},{"name":"cap","n":3}],"meta":{"x":1,"y":"two"}}'  # noqa: E501
XML = b"<order><id>42</id><item sku='a1'>pen</item><item sku='b2'>ink</item></order>"
SOAP = (
    b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">'
    b"<soap:Body><order><id>9</id></order></soap:Body></soap:Envelope>"
)
FORM = b"name=ann+lee&id=1&id=2&note=a%26b"
MULTIPART = (
    b'--XyZ\r\nContent-Disposition: form-data; name="info"\r\n'
    b"Content-Type: application/json\r\n\r\n"
    b'{"kind":"avatar"}\r\n--XyZ--\r\n'
)


@dataclass(frozen=True)
class TemplateCase:
    id: str
    template: str = ""
    url: str = "/t"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    response: dict[str, Any] | None = None  # a whole response instead of a body template
    request: dict[str, Any] | None = None  # the request pattern, when not `/t...`
    pattern: str | None = None  # for random or clock-dependent answers

    def mapping(self) -> dict[str, Any]:
        response = dict(self.response) if self.response is not None else {"body": self.template}
        response.setdefault("transformers", ["response-template"])
        return {
            "request": self.request or {"urlPathPattern": "/t.*"},
            "response": response,
        }

    @property
    def method(self) -> str:
        return "GET" if self.body is None else "POST"


def _t(case_id: str, template: str, url: str = "/t", body: bytes | None = None) -> TemplateCase:
    return TemplateCase(case_id, template, url=url, body=body)


def _r(case_id: str, template: str, pattern: str) -> TemplateCase:
    return TemplateCase(case_id, template, pattern=pattern)


ESCAPING = [
    _t("no-escape-body", "{{request.query.q}}", "/t?q=a%26b%3Cc%3E%22d%27"),
    _t("no-escape-body-json", "{{{request.body}}}|{{request.body}}", body=b'{"a":"<&>"}'),
    TemplateCase(
        "no-escape-json-body",
        response={"jsonBody": {"echo": "{{request.query.q}}"}},
        url="/t?q=%3Cb%3E%26",
    ),
    TemplateCase(
        "no-escape-header",
        response={
            "headers": {"X-Echo": "{{request.query.q}}"},
            "body": "{{request.headers.X-Echo}}",
        },
        url="/t?q=a%26b",
        headers={"X-Echo": "<x>&"},
    ),
]

REQUEST_MODEL = [
    _t("path", "{{request.path}}", "/t/a/b?x=1"),
    _t("path-index", "{{request.path.[1]}}|{{request.path.1}}", "/t/a/b"),
    _t("path-segments", "{{request.pathSegments.[2]}}", "/t/a/b"),
    TemplateCase(
        "path-template-names",
        "{{request.path.contactId}}/{{request.path.addressId}}|{{request.path}}",
        url="/contacts/12/addresses/99",
        request={"urlPathTemplate": "/contacts/{contactId}/addresses/{addressId}"},
    ),
    _t("url", "{{request.url}}", "/t/a?x=1&y=2"),
    _t("scheme-host", "{{request.scheme}}://{{request.host}}", "/t"),
    _t("port-base-url", "{{request.port}}|{{request.baseUrl}}"),
    _t("query-many", "{{request.query.id}}", "/t?id=1&id=2&id=3"),
    _t(
        "query-first-last",
        "{{request.query.id.first}} {{request.query.id.last}}",
        "/t?id=1&id=2&id=3",
    ),
    _t("query-index", "{{request.query.id.[1]}}|{{request.query.id.0}}", "/t?id=1&id=2"),
    _t("query-single-first", "{{request.query.q.first}}", "/t?q=only"),
    _t("query-missing", "[{{request.query.nope}}]", "/t"),
    _t("query-decoded", "{{request.query.q}}", "/t?q=a%20b+c"),
    TemplateCase(
        "header-case-insensitive",
        "{{request.headers.x-token}}|{{request.headers.X-TOKEN}}|{{request.headers.[X-Token]}}",
        headers={"X-Token": "tok"},
    ),
    TemplateCase("cookie", "{{request.cookies.s}}", headers={"Cookie": "s=c1; t=c2"}),
    _t("method", "{{request.method}}", body=b"x"),
    _t("body-base64", "{{request.bodyAsBase64}}", body=b"hello"),
    TemplateCase(
        "multipart-part",
        "{{request.parts.info.body}}|{{request.parts.info.headers.content-type}}",
        body=MULTIPART,
        headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    ),
    TemplateCase(
        "parameters",
        response={
            "body": "{{parameters.greeting}} {{parameters.n}}",
            "transformerParameters": {"greeting": "hi", "n": 3},
        },
    ),
    _t("comment", "a{{! a comment }}b{{!-- {{x}} --}}c"),
    _t("whitespace-control", "a  {{~request.method~}}  b"),
]

STRING_HELPERS = [
    _t(
        "default-if-empty",
        "{{defaultIfEmpty request.query.nope 'dflt'}}|{{defaultIfEmpty 'x' 'd'}}",
    ),
    _t("replace", "{{replace 'a-b-c' '-' '+'}}"),
    _t("substring", "{{substring 'abcdef' 1 3}}|{{substring 'abcdef' 2}}"),
    _t("abbreviate", "{{abbreviate 'Hello wonderful world' 11}}"),
    _t("strip-tags", "{{stripTags '<b>bold</b> <i>text</i>'}}"),
    _t("yesno", "{{yesno true}} {{yesno false}} {{yesno true yes='Y' no='N'}}"),
    _t("join-params", "{{join 'a' 'b' 'c' ', '}}"),
    _t("join-list", "{{join (array 1 2 3) '-'}}"),
    _t("array-join", "{{arrayJoin ',' (array 'a' 'b' 'c')}}|{{arrayJoin ' ' 'x' 'y'}}"),
    _t("array-join-prefix", "{{arrayJoin ', ' (array 'a' 'b') prefix='[' suffix=']'}}"),
    _t(
        "array-join-block",
        "{{#arrayJoin ',' (jsonPath request.body '$.items') as |item|}}{{item.name}}{{/arrayJoin}}",
        body=ORDER,
    ),
    _t("capitalize", "{{capitalize 'hello big world'}}|{{capitalizeFirst 'hello world'}}"),
    _t("upper-lower", "{{upper 'abC'}}{{lower 'ABc'}}"),
    _t(
        "center-ljust-rjust",
        "[{{center 'ab' size=6}}][{{ljust 'ab' size=4}}][{{rjust 'ab' size=4 pad='0'}}]",
    ),
    _t("cut", "{{cut 'a-b-c' '-'}}|{{cut 'a b c'}}"),
    _t("slugify", "{{slugify 'Hello Big World!'}}"),
    _t("string-format", "{{stringFormat '%s=%s' 'a' 'b'}}"),
    _t("trim", "[{{trim '  x y  '}}]"),
    _t("url-encode", "{{urlEncode 'a b&c/d'}}|{{urlEncode 'a+b%26c' decode=true}}"),
    _t("number-format", "{{numberFormat 1234.5678 maximumFractionDigits=2}}"),
]

LOGIC = [
    _t(
        "if-else-if",
        "{{#if request.query.a}}A{{else if request.query.b}}B{{else}}C{{/if}}",
        "/t?b=1",
    ),
    _t("if-else-if-last", "{{#if request.query.a}}A{{else if request.query.b}}B{{else}}C{{/if}}"),
    _t("unless", "{{#unless request.query.a}}none{{else}}some{{/unless}}"),
    _t("eq-ne", "{{eq 'a' 'a'}} {{neq 'a' 'b'}} {{eq 1 2}}"),
    _t("eq-block", "{{#eq request.query.k 'v'}}yes{{else}}no{{/eq}}", "/t?k=v"),
    _t("gt-lt", "{{gt 3 2}} {{lt 3 2}} {{gte 2 2}} {{lte 1 2}}"),
    _t("and-or-not", "{{and true false}} {{or true false}} {{not false}}"),
    _t("if-eq-sub", "{{#if (eq request.method 'POST')}}post{{else}}other{{/if}}", body=b"x"),
    _t("contains", "{{contains 'abc' 'b'}} {{#contains 'abc' 'z'}}y{{else}}n{{/contains}}"),
    _t("contains-list", "{{contains (array 'a' 'b') 'b'}}"),
    _t("matches", "{{matches '123' '[0-9]+'}} {{#matches 'ab' '[0-9]+'}}y{{else}}n{{/matches}}"),
    _t(
        "each-index-first-last",
        "{{#each (array 'a' 'b' 'c')}}{{@index}}:{{this}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}} {{/each}}",  # noqa: E501
    ),
    _t(
        "each-as-item",
        "{{#each (jsonPath request.body '$.items') as |item|}}{{item.name}}={{item.n}};{{/each}}",
        body=ORDER,
    ),
    _t(
        "each-object",
        "{{#each (jsonPath request.body '$.meta')}}{{@key}}={{this}};{{/each}}",
        body=ORDER,
    ),
    _t("each-else", "{{#each (array)}}x{{else}}empty{{/each}}"),
    _t("with", "{{#with (jsonPath request.body '$.user')}}{{name}}{{/with}}", body=ORDER),
    _t("lookup", "{{lookup request.query 'k'}}", "/t?k=v"),
    _t(
        "size",
        "{{size 'abc'}} {{size (array 1 2)}} {{size (jsonPath request.body '$.items')}}",
        body=ORDER,
    ),
    _t("range", "{{range 1 3}}|{{#each (range 1 4)}}{{this}}{{/each}}"),
    _t("array", "{{array 1 'two' 3}}|{{array}}"),
    _t(
        "array-add-remove",
        "{{arrayAdd (array 1 2) 3}}|{{arrayAdd (array 1 2) 0 position=0}}|"
        "{{arrayRemove (array 1 2 3) position=1}}",
    ),
    _t(
        "math",
        "{{math 1 '+' 2}} {{math 10 '/' 4}} {{math 7 '%' 3}} {{math 3 '*' 2}} {{math 10 '-' 12}}",
    ),
    _t("math-decimal", "{{math '1.5' '*' 2}} {{math 10 '/' 5}}"),
    _t("val", "{{val request.query.nope or='dflt'}}|{{val 'x' default='d'}}|{{val 5}}"),
    _t("val-assign", "{{val 'kept' assign='v'}}[{{v}}]"),
    _t("assign", "{{#assign 'who'}}ann{{/assign}}hi {{who}}"),
    _t("is-even-odd", "{{isEven 2}} {{isOdd 2}}"),
]

JSON_HELPERS = [
    _t(
        "json-path-scalar",
        "{{jsonPath request.body '$.user.name'}}|{{jsonPath request.body '$.id'}}",
        body=ORDER,
    ),
    _t("json-path-object", "{{jsonPath request.body '$.user'}}", body=ORDER),
    _t("json-path-array", "{{jsonPath request.body '$.user.tags'}}", body=ORDER),
    _t("json-path-filter", "{{jsonPath request.body '$.items[?(@.n > 1)].name'}}", body=ORDER),
    _t("json-path-filter-one", "{{jsonPath request.body '$.items[?(@.n == 1)].name'}}", body=ORDER),
    _t("json-path-missing", "[{{jsonPath request.body '$.nope'}}]", body=ORDER),
    _t("json-path-default", "{{jsonPath request.body '$.nope' default='d'}}", body=ORDER),
    _t("json-path-length", "{{jsonPath request.body '$.items.length()'}}", body=ORDER),
    _t("format-json", '{{formatJson \'{"a":1,"b":[1,2],"c":{}}\'}}'),
    _t(
        "format-json-compact",
        "{{formatJson request.body format='compact'}}",
        body=b'{ "a" : [ 1, 2 ] }',
    ),
    _t("format-json-block", '{{#formatJson}}{"a":{"b":true}}{{/formatJson}}'),
    _t(
        "to-json",
        "{{toJson (array 1 'a')}}|{{toJson (jsonPath request.body '$.meta')}}",
        body=ORDER,
    ),
    _t("json-array-add", "{{jsonArrayAdd '[1,2]' '3'}}"),
    _t("json-array-add-block", '{{#jsonArrayAdd \'[{"a":1}]\'}}{"b":2}{{/jsonArrayAdd}}'),
    _t("json-array-add-max", "{{jsonArrayAdd '[1,2,3]' '4' maxItems=3}}"),
    _t("json-array-add-flatten", "{{jsonArrayAdd '[1]' '[2,3]' flatten=true}}"),
    _t(
        "json-array-add-path",
        "{{jsonArrayAdd request.body '\"z\"' jsonPath='$.user.tags'}}",
        body=b'{"user":{"tags":["a"]}}',
    ),
    _t("json-remove", "{{jsonRemove '{\"a\":1,\"b\":2}' '$.b'}}"),
    _t("json-merge", '{{jsonMerge \'{"a":1,"o":{"x":1}}\' \'{"b":2,"o":{"y":2}}\'}}'),
    _t("json-merge-block", '{{#jsonMerge \'{"a":1}\'}}{"a":2}{{/jsonMerge}}'),
    _t(
        "json-merge-remove-nulls", '{{jsonMerge \'{"a":1,"b":2}\' \'{"b":null}\' removeNulls=true}}'
    ),
    _t("json-sort", "{{jsonSort '[3,1,2]' '$'}}"),
    _t("parse-json", '{{#parseJson \'obj\'}}{"a":{"b":"c"}}{{/parseJson}}{{obj.a.b}}'),
    _t("parse-json-inline", "{{parseJson request.body 'o'}}{{o.user.name}}", body=ORDER),
    TemplateCase(
        "json-body-templated",
        response={"jsonBody": {"id": "{{jsonPath request.body '$.id'}}", "n": 1}},
        body=ORDER,
    ),
]

OTHER_HELPERS = [
    _t(
        "base64",
        "{{base64 'hello'}}|{{base64 'aGVsbG8=' decode=true}}|{{base64 'hi' padding=false}}",
    ),
    _t("base64-block", "{{#base64}}hello{{/base64}}|{{#base64 padding=false}}hi{{/base64}}"),
    TemplateCase(
        "form-data",
        "{{formData request.body 'f'}}{{f.name}}|{{f.id}}|{{f.id.1}}|{{f.note}}",
        body=FORM,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ),
    TemplateCase(
        "form-data-decoded",
        "{{formData request.body 'f' urlDecode=true}}{{f.name}}|{{f.note}}",
        body=FORM,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ),
    _t("xpath-text", "{{xPath request.body '/order/id/text()'}}", body=XML),
    _t("xpath-element", "{{xPath request.body '/order/id'}}", body=XML),
    _t("xpath-attribute", "{{xPath request.body '/order/item[2]/@sku'}}", body=XML),
    _t("xpath-count", "{{xPath request.body 'count(/order/item)'}}", body=XML),
    _t("soap-xpath", "{{soapXPath request.body '/order/id/text()'}}", body=SOAP),
    _t("regex-extract", "{{regexExtract request.body '[A-Z]+'}}", body=b"abcDEFghi"),
    _t("regex-extract-groups", "{{regexExtract 'abc-123' '([a-z]+)-([0-9]+)' 'p'}}{{p.0}}:{{p.1}}"),
    _t("regex-extract-default", "{{regexExtract 'abc' '[0-9]+' default='none'}}"),
    _r(
        "random-decimal", "{{randomDecimal lower=1.5 upper=2.5}}", r"(1\.[5-9]|2\.[0-4])[0-9]*|2\.5"
    ),
    _r("pick-random", "{{pickRandom 'a' 'b' 'c'}}", r"[abc]"),
    _r("pick-random-list", "{{pickRandom (array 1 2 3)}}", r"[123]"),
    _r("pick-random-count", "{{pickRandom (array 1 2 3) count=2}}", r"\[[123], [123]\]"),
    _r("random-int", "{{randomInt lower=1 upper=3}}", r"[12]"),
    _t("random-int-empty-range", "{{randomInt lower=5 upper=5}}"),
    _r(
        "random-value-types",
        "{{randomValue length=5 type='NUMERIC'}}"
        "{{randomValue length=4 type='ALPHABETIC' uppercase=true}}"
        "{{randomValue type='HEXADECIMAL' length=3}}",
        r"[0-9]{5}[A-Z]{4}[0-9a-f]{3}",
    ),
    _r(
        "random-value-uuid",
        "{{randomValue type='UUID'}}",
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
    ),
    _r("hostname", "{{hostname}}", r".+"),
    _r(
        "now-default",
        "{{now}}",
        r"20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z",
    ),
    _r("now-epoch-unix", "{{now format='epoch'}} {{now format='unix'}}", r"1[0-9]{12} 1[0-9]{9}"),
]

D = "(parseDate '2024-01-31T10:20:30Z')"
DATES = [
    _t("parse-date", "{{parseDate '2024-03-05T10:20:30Z'}}"),
    _t("parse-date-format", "{{parseDate '05/03/2024' format='dd/MM/yyyy'}}"),
    _t(
        "parse-date-epoch-unix",
        "{{parseDate '1700000000' format='unix'}}|{{parseDate '1700000000123' format='epoch'}}",
    ),
    _t("parse-date-rfc1123", "{{parseDate 'Tue, 05 Mar 2024 10:00:00 GMT'}}"),
    _t("parse-date-date-only", "{{parseDate '2024-03-05'}}"),
    _t("date-month-offset", "{{date " + D + " offset='1 months' format='yyyy-MM-dd'}}"),
    _t(
        "date-offsets",
        "{{date "
        + D
        + " offset='-2 years'}}|{{date "
        + D
        + " offset='3 hours'}}|{{date "
        + D
        + " offset='10 seconds'}}",
    ),
    _t("date-formats", "{{date " + D + " format='epoch'}}|{{date " + D + " format='unix'}}"),
    _t("date-java-pattern", "{{date " + D + " format=\"EEE, d MMM yyyy HH:mm:ss 'x' SSS\"}}"),
    _t("date-java-pattern-2", "{{date " + D + " format='EEEE dd/MM/yy hh:mm a D'}}"),
    _t(
        "date-timezone-named",
        "{{date " + D + " timezone='Australia/Sydney' format='yyyy-MM-dd HH:mm Z'}}",
    ),
    _t("date-timezone-gmt", "{{date " + D + " timezone='GMT' format='yyyy-MM-dd HH:mm:ss z'}}"),
    _t("date-timezone-default-format", "{{date " + D + " timezone='Europe/Paris'}}"),
    _t(
        "truncate-date",
        "{{truncateDate "
        + D
        + " 'first day of month'}}|{{truncateDate "
        + D
        + " 'first hour of day'}}|{{truncateDate "
        + D
        + " 'first minute of hour'}}",
    ),
    _t(
        "truncate-date-2",
        "{{truncateDate "
        + D
        + " 'last day of month'}}|{{truncateDate "
        + D
        + " 'first day of next month'}}|{{truncateDate "
        + D
        + " 'first day of year'}}",
    ),
    _t(
        "truncate-date-3",
        "{{truncateDate "
        + D
        + " 'first day of next year'}}|{{truncateDate "
        + D
        + " 'last day of year'}}",
    ),
    _t(
        "parse-then-format",
        "{{date (parseDate request.query.d format='yyyy-MM-dd') format='dd.MM.yyyy'}}",
        "/t?d=2024-12-25",
    ),
    _r(
        "now-offset-timezone",
        "{{now offset='1 days' timezone='GMT' format='yyyy-MM-dd HH:mm z'}}",
        r"20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} GMT",
    ),
]

X_JSON = b'{"user":{"name":"ann","address":{"city":"Oslo","zip":[1,2]}},"items":[{"name":"pen","n":1},{"n":2}]}'  # noqa: E501
COMBINED = [
    _t(
        "query-each",
        "{{#each request.query.id}}<{{this}}>{{/each}}|{{size request.query.id}}",
        "/t?id=1&id=2",
    ),
    _t("query-map", "{{request.query}}", "/t?a=1&b=2"),
    TemplateCase(
        "header-many",
        "{{request.headers.X-M}}|{{request.headers.X-M.[1]}}",
        headers={"X-M": "a, b"},
    ),
    _t("parent-path", "{{#each (array 1 2)}}{{this}}{{../request.method}};{{/each}}"),
    _t("root-path", "{{#each (array 1)}}{{@root.request.url}}{{/each}}", "/t/r"),
    _t("with-else", "{{#with request.query.nope}}x{{else}}none{{/with}}"),
    _t("nested-subexpressions", "{{math (size (array 1 2 3)) '+' (math 2 '*' 3)}}"),
    _t(
        "and-sub",
        "{{#if (and (eq 1 1) (gt 2 1))}}both{{/if}}{{#if (or false (not true))}}x{{else}}y{{/if}}",
    ),
    _t(
        "each-unless-last",
        "{{#each (range 1 3) as |n|}}{{n}}{{#unless @last}},{{/unless}}{{/each}}",
    ),
    _t("double-quotes", '{{upper "it\'s"}}|{{replace "a b" " " "_"}}'),
    _t("spaces-in-tag", "{{  upper   'a'  }}"),
    _t("triple-stash", "{{{request.query.q}}}", "/t?q=%3Cx%3E"),
    _t("json-path-nested-object", "{{jsonPath request.body '$.user.address'}}", body=X_JSON),
    _t(
        "json-path-of-json-path",
        "{{jsonPath (jsonPath request.body '$.user') '$.address.city'}}",
        body=X_JSON,
    ),
    _t("json-path-not-json", "{{jsonPath request.body '$.a'}}", body=b"not json"),
    _t(
        "json-path-present-default",
        "{{jsonPath request.body '$.user.name' default='x'}}",
        body=X_JSON,
    ),
    _t("json-path-deep-missing", "[{{jsonPath request.body '$.a.b.c'}}]", body=X_JSON),
    _t("json-path-leaf-missing", "{{jsonPath request.body '$.items[*].name'}}", body=X_JSON),
    _t(
        "json-path-each-filter",
        "{{#each (jsonPath request.body '$.items[?(@.n >= 2)]') as |it|}}{{it.n}}{{/each}}",
        body=X_JSON,
    ),
    _t(
        "json-path-number-array",
        "{{jsonPath request.body '$.user.address.zip'}}|"
        "{{jsonPath request.body '$.user.address.zip[1]'}}",
        body=X_JSON,
    ),
    TemplateCase(
        "json-body-nested",
        response={
            "jsonBody": {
                "a": ["{{request.query.x}}", {"b": "{{upper request.query.x}}"}],
                "n": 2,
                "t": True,
            }
        },
        url="/t?x=q",
    ),
    TemplateCase(
        "header-list-templated",
        response={"headers": {"X-L": ["{{request.query.a}}", "two"]}, "body": "ok"},
        url="/t?a=one",
    ),
    _t("val-present", "{{val request.query.x or='d'}}", "/t?x=1&x=2"),
    _t("contains-header", "{{contains request.headers.Accept 'json'}}"),
    _t("matches-path", "{{matches request.path '/t/[0-9]+'}}", "/t/42"),
    _t("eq-path-segment", "{{eq request.path.[1] 'a'}}", "/t/a"),
    _t("regex-each", "{{regexExtract 'a1b2' '([a-z])([0-9])' 'p'}}{{#each p}}{{this}}.{{/each}}"),
    _t("form-each", "{{formData request.body 'f'}}{{#each f.id}}{{this}};{{/each}}", body=FORM),
    _t(
        "xpath-many",
        "{{xPath request.body '/order/item/text()'}}|{{xPath request.body '//item/@sku'}}",
        body=XML,
    ),
    _t("format-xml", "{{formatXml '<a><b>1</b></a>'}}"),
    _t("capitalize-fully", "{{capitalize 'hELLO wORLD' fully=true}}"),
    _t("string-format-number", "{{stringFormat '%d items' 3}}"),
    _t(
        "number-format-styles",
        "{{numberFormat 0.256 'percent'}} {{numberFormat 1234.5 'integer'}} "
        "{{numberFormat 1234.5 '#,##0.00'}}",
    ),
    _t("system-value-denied", "{{systemValue type='ENVIRONMENT' key='HOME'}}"),
    _t(
        "date-minus-day",
        "{{date (parseDate '2024-03-01T00:00:00Z') offset='-1 days' format='yyyy-MM-dd'}}",
    ),
    _t(
        "date-offset-year-leap",
        "{{date (parseDate '2024-02-29T00:00:00Z') offset='1 years' format='yyyy-MM-dd'}}",
    ),
    _t("parse-date-offset", "{{parseDate '2024-01-31T10:20:30+02:00'}}"),
    _t(
        "parse-date-offset-format",
        "{{date (parseDate '2024-01-31T10:20:30+02:00') format='HH:mm z Z X'}}",
    ),
    _t("parse-date-zulu-x", "{{date (parseDate '2024-01-31T10:20:30Z') format='HH:mm X XXX'}}"),
    _t("parse-date-millis", "{{date (parseDate '2024-01-31T10:20:30.045Z') format='ss.SSS S'}}"),
    _t(
        "truncate-now-format",
        "{{date (truncateDate (parseDate '2024-05-17T13:14:15Z') 'first day of month')"
        " format='yyyy-MM-dd HH:mm'}}",
    ),
    _r(
        "now-format",
        "{{now format='yyyy-MM-dd'}}|{{now timezone='UTC'}}",
        r"20[0-9]{2}-[0-9]{2}-[0-9]{2}\|20[0-9-]{8}T[0-9:]{8}Z",
    ),
    _r("now-zone-named", "{{now timezone='America/New_York' format='z'}}", r"E[SD]T"),
    _r("random-symbols", "{{randomValue length=20 type='ALPHANUMERIC_AND_SYMBOLS'}}", r"\S{20}"),
]

DP = "(parseDate '2024-01-31T10:20:30Z')"
TYPES = [
    _t(
        "date-format-helper",
        f"{{{{dateFormat {DP} 'yyyy/MM/dd'}}}}|{{{{dateFormat {DP}}}}}"
        f"|{{{{dateFormat {DP} 'full'}}}}"
        f"|{{{{dateFormat {DP} 'short'}}}}|{{{{dateFormat {DP} 'long'}}}}"
        f"|{{{{dateFormat {DP} format='HH:mm' tz='Europe/Paris'}}}}",
    ),
    _t("word-wrap", "{{wordWrap 'the quick brown fox' 10}}"),
    _t("string-format-printf", "{{stringFormat '%.2f|%5s|%-3d|%x' 3.14159 'ab' 7 255}}"),
    _t(
        "eq-types",
        "{{eq '1' 1}} {{eq 1 1.0}} {{eq (jsonPath request.body '$.x') 1}}",
        body=b'{"x":1}',
    ),
    _t("compare-types", "{{gt '10' '9'}} {{gt 10 9}} {{lt 1.5 2}} {{gte 'b' 'a'}}"),
    _t("compare-request-value", "{{gt request.query.n 5}}", "/t?n=7"),
    _t("eq-query-value", "{{eq request.query.n '7'}}", "/t?n=7"),
    _t("eq-size", "{{#if (eq (size request.query.id) 2)}}two{{/if}}", "/t?id=1&id=2"),
    _t(
        "each-plain-objects",
        "{{#each (jsonPath request.body '$.items')}}{{this}}{{this.name}};{{/each}}",
        body=b'{"items":[{"name":"pen"},{"name":"ink","n":[1,2]}]}',
    ),
    TemplateCase(
        "parameters-nested",
        response={
            "body": "{{parameters.o.a}}|{{parameters.l.[1]}}|{{parameters.o}}",
            "transformerParameters": {"o": {"a": "x"}, "l": [1, 2]},
        },
    ),
]

# Edge cases: bounds, types and formats where a port of the helpers easily differs.
EDGES = [
    TemplateCase("edge-request-headers-1", "{{request.headers}}", headers={"X-A": "1"}),
    TemplateCase("edge-request-cookies-1", "{{request.cookies}}", headers={"Cookie": "a=1; b=2"}),
    TemplateCase("edge-request-path-segments-1", "{{request.pathSegments}}", url="/t/a/b"),
    TemplateCase(
        "edge-request-path--1", "{{request.path.[5]}}|{{request.query.x.[9]}}", url="/t/a?x=1"
    ),
    TemplateCase("edge-request-query-x-last-1", "{{request.query.x.last}}", url="/t?x=1"),
    TemplateCase("edge-size-1", "{{size request.body}}", body=b"h\xc3\xa9llo"),
    TemplateCase("edge-request-body-1", "{{request.body}}", body=b"h\xc3\xa9llo w\xc3\xb6rld"),
    TemplateCase("edge-upper-1", "{{upper request.body}}", body=b"abc"),
    TemplateCase(
        "edge-each-1", "{{#each request.pathSegments}}{{@index}}{{this}}{{/each}}", url="/t/a/b"
    ),
    TemplateCase("edge-each-2", "{{#each request.path}}{{this}}{{/each}}", url="/t/a/b"),
    TemplateCase("edge-math-1", "{{math 5 '/' 0}}"),
    TemplateCase("edge-math-2", "{{math 2147483647 '+' 1}}"),
    TemplateCase("edge-math-3", "{{math 0.5 '+' 0.25}}"),
    TemplateCase("edge-math-4", "{{math 3 '-' 3.0}}"),
    TemplateCase("edge-math-5", "{{math '1e3' '+' 1}}"),
    TemplateCase("edge-random-int-1", "{{randomInt lower=0 upper=1}}"),
    TemplateCase("edge-substring-1", "{{substring 'abc' 5}}"),
    TemplateCase("edge-abbreviate-1", "{{abbreviate 'abc' 2}}"),
    TemplateCase("edge-replace-1", "{{replace request.query.q 'a' 'b'}}", url="/t?q=aaa"),
    TemplateCase(
        "edge-default-if-empty-1",
        "{{defaultIfEmpty '' 'x'}}|{{defaultIfEmpty false 'y'}}|{{defaultIfEmpty 0 'z'}}",
    ),
    TemplateCase("edge-join-1", "{{join (array) ','}}"),
    TemplateCase("edge-array-join-1", "{{arrayJoin ',' (array)}}"),
    TemplateCase("edge-to-json-1", "{{toJson 'str'}}|{{toJson 5}}|{{toJson true}}"),
    TemplateCase("edge-to-json-2", "{{toJson request.query}}", url="/t?a=1&b=2&b=3"),
    TemplateCase("edge-parse-json-1", "{{parseJson '[1,2]' 'l'}}{{l.[1]}}{{size l}}"),
    TemplateCase("edge-parse-json-2", "{{#parseJson 'o'}}{}{{/parseJson}}{{size o}}"),
    TemplateCase(
        "edge-json-path-1",
        "{{jsonPath '{\"a\":[1,2]}' '$.a[5]'}}|{{jsonPath '{\"a\":{\"b\":null}}' '$.a.b'}}",
    ),
    TemplateCase(
        "edge-json-path-2",
        "{{jsonPath '{\"a\":1.50}' '$.a'}}|{{jsonPath '{\"a\":1e3}' '$.a'}}|"
        "{{jsonPath '{\"a\":true}' '$.a'}}",
    ),
    TemplateCase("edge-json-path-3", "{{jsonPath '{\"a\":\"x\"}' '$'}}"),
    TemplateCase("edge-json-path-4", "{{jsonPath '[{\"a\":1}]' '$[0]'}}"),
    TemplateCase("edge-json-path-5", '{{jsonPath \'{"a":{"b":[{"c":1}]}}\' \'$.a\'}}'),
    TemplateCase("edge-format-json-1", "{{formatJson '[1,{\"a\":[]}]'}}"),
    TemplateCase("edge-format-json-2", "{{formatJson '\"x\"'}}|{{formatJson '5'}}"),
    TemplateCase("edge-json-merge-1", "{{jsonMerge '{\"a\":[1]}' '{\"a\":[2]}'}}"),
    TemplateCase("edge-json-remove-1", "{{jsonRemove '{\"a\":[1,2]}' '$.a[0]'}}"),
    TemplateCase("edge-json-remove-2", '{{jsonRemove \'{"a":{"b":1,"c":2}}\' \'$.a.b\'}}'),
    TemplateCase("edge-json-array-add-1", "{{jsonArrayAdd '{\"a\":1}' '2'}}"),
    TemplateCase("edge-base64-1", "{{base64 ''}}|{{base64 'aGk' decode=true}}"),
    TemplateCase("edge-url-encode-1", "{{urlEncode 'ä ö~*'}}"),
    TemplateCase("edge-regex-extract-1", "{{regexExtract 'abc' 'b' 'v'}}[{{v}}]"),
    TemplateCase("edge-regex-extract-2", "{{regexExtract 'abc' '(x)?b' 'v'}}[{{v.0}}]"),
    TemplateCase("edge-trim-1", "{{trim request.query.q}}", url="/t?q=%20a%20"),
    TemplateCase("edge-capitalize-1", "{{capitalize 'o\\'neil mc-d'}}"),
    TemplateCase("edge-strip-tags-1", "{{stripTags '<p class=\"x\">a<br/>b</p>'}}"),
    TemplateCase("edge-slugify-1", "{{slugify 'Äbc déf_g'}}"),
    TemplateCase("edge-yesno-1", "{{yesno 'x'}}|{{yesno ''}}|{{yesno 0}}"),
    TemplateCase("edge-if-1", "{{#if request.query.a}}y{{/if}}", url="/t?a="),
    TemplateCase("edge-unless-1", "{{#unless (contains 'abc' 'x')}}none{{/unless}}"),
    TemplateCase(
        "edge-each-3", "{{#each (array 'a' 'b') as |x i|}}{{i}}:{{x}}{{@index}} {{/each}}"
    ),
    TemplateCase(
        "edge-each-4",
        '{{#each (jsonPath \'{"a":{"x":1,"y":[1,2]}}\' \'$.a\') as |v k|}}{{k}}={{v}};{{/each}}',
    ),
    TemplateCase(
        "edge-with-1", "{{#with (jsonPath '{\"a\":{\"x\":1}}' '$.a') as |o|}}{{o.x}}{{/with}}"
    ),
    TemplateCase(
        "edge-lookup-1",
        "{{lookup (array 'a' 'b') 1}}|{{lookup (jsonPath '{\"a\":{\"x\":1}}' '$.a') 'x'}}",
    ),
    TemplateCase(
        "edge-if-2", "{{#if (matches request.query.id '[0-9]+')}}num{{/if}}", url="/t?id=12"
    ),
    TemplateCase("edge-size-2", "{{size (formData 'a=1&b=2')}}"),
    TemplateCase("edge-pick-random-1", "{{pickRandom 'only'}}"),
    TemplateCase("edge-range-1", "{{range 3 1}}"),
    TemplateCase("edge-val-1", "{{val null or='a'}}|{{val '' or='b'}}"),
    TemplateCase("edge-now-1", "{{now format='yyyy' offset='0 days'}}x", pattern=r"20[0-9]{2}x"),
    TemplateCase(
        "edge-date-1",
        "{{date (parseDate '2024-01-31T10:20:30Z') format=\"yyyy-MM-dd'T'HH:mm:ss.SSSXXX\"}}",
    ),
    TemplateCase(
        "edge-date-2", "{{date (parseDate '2024-01-31T10:20:30Z') format='MMMMM EEEEE yyyyy hh a'}}"
    ),
    TemplateCase("edge-parse-date-1", "{{parseDate '31/01/2024 10:20' format='dd/MM/yyyy HH:mm'}}"),
    TemplateCase("edge-parse-date-2", "{{parseDate '2024-01-31T10:20:30.123456Z'}}"),
    TemplateCase("edge-parse-date-3", "{{parseDate 'Wed Jan 31 10:20:30 2024'}}"),
    TemplateCase(
        "edge-truncate-date-1",
        "{{truncateDate (parseDate '2024-01-31T10:20:30+05:00') 'first hour of day'}}",
    ),
    TemplateCase(
        "edge-date-3",
        "{{date (truncateDate (parseDate '2024-01-31T10:20:30Z') 'first day of month')"
        " offset='-1 days' format='yyyy-MM-dd'}}",
    ),
    TemplateCase("edge-x-path-1", "{{xPath '<a><b>1</b><b>2</b></a>' '/a/b'}}"),
    TemplateCase(
        "edge-x-path-2", "{{xPath '<a><b x=\"1\">t</b></a>' '/a/b/@x'}}|{{xPath '<a/>' '/a/c'}}"
    ),
    TemplateCase("edge-x-path-3", "{{xPath 'not xml' '/a'}}"),
    TemplateCase(
        "edge-each-5", "{{#each (xPath '<a><b>1</b><b>2</b></a>' '/a/b/text()')}}{{this}};{{/each}}"
    ),
]

MORE_EDGES = [
    TemplateCase("more-request-client-ip-1", "{{request.clientIp}}"),
    TemplateCase("more-size-1", "{{size request.id}}"),
    TemplateCase(
        "more-request-method-name-1", "{{request.method.name}}|{{lower request.method}}", body=b"x"
    ),
    TemplateCase("more-request-multipart-1", "{{request.multipart}}|{{request.isMultipart}}"),
    TemplateCase("more-request-body-as-base64-1", "{{request.bodyAsBase64}}", body=b"\xc3\xbf"),
    TemplateCase(
        "more-request-parts-file-body-1",
        "{{request.parts.file.body}}|{{request.parts.file.headers.content-disposition}}|{{request.parts.file.name}}",
        body=b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nhello\r\n--B--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=B"},
    ),
    TemplateCase("more-request-url-1", "{{request.url}}", url="/t/%7Bx%7D?q=a%20b"),
    TemplateCase("more-request-path-1", "{{request.path}}|{{request.path.[1]}}", url="/t/a%20b"),
    TemplateCase("more-request-query-q-1", "{{request.query.q}}", url="/t?q=a+b"),
    TemplateCase(
        "more-request-query-q-2", "{{request.query.q}}|{{size request.query.q}}", url="/t?q="
    ),
    TemplateCase("more-request-query--1", "{{request.query.[a.b]}}", url="/t?a.b=1"),
    TemplateCase(
        "more-request-headers-content-1", "{{request.headers.content-length}}", body=b"abc"
    ),
    TemplateCase(
        "more-request-cookies-s--1",
        "{{request.cookies.s.[1]}}|{{request.cookies.s}}",
        headers={"Cookie": "s=1; s=2"},
    ),
    TemplateCase("more-if-1", "{{#if request.query.a}}{{else}}no{{/if}}"),
    TemplateCase(
        "more-each-1", "{{#each request.query}}{{@key}}={{this}};{{/each}}", url="/t?a=1&b=2"
    ),
    TemplateCase(
        "more-each-2",
        "{{#each (array 1 2) as |a|}}{{#each (array 'x' 'y') as |b|}}"
        "{{a}}{{b}}{{@../index}}{{/each}}{{/each}}",
    ),
    TemplateCase(
        "more-each-3",
        "{{#each (array 1 2)}}{{@index}}{{#each (array 'x')}}{{@index}}{{../this}}"
        "{{/each}}{{/each}}",
    ),
    TemplateCase("more-each-4", "{{#each (array)}}x{{/each}}y"),
    TemplateCase("more-with-1", "{{#with 'abc'}}{{this}}{{/with}}"),
    TemplateCase("more-unless-1", "{{#unless false}}a{{else}}b{{/unless}}"),
    TemplateCase("more-if-2", "{{#if true}}a{{else if true}}b{{else if false}}c{{/if}}"),
    TemplateCase("more-if-3", "{{#if false}}a{{else unless false}}b{{/if}}"),
    TemplateCase("more-eq-1", "{{#eq 'a' 'a'}}y{{else eq 'b' 'b'}}z{{/eq}}"),
    TemplateCase("more-and-1", "{{and}}|{{or}}|{{not}}"),
    TemplateCase("more-and-2", "{{and 1 'x'}}|{{or 0 ''}}|{{not 0}}"),
    TemplateCase("more-contains-1", "{{contains 'a,b' 'a,b'}}|{{contains (array 1 2) 1}}"),
    TemplateCase("more-matches-1", "{{matches 'abc' 'b'}}|{{matches 'ABC' '(?i)abc'}}"),
    TemplateCase(
        "more-size-2", "{{size ''}}|{{size (jsonPath '{\"a\":{\"b\":1,\"c\":2}}' '$.a')}}"
    ),
    TemplateCase(
        "more-math-1",
        "{{math 1 '+' '2'}}|{{math '3' '*' '4.5'}}|{{math 9 '%' 4}}|{{math -7 '/' 2}}",
    ),
    TemplateCase("more-math-2", "{{math (jsonPath '{\"p\":9.99}' '$.p') '*' 3}}"),
    TemplateCase("more-val-1", "{{val (array 1 2)}}|{{val request.query.x}}|{{val 0 or=5}}"),
    TemplateCase(
        "more-array-add-1",
        "{{arrayAdd (array 1 2) 9 position='start'}}|{{arrayAdd (array 1 2) 9 position=5}}",
    ),
    TemplateCase(
        "more-array-remove-1",
        "{{arrayRemove (array 1 2 3)}}|{{arrayRemove (array 1 2 3) position='start'}}",
    ),
    TemplateCase(
        "more-join-1",
        "{{join (array) ','}}|{{join 'a' ','}}|{{join (array 'x') ', ' prefix='<' suffix='>'}}",
    ),
    TemplateCase(
        "more-number-format-1",
        "{{numberFormat 1234567.891}}|{{numberFormat 0.5 'currency'}}|{{numberFormat 12 '000.0'}}",
    ),
    TemplateCase("more-string-format-1", "{{stringFormat '%s' (array 1 2)}}"),
    TemplateCase(
        "more-capitalize-first-1",
        "{{capitalizeFirst ''}}|{{center 'abc' size=2}}|{{ljust 'x' size=3 pad='-'}}",
    ),
    TemplateCase("more-cut-1", "{{cut 'aXbXc' 'X'}}|{{defaultIfEmpty (array) 'e'}}"),
    TemplateCase("more-lower-1", "{{lower 5}}|{{upper true}}"),
    TemplateCase("more-base64-1", "{{base64 (jsonPath '{\"a\":1}' '$')}}"),
    TemplateCase("more-format-json-1", "{{formatJson (jsonPath '{\"a\":{\"b\":1}}' '$.a')}}"),
    TemplateCase("more-to-json-1", '{{toJson (parseJson \'{"a":[1,{"b":null}]}\')}}'),
    TemplateCase(
        "more-json-merge-1",
        "{{jsonMerge '{\"a\":{\"b\":1}}' '{\"a\":2}'}}|{{jsonMerge '{}' '{\"x\":null}'}}",
    ),
    TemplateCase(
        "more-json-array-add-1", "{{jsonArrayAdd '[]' '{\"a\":1}'}}|{{jsonArrayAdd '[1]' 'x'}}"
    ),
    TemplateCase(
        "more-json-array-add-2", "{{jsonArrayAdd '{\"l\":[1,2,3]}' '4' jsonPath='$.l' maxItems=2}}"
    ),
    TemplateCase("more-format-json-2", "{{formatJson '{\"a\":1' }}"),
    TemplateCase(
        "more-format-json-3", '{{formatJson \'{"b":1,"a":"\\u00e9"}\' format=\'compact\'}}'
    ),
    TemplateCase("more-json-path-1", "{{jsonPath '{\"a\":\"\\u00e9<&>\"}' '$'}}"),
    TemplateCase("more-json-path-2", "{{jsonPath '{\"a\":\"\\u00e9\"}' '$.a'}}"),
    TemplateCase(
        "more-json-path-3",
        '{{jsonPath \'{"a":[{"b":1},{"b":2}]}\' \'$.a[-1:]\'}}|'
        "{{jsonPath '{\"a\":[1,2,3]}' '$.a[0,2]'}}",
    ),
    TemplateCase(
        "more-json-path-4",
        "{{jsonPath '{\"a\":[1,2,3]}' '$.a.length()'}}|{{jsonPath '{\"a\":[1,2,3]}' '$.a[-1]'}}",
    ),
    TemplateCase(
        "more-json-path-5",
        "{{jsonPath '{\"a\":1}' '$.a' default='x'}}|{{jsonPath '' '$.a' default='x'}}",
    ),
    TemplateCase(
        "more-regex-extract-1", "{{regexExtract 'ab12cd34' '[0-9]+'}}|{{regexExtract 'x' '(' }}"
    ),
    TemplateCase(
        "more-regex-extract-2",
        "{{regexExtract 'k=v;k2=v2' '(\\w+)=(\\w+)' 'kv'}}"
        "{{kv.0}}{{kv.1}}{{kv.2}}{{kv.3}}{{size kv}}",
    ),
    TemplateCase(
        "more-form-data-1", "{{formData 'a=1&a=2&b=' 'f'}}{{f.a}}|{{f.a.1}}|[{{f.b}}]|{{f.a.last}}"
    ),
    TemplateCase("more-parse-date-1", "{{parseDate '2024-02-30T00:00:00Z'}}"),
    TemplateCase(
        "more-date-1",
        "{{date (parseDate '2024-01-31T10:20:30Z') offset='1 months' timezone='Asia/Tokyo'}}",
    ),
    TemplateCase("more-now-1", "{{now timezone='Asia/Kolkata' format='XXX'}}"),
    TemplateCase("more-now-2", "{{now timezone='Nowhere/City'}}"),
    TemplateCase("more-now-3", "{{now offset='2 weeks'}}"),
    TemplateCase("more-now-4", "{{now offset='a days'}}"),
    TemplateCase("more-date-2", "{{date (parseDate '2024-01-31T23:59:59Z') format='ww W F E'}}"),
    TemplateCase("more-truncate-date-1", "{{truncateDate 'x' 'first day of month'}}"),
    TemplateCase(
        "more-truncate-date-2", "{{truncateDate (parseDate '2024-01-31T10:20:30Z') 'nonsense'}}"
    ),
    TemplateCase(
        "more-random-value-1", "{{randomValue length=3 type='NOPE'}}", pattern=r"[^A-Z]{3}"
    ),
    TemplateCase("more-random-value-2", "{{randomValue}}", pattern=r"[a-z0-9]{36}"),
]

XML_EDGES = [
    TemplateCase(
        "xml-1", "{{xPath request.body '/a/b/text()'}}", body=b"<a xmlns='urn:x'><b>1</b></a>"
    ),
    TemplateCase(
        "xml-2",
        "{{xPath request.body '/x:a/x:b/text()'}}",
        body=b"<x:a xmlns:x='urn:x'><x:b>1</x:b></x:a>",
    ),
    TemplateCase(
        "xml-3",
        "{{xPath request.body '//b/text()'}}|{{xPath request.body '/a/b[@k=\"2\"]/text()'}}",
        body=b"<a><b k='1'>one</b><b k='2'>two</b></a>",
    ),
    TemplateCase("xml-4", "{{xPath request.body '/a/b'}}", body=b"<a><b k='1'>one<c/></b></a>"),
    TemplateCase(
        "xml-5",
        "{{#each (xPath request.body '/a/b')}}{{this}}|{{/each}}",
        body=b"<a><b>1</b><b>2</b></a>",
    ),
    TemplateCase("xml-6", "{{size (xPath request.body '/a/b')}}", body=b"<a><b>1</b><b>2</b></a>"),
    TemplateCase("xml-7", "{{xPath request.body 'name(/*)'}}", body=b"<a><b>1</b></a>"),
    TemplateCase(
        "xml-8",
        "{{soapXPath request.body '/b/text()'}}",
        body=b"<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body><b>7</b></s:Body></s:Envelope>",
    ),
    TemplateCase("xml-9", "{{formatXml '<a><b>1</b><c x=\"1\"/></a>'}}"),
    TemplateCase("xml-10", "{{formatXml '<a>' }}"),
    TemplateCase("xml-11", "{{formatXml '<a><b>1</b></a>' format='compact'}}"),
    # XPath 1.0 beyond paths: functions, arithmetic, predicates on values, axes
    TemplateCase(
        "xml-12",
        "{{xPath request.body 'sum(//i/@n)'}}|{{xPath request.body 'count(//i[@n > 1])'}}"
        "|{{xPath request.body 'string(//i[last()])'}}",
        body=b"<a><i n='1'>x</i><i n='2'>y</i><i n='3'>z</i></a>",
    ),
    TemplateCase(
        "xml-13",
        "{{xPath request.body '//i[. = \"y\"]/@n'}}|{{xPath request.body 'local-name(/*/*[2])'}}"
        "|{{xPath request.body '//i[2]/following-sibling::i/text()'}}",
        body=b"<a><i n='1'>x</i><i n='2'>y</i><i n='3'>z</i></a>",
    ),
    TemplateCase(
        "xml-14",
        "{{xPath request.body 'concat(/a/i[1], \"-\", /a/i[3])'}}"
        "|{{xPath request.body '/a/i = \"z\"'}}|{{xPath request.body 'sum(//i/@n) div 2'}}",
        body=b"<a><i n='1'>x</i><i n='2'>y</i><i n='3'>z</i></a>",
    ),
]

UNKNOWN = [
    _t("unknown-helper", "{{frobnicate 'x'}}"),
    _t("unknown-block-helper", "{{#frobnicate}}x{{/frobnicate}}"),
    _t("unknown-path-is-empty", "[{{nothing.here}}]"),
]

CASES: list[TemplateCase] = [
    *ESCAPING,
    *REQUEST_MODEL,
    *STRING_HELPERS,
    *LOGIC,
    *JSON_HELPERS,
    *OTHER_HELPERS,
    *DATES,
    *COMBINED,
    *TYPES,
    *EDGES,
    *MORE_EDGES,
    *XML_EDGES,
    *UNKNOWN,
]


@dataclass(frozen=True)
class Difference:
    """Where seamline answers otherwise on purpose (docs/mock.md has the table)."""

    seamline: str  # a regular expression over the JSON of seamline's answer
    reason: str


_REFUSED = r'\{"refused": 422, "error": ".*unknown %s.*%s.*"\}'
DELIBERATE: dict[str, Difference] = {
    "compare-request-value": Difference(
        r'.*"body": "true".*',
        "a number against numeric text compares as numbers; WireMock answers 500",
    ),
    "eq-query-value": Difference(
        r'.*"body": "true".*',
        "a query parameter compares as its text; WireMock compares its Java list object",
    ),
    "eq-block": Difference(
        r'.*"body": "yes".*',
        "eq compares what values render to; WireMock compares Java objects, so a query"
        " parameter (a ListOrSingle) never equals a string",
    ),
    "if-eq-sub": Difference(
        r'.*"body": "post".*',
        "eq compares what values render to; WireMock's request.method is an enum that"
        " never equals the string 'POST'",
    ),
    "json-sort": Difference(
        _REFUSED % ("helper", "jsonSort"),
        "an unknown helper is refused when the stub is loaded; WireMock answers 500 per request",
    ),
    "unknown-helper": Difference(
        _REFUSED % ("helper", "frobnicate"),
        "an unknown helper is refused when the stub is loaded; WireMock answers 500 per request",
    ),
    "unknown-block-helper": Difference(
        _REFUSED % ("block helper", "frobnicate"),
        "an unknown block helper is refused when the stub is loaded; WireMock renders nothing",
    ),
}


# Cases whose response comes from `bodyFileName`: the server's root dir holds FILES
# under `__files/` (bench/mock/crosscheck_templating.py starts WireMock with them).
FILES = {
    "tpl/greeting.json": '{"hello": "{{request.query.name}}", "at": "{{request.path.[1]}}"}',
    "tpl/plain.txt": "plain {{request.method}}",
    "tpl/ann.txt": "file for {{request.query.f}}",
}
FILE_CASES: list[TemplateCase] = [
    TemplateCase(
        "file-body-templated",
        url="/t/x?name=%3Cann%3E",
        response={"bodyFileName": "tpl/greeting.json"},
    ),
    TemplateCase(
        "file-name-templated",
        url="/t?f=ann",
        response={"bodyFileName": "tpl/{{request.query.f}}.txt"},
    ),
    TemplateCase(
        "file-not-templated-without-transformer",
        response={"bodyFileName": "tpl/plain.txt", "transformers": []},
    ),
]
