"""Faults: what a client sees on the socket for each of WireMock's fault kinds."""

from __future__ import annotations

import socket

import httpx
import pytest

from seamline.mock import MockServer, get
from seamline.mock.response_def import GARBAGE


def raw_get(mock: MockServer, path: str) -> tuple[bytes, BaseException | None]:
    """Send a GET on a plain socket; return every byte received and how the read ended."""
    with socket.create_connection((mock.host, mock.port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except OSError as exc:
            return data, exc
        return data, None


def test_connection_reset_by_peer_resets_the_socket(mock: MockServer) -> None:
    mock.stub(get("/reset")).fault("CONNECTION_RESET_BY_PEER")
    data, error = raw_get(mock, "/reset")
    assert data == b""
    assert isinstance(error, ConnectionResetError)


def test_empty_response_closes_without_a_byte(mock: MockServer) -> None:
    mock.stub(get("/empty")).fault("EMPTY_RESPONSE")
    assert raw_get(mock, "/empty") == (b"", None)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(mock.url + "/empty")


def test_malformed_response_chunk_sends_a_head_then_garbage(mock: MockServer) -> None:
    mock.stub(get("/chunk")).fault("MALFORMED_RESPONSE_CHUNK")
    data, _ = raw_get(mock, "/chunk")
    assert data.startswith(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    assert data.endswith(GARBAGE)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(mock.url + "/chunk")


def test_random_data_then_close_is_not_http(mock: MockServer) -> None:
    mock.stub(get("/garbage")).fault("RANDOM_DATA_THEN_CLOSE")
    data, _ = raw_get(mock, "/garbage")
    assert data == GARBAGE
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(mock.url + "/garbage")


def test_server_keeps_serving_after_faults(mock: MockServer) -> None:
    mock.stub(get("/reset")).fault("CONNECTION_RESET_BY_PEER")
    mock.stub(get("/ok")).reply(200, body="fine")
    for _ in range(5):
        raw_get(mock, "/reset")
    assert httpx.get(mock.url + "/ok").text == "fine"


def test_unknown_fault_is_rejected_with_the_known_ones(mock: MockServer) -> None:
    reply = httpx.post(
        mock.url + "/__admin/mappings",
        json={"request": {"url": "/f"}, "response": {"fault": "SLOW"}},
    )
    assert reply.status_code == 422
    error = reply.json()["errors"][0]
    assert error["source"]["pointer"] == "/response/fault"
    assert "CONNECTION_RESET_BY_PEER" in error["title"]
