"""The 404 for a request no stub matched: closest stub, field by field."""

from __future__ import annotations

import httpx

from seamline.mock import MockServer, get, post, present


def test_unmatched_request_gets_a_diff_against_the_closest_stub(mock: MockServer) -> None:
    mock.stub(get("/users")).reply(200)
    mock.stub(
        post("/charges").with_header("Idempotency-Key", present()).with_json_body({"amount": 100})
    ).named("create charge").reply(201)
    reply = httpx.post(mock.url + "/charges", json={"amount": 99})
    assert reply.status_code == 404
    assert reply.headers["Content-Type"].startswith("text/plain")
    lines = reply.text.splitlines()
    assert "Request was not matched" in reply.text
    assert any(line.startswith("create charge") for line in lines)
    header_line = next(line for line in lines if "Idempotency-Key" in line)
    assert header_line.endswith("<<<<< Header does not match")
    assert "(absent)" in header_line
    body_line = next(line for line in lines if "equalToJson" in line)
    assert body_line.endswith("<<<<< Body does not match")
    assert '{"amount":99}' in body_line
    url_line = next(line for line in lines if "/charges" in line and "urlPath" in line)
    assert "<<<<<" not in url_line


def test_closest_stub_is_the_one_with_fewest_differences(mock: MockServer) -> None:
    mock.stub(get("/orders/list")).named("orders").reply(200)
    mock.stub(post("/payments")).named("payments").reply(200)
    reply = httpx.get(mock.url + "/orders/lisst")
    assert reply.text.splitlines()[8].startswith("orders")


def test_no_stubs_at_all_says_so(mock: MockServer) -> None:
    reply = httpx.get(mock.url + "/x")
    assert reply.status_code == 404
    assert "no stub mappings" in reply.text


def test_long_values_wrap_inside_their_column(mock: MockServer) -> None:
    mock.stub(post("/long").with_body("a" * 150)).reply(200)
    reply = httpx.post(mock.url + "/long", content="b" * 150)
    body_lines = [line for line in reply.text.splitlines() if "aaaa" in line or "bbbb" in line]
    assert len(body_lines) >= 3
    assert all(line.index("|") == 59 for line in body_lines)
