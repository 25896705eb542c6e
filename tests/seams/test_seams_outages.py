"""A provider that is down looks to its consumer exactly as it does without a seam: the
consumer's connection is refused, so HTTP clients' connect-retry logic (httpx, requests,
urllib3) does what it does in production. A provider coming back is seen at once."""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Callable

import httpx
import pytest
import requests
import urllib3
from requests.adapters import HTTPAdapter

from seamline.seams.assertions import eventually
from tests.conftest import pid_alive

Attempt = Callable[[str], str]


def _refused_in(error: BaseException) -> bool:
    """Whether a connection refusal is what the client's error came from."""
    seen: list[object] = [error]
    while seen:
        item = seen.pop()
        if isinstance(item, ConnectionRefusedError):
            return True
        if isinstance(item, BaseException):
            seen += [item.__cause__, item.__context__, *item.args]
            seen += [getattr(item, "reason", None)]
    return False


def _outcome(call: Callable[[], object]) -> str:
    try:
        call()
    except Exception as error:
        return f"{type(error).__name__} refused={_refused_in(error)}"
    return "answered"


def with_httpx(url: str) -> str:
    transport = httpx.HTTPTransport(retries=2)  # retries failed connects only
    with httpx.Client(transport=transport, timeout=5) as client:
        return _outcome(lambda: client.post(url + "/json", json={"n": 1}))


def with_requests(url: str) -> str:
    retry = urllib3.Retry(connect=2, read=0, total=None, backoff_factor=0)
    with requests.Session() as session:
        session.mount("http://", HTTPAdapter(max_retries=retry))
        return _outcome(lambda: session.post(url + "/json", json={"n": 1}, timeout=5))


def with_urllib3(url: str) -> str:
    retry = urllib3.Retry(connect=2, read=0, total=None, backoff_factor=0)
    with urllib3.PoolManager(retries=retry, timeout=5) as pool:
        return _outcome(lambda: pool.request("POST", url + "/json", json={"n": 1}))


CLIENTS = [with_httpx, with_requests, with_urllib3]


@pytest.mark.parametrize("attempt", CLIENTS, ids=lambda a: a.__name__)
def test_a_stopped_provider_is_refused_through_its_seam_as_without_it(chain, attempt: Attempt):
    direct = chain.direct_url("c")
    chain.stop_service("c")
    without_seam = attempt(direct)
    assert without_seam.endswith("refused=True")  # the baseline: nothing listens there
    assert attempt(chain.url("c")) == without_seam
    chain.start_service("c")
    assert attempt(chain.url("c")) == "answered"  # back at once, no waiting


def test_a_kept_alive_connection_to_the_seam_is_closed_when_the_provider_stops(chain):
    with httpx.Client(base_url=chain.url("c")) as through_seam:
        assert through_seam.get("/health").status_code == 200
        chain.stop_service("c")
        with pytest.raises(httpx.ConnectError):  # a new connection, refused: no reset
            through_seam.get("/health")


@pytest.mark.parametrize("attempt", CLIENTS, ids=lambda a: a.__name__)
def test_a_stub_address_where_nothing_listens_is_refused_as_without_a_seam(chain, attempt: Attempt):
    with socket.socket() as held:  # bound, never listening: connections to it are refused
        held.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{held.getsockname()[1]}"
        chain.seam("test", "c").use_stub(nowhere)
        assert attempt(chain.url("c")) == attempt(nowhere)
        chain.seam("test", "c").use_real()
        assert attempt(chain.url("c")) == "answered"


def test_a_provider_that_dies_unannounced_is_journaled_refused_then_refused_until_it_is_back(
    external_provider,
):
    system, provider = external_provider
    url = system.url("p")
    assert httpx.get(url + "/x").status_code == 200
    port = provider.getsockname()[1]
    _stop(provider)  # gone, and seamline was not told
    with pytest.raises(httpx.TransportError):  # this request was already on its way
        httpx.get(url + "/x")
    found = system.seam("test", "p").calls()[-1]
    assert found.outcome == "refused" and "refused" in (found.error or "")
    for attempt in CLIENTS:  # from now on: refused, as without a seam
        assert attempt(url).endswith("refused=True"), attempt.__name__
    back = _serve_ok(port)
    try:
        answered = eventually(lambda: with_httpx(url) == "answered", timeout=2)
        assert answered
    finally:
        _stop(back)


def _stop(server: socket.socket) -> None:
    server.shutdown(socket.SHUT_RDWR)  # stops listening now, and wakes the thread in accept()
    server.close()


ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


def _serve_ok(port: int) -> socket.socket:
    """A provider answering every request with 200 on a background thread, one request per
    connection (`Connection: close`: the seam keeps no pooled connection to see close)."""
    import threading

    server = socket.create_server(("127.0.0.1", port))

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    if conn.recv(65536):
                        conn.sendall(ANSWER)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    return server


@pytest.fixture
def external_provider(write_config, start_system):
    provider = _serve_ok(0)
    port = provider.getsockname()[1]
    toml = f'[services.p]\nkind = "external"\nurl = "http://127.0.0.1:{port}"\n'
    try:
        yield start_system(write_config(toml)), provider
    finally:
        if provider.fileno() != -1:
            _stop(provider)


def test_a_provider_killed_unannounced_is_refused_even_on_a_kept_alive_connection(chain):
    with httpx.Client(base_url=chain.url("c")) as through_seam:
        assert through_seam.get("/health").status_code == 200  # the seam pools its upstream
        (pid,) = chain.service("c").pids()
        os.kill(pid, signal.SIGKILL)  # behind seamline's back
        eventually(lambda: not pid_alive(pid), timeout=5)
        # the seam sees its pooled connection to c close, finds c refusing, stops listening
        # and closes the consumer's kept-alive connection, as c's death closed c's own
        eventually(lambda: _connect_refused(chain.url("c")), timeout=2)
        with pytest.raises(httpx.ConnectError):
            through_seam.get("/health")
    assert chain.seam("test", "c").count == 1  # the one before: none reached it after c died


def _connect_refused(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False
