"""Webhooks: a stub calls back a real local server after it has answered."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from seamline.mock import InvalidMapping, MockServer
from tests.apps.provider import HookReceiver, serve_hooks


@pytest.fixture
def hooks() -> Iterator[HookReceiver]:
    with serve_hooks() as receiver:
        yield receiver


@pytest.fixture
def mock() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


def hook_url(hooks: HookReceiver) -> str:
    return f"http://127.0.0.1:{hooks.server_port}"


def test_webhook_is_templated_from_the_original_request(
    mock: MockServer, hooks: HookReceiver
) -> None:
    mock.add_mapping({
        "request": {"method": "POST", "urlPath": "/payments"},
        "response": {"status": 202, "jsonBody": {"accepted": True}},
        "serveEventListeners": [{
            "name": "webhook",
            "parameters": {
                "method": "{{jsonPath originalRequest.body '$.callbackMethod'}}",
                "url": hook_url(hooks) + "/hooks/{{jsonPath originalRequest.body '$.id'}}",
                "headers": {"Content-Type": "application/json",
                            "X-Order": "{{originalRequest.headers.X-Order}}"},
                "body": '{"payment": "{{jsonPath originalRequest.body \'$.id\'}}", "paid": 1}',
            },
        }],
    })  # fmt: skip
    answer = httpx.post(
        mock.url + "/payments",
        json={"id": "pay_7", "callbackMethod": "PUT"},
        headers={"X-Order": "o-1"},
    )
    assert answer.status_code == 202
    [(method, path, headers, body)] = hooks.wait_for(1)
    assert (method, path) == ("PUT", "/hooks/pay_7")
    assert headers["X-Order"] == "o-1"
    assert json.loads(body) == {"payment": "pay_7", "paid": 1}


def test_legacy_post_serve_actions_and_json_body(mock: MockServer, hooks: HookReceiver) -> None:
    mock.add_mapping({
        "request": {"url": "/ping"},
        "response": {"status": 200},
        "postServeActions": [{
            "name": "webhook",
            "parameters": {"method": "POST", "url": hook_url(hooks) + "/legacy",
                           "jsonBody": {"from": "{{originalRequest.url}}"}},
        }],
    })  # fmt: skip
    httpx.get(mock.url + "/ping")
    [(method, path, _, body)] = hooks.wait_for(1)
    assert (method, path, json.loads(body)) == ("POST", "/legacy", {"from": "/ping"})


def test_webhook_waits_for_its_delay_after_the_response(
    mock: MockServer, hooks: HookReceiver
) -> None:
    mock.add_mapping({
        "request": {"url": "/slow-callback"},
        "response": {"status": 200, "body": "done"},
        "serveEventListeners": [{
            "name": "webhook",
            "parameters": {"url": hook_url(hooks) + "/late", "method": "POST",
                           "delay": {"type": "fixed", "milliseconds": 300}},
        }],
    })  # fmt: skip
    answered = time.monotonic()
    assert httpx.get(mock.url + "/slow-callback").text == "done"
    hooks.wait_for(1)
    # a lower bound only: a loaded machine makes the hook later, never earlier
    assert time.monotonic() - answered >= 0.3


def test_an_unknown_listener_is_ignored_as_wiremock_does(
    mock: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    spec = {
        "request": {"url": "/x"},
        "response": {"status": 200},
        "serveEventListeners": [{"name": "kafka-publisher", "parameters": {}}],
    }
    mock.add_mapping(spec)
    assert httpx.get(mock.url + "/x").status_code == 200
    assert "'kafka-publisher' ignored" in caplog.text


def test_a_webhook_without_url_is_a_load_error(mock: MockServer) -> None:
    spec = {
        "request": {"url": "/x"},
        "serveEventListeners": [{"name": "webhook", "parameters": {"method": "POST"}}],
    }
    with pytest.raises(InvalidMapping, match=r"parameters\.url: expected the URL"):
        mock.add_mapping(spec)
