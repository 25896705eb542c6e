"""Response templating (`"transformers": ["response-template"]`) over real requests."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from seamline.mock import InvalidMapping, MockServer
from seamline.mock.loader import load_directory

CASES = [
    ("path", "{{request.path}}", "/tpl/a/b?x=1", {}, None, "/tpl/a/b"),
    ("url", "{{request.url}}", "/tpl/a?x=1", {}, None, "/tpl/a?x=1"),
    ("path-segment", "{{request.path.[1]}}", "/tpl/seg", {}, None, "seg"),
    ("path-segments", "{{request.pathSegments.[0]}}", "/tpl/seg", {}, None, "tpl"),
    ("query", "{{request.query.q}}", "/tpl?q=shoes", {}, None, "shoes"),
    ("query-second-value", "{{request.query.id.[1]}}", "/tpl?id=1&id=2", {}, None, "2"),
    ("header", "{{request.headers.X-Request-Id}}", "/tpl", {"X-Request-Id": "r-1"}, None, "r-1"),
    ("cookie", "{{request.cookies.session}}", "/tpl", {"Cookie": "session=s1"}, None, "s1"),
    ("method", "{{request.method}}", "/tpl", {}, b"x", "POST"),
    ("body", "{{{request.body}}}", "/tpl", {}, b'{"a":"<b>"}', '{"a":"<b>"}'),
    ("body-not-html-escaped", "{{request.body}}", "/tpl", {}, b'<b a="1">&', '<b a="1">&'),
    (
        "json-path",
        "{{jsonPath request.body '$.user.name'}}",
        "/tpl",
        {},
        b'{"user":{"name":"ann"}}',
        "ann",
    ),
    (
        "json-path-number",
        "{{jsonPath request.body '$.items[1].n'}}",
        "/tpl",
        {},
        b'{"items":[{"n":1},{"n":2}]}',
        "2",
    ),
    ("if-eq", "{{#if (eq request.query.k 'v')}}yes{{else}}no{{/if}}", "/tpl?k=v", {}, None, "yes"),
    ("unless", "{{#unless request.query.k}}none{{/unless}}", "/tpl", {}, None, "none"),
    ("each", "{{#each request.query.id}}[{{this}}]{{/each}}", "/tpl?id=1&id=2", {}, None, "[1][2]"),
    ("upper", "{{upper request.query.k}}", "/tpl?k=ab", {}, None, "AB"),
    ("base-url", "{{request.baseUrl}}", "/tpl", {}, None, "{base}"),
]


@pytest.mark.parametrize(
    ("template", "url", "headers", "body", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_template_renders_from_the_request(
    mock: MockServer,
    template: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None,
    expected: str,
) -> None:
    mock.add_mapping(
        {
            "request": {"urlPathPattern": "/tpl.*"},
            "response": {"body": template, "transformers": ["response-template"]},
        }
    )
    method = "POST" if body is not None else "GET"
    reply = httpx.request(method, mock.url + url, headers=headers, content=body)
    assert reply.text == expected.replace("{base}", mock.url)


def test_random_values_uuid_and_now_follow_their_arguments(mock: MockServer) -> None:
    template = (
        "{{randomValue length=12 type='ALPHANUMERIC'}}|{{randomValue length=6 type='NUMERIC'}}|"
        "{{randomValue type='UUID'}}|{{uuid}}|{{now format='yyyy-MM-dd'}}|"
        "{{now offset='1 days' format='yyyy-MM-dd'}}|{{now format='epoch'}}|"
        "{{randomInt lower=3 upper=4}}"
    )
    mock.add_mapping(
        {
            "request": {"url": "/r"},
            "response": {"body": template, "transformers": ["response-template"]},
        }
    )
    parts = httpx.get(mock.url + "/r").text.split("|")
    assert re.fullmatch(r"[A-Za-z0-9]{12}", parts[0])
    assert re.fullmatch(r"[0-9]{6}", parts[1])
    uuid.UUID(parts[2])
    uuid.UUID(parts[3])
    today = datetime.now(UTC)
    assert parts[4] in {
        today.strftime("%Y-%m-%d"),
        (today - timedelta(seconds=5)).strftime("%Y-%m-%d"),
    }
    assert parts[5] == (datetime.strptime(parts[4], "%Y-%m-%d") + timedelta(days=1)).strftime(
        "%Y-%m-%d"
    )
    assert parts[6].isdigit()
    assert len(parts[6]) == 13
    assert parts[7] == "3"


def test_headers_are_templated_too(mock: MockServer) -> None:
    mock.add_mapping(
        {
            "request": {"url": "/h"},
            "response": {
                "headers": {"X-Echo": "{{request.headers.X-In}}"},
                "transformers": ["response-template"],
            },
        }
    )
    assert httpx.get(mock.url + "/h", headers={"X-In": "abc"}).headers["X-Echo"] == "abc"


def test_json_body_is_templated(mock: MockServer) -> None:
    mock.add_mapping(
        {
            "request": {"urlPathPattern": "/users/.*"},
            "response": {
                "jsonBody": {"id": "{{request.path.[1]}}"},
                "transformers": ["response-template"],
            },
        }
    )
    assert httpx.get(mock.url + "/users/77").json() == {"id": "77"}


def test_without_the_transformer_braces_are_sent_as_is(mock: MockServer) -> None:
    mock.add_mapping({"request": {"url": "/raw"}, "response": {"body": "{{request.path}}"}})
    assert httpx.get(mock.url + "/raw").text == "{{request.path}}"


def test_global_templating_renders_every_stub() -> None:
    with MockServer(global_templating=True) as mock:
        mock.add_mapping({"request": {"url": "/g"}, "response": {"body": "{{request.method}}"}})
        assert httpx.get(mock.url + "/g").text == "GET"


def test_an_unclosed_block_is_a_mapping_error_naming_the_field(mock: MockServer) -> None:
    with pytest.raises(InvalidMapping, match=r"response.*never closed"):
        mock.add_mapping(
            {
                "request": {"url": "/x"},
                "response": {"body": "{{#if a}}", "transformers": ["response-template"]},
            }
        )


def test_an_unknown_helper_is_refused_at_load_naming_the_stub_and_the_helper(
    mock: MockServer,
) -> None:
    for template in ("{{frobnicate request.body}}", "x {{upper (frob 'a')}}"):
        reply = httpx.post(
            mock.url + "/__admin/mappings",
            json={
                "name": "greeting",
                "request": {"url": "/x"},
                "response": {"body": template, "transformers": ["response-template"]},
            },
        )
        assert reply.status_code == 422
        assert "greeting" in reply.text
        assert re.search(r"unknown helper 'frob(nicate)?'", reply.text), reply.text
    assert httpx.get(mock.url + "/__admin/mappings").json()["meta"]["total"] == 0


def test_a_helper_error_renders_inline_as_wiremock_does(mock: MockServer) -> None:
    mock.add_mapping(
        {
            "request": {"url": "/e"},
            "response": {
                "body": "{{math 1 '^' 2}}|{{jsonPath '{' '$.a'}}",
                "transformers": ["response-template"],
            },
        }
    )
    assert httpx.get(mock.url + "/e").text == (
        "[ERROR: ^ is not a valid mathematical operator]|[ERROR: { is not valid JSON]"
    )


def test_variables_set_by_helpers_are_seen_later_in_the_template(mock: MockServer) -> None:
    mock.add_mapping(
        {
            "request": {"url": "/v"},
            "response": {
                "body": "{{#assign 'a'}}A{{/assign}}{{val 'B' assign='b'}}"
                "{{regexExtract 'c-1' '(\\w)-(\\d)' 'c'}}{{a}}{{b}}{{c.0}}{{c.1}}",
                "transformers": ["response-template"],
            },
        }
    )
    assert httpx.get(mock.url + "/v").text == "ABc1"


def test_an_unknown_block_helper_is_refused_at_load(mock: MockServer) -> None:
    with pytest.raises(InvalidMapping, match=r"unknown block helper \{\{#loop\}\}"):
        mock.add_mapping(
            {
                "request": {"url": "/x"},
                "response": {"body": "{{#loop}}x{{/loop}}", "transformers": ["response-template"]},
            }
        )


def test_a_helper_refusing_its_arguments_is_a_500_that_says_why(mock: MockServer) -> None:
    mock.add_mapping(
        {
            "name": "dated",
            "request": {"url": "/d"},
            "response": {"body": "{{now offset='soon'}}", "transformers": ["response-template"]},
        }
    )
    reply = httpx.get(mock.url + "/d")
    assert reply.status_code == 500
    assert "stub 'dated'" in reply.text
    assert "<amount> <unit> e.g. 8 seconds" in reply.text
    assert "found 'soon'" in reply.text
    assert httpx.get(mock.url + "/d").status_code == 500, "the server keeps serving"


def test_a_mapping_file_with_an_unknown_helper_is_a_load_problem_naming_both(
    tmp_path: Path,
) -> None:
    (tmp_path / "mappings").mkdir()
    good = {"request": {"url": "/ok"}, "response": {"body": "ok"}}
    bad = {
        "name": "echo id",
        "request": {"url": "/bad"},
        "response": {"body": "{{uppercase request.body}}", "transformers": ["response-template"]},
    }
    (tmp_path / "mappings" / "stubs.json").write_text(json.dumps({"mappings": [good, bad]}))
    stubs, problems = load_directory(tmp_path)
    assert [s.request.spec["url"] for s in stubs] == ["/ok"]
    assert len(problems) == 1
    assert problems[0].file.name == "stubs.json"
    assert "stub 'echo id'" in problems[0].reason
    assert "unknown helper 'uppercase'" in problems[0].reason


def test_path_template_names_render_in_headers_and_json_body(mock: MockServer) -> None:
    mock.add_mapping(
        {
            "request": {"method": "GET", "urlPathTemplate": "/users/{userId}/orders/{orderId}"},
            "response": {
                "headers": {"X-Order": "{{request.path.orderId}}"},
                "jsonBody": {"user": "{{request.path.userId}}", "note": "{{request.query.n}}"},
                "transformers": ["response-template"],
            },
        }
    )
    reply = httpx.get(mock.url + "/users/u1/orders/o9?n=%3Ca%20%26%20%22b%22%3E")
    assert reply.headers["X-Order"] == "o9"
    assert reply.text == '{"user":"u1","note":"<a & "b">"}', "as WireMock: not escaped"
