"""Proxy stubs (`proxyBaseUrl`) against a real provider over real sockets."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from seamline.mock import MockServer, get
from tests.apps.provider import serve_provider


@pytest.fixture
def provider() -> Iterator[str]:
    with serve_provider() as url:
        yield url


@pytest.fixture
def mock() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


def test_proxy_stub_forwards_path_query_body_and_headers(mock: MockServer, provider: str) -> None:
    mock.add_mapping({
        "request": {"urlPathPattern": "/echo/.*"},
        "response": {
            "proxyBaseUrl": provider,
            "headers": {"X-From-Stub": "1"},
            "additionalProxyRequestHeaders": {"X-Api-Version": "2024-01"},
            "removeProxyRequestHeaders": ["x-drop-me"],
        },
    })  # fmt: skip
    answer = httpx.post(
        mock.url + "/echo/orders?page=2",
        headers={"X-Keep": "k", "X-Drop-Me": "d", "Content-Type": "application/json"},
        content=b'{"a": 1}',
    )
    assert answer.status_code == 200
    seen = answer.json()
    assert seen["method"] == "POST"
    assert seen["path"] == "/echo/orders?page=2"
    assert seen["body"] == '{"a": 1}'
    assert seen["headers"]["x-keep"] == "k"
    assert seen["headers"]["x-api-version"] == "2024-01"
    assert "x-drop-me" not in seen["headers"]
    # Host names the upstream, as WireMock sends it (not the mock's own address)
    assert seen["headers"]["host"] == provider.removeprefix("http://")
    # the upstream's headers come back, and the stub's own are added to them
    assert answer.headers["X-Provider"] == "yes"
    assert answer.headers["X-From-Stub"] == "1"


def test_a_low_priority_proxy_is_the_fallback_behind_specific_stubs(
    mock: MockServer, provider: str
) -> None:
    mock.add_mapping({
        "priority": 10,
        "request": {"method": "ANY", "urlPattern": ".*"},
        "response": {"proxyBaseUrl": provider},
    })  # fmt: skip
    mock.stub(get("/v1/charges/ch_1")).reply(200, json={"id": "ch_1", "status": "stubbed"})
    assert httpx.get(mock.url + "/v1/charges/ch_1").json()["status"] == "stubbed"
    assert httpx.get(mock.url + "/v1/terms").text == "Terms: be nice.\n"
    assert httpx.get(mock.url + "/v1/nothing").status_code == 404  # the provider's own 404


def test_proxy_url_prefix_to_remove(mock: MockServer, provider: str) -> None:
    mock.add_mapping({
        "request": {"urlPathPattern": "/other/.*"},
        "response": {"proxyBaseUrl": provider + "/echo", "proxyUrlPrefixToRemove": "/other"},
    })  # fmt: skip
    assert httpx.get(mock.url + "/other/x?y=1").json()["path"] == "/echo/x?y=1"


def test_an_unreachable_upstream_is_a_500_naming_the_url(mock: MockServer) -> None:
    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
        mock.add_mapping({"request": {"url": "/x"}, "response": {"proxyBaseUrl": dead}})
        answer = httpx.get(mock.url + "/x")
    assert answer.status_code == 500
    assert f"{dead}/x" in answer.text
