"""Edge cases of the seam proxy found by the shop suite: hang-ups, cut-off answers, preflights,
dead pooled connections, expected violations, a provider stopped and started mid-test."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from seamline.errors import SeamlineError
from seamline.mock import MockServer, options, post

CONTRACT = """
openapi: 3.1.0
info: {title: p, version: "1"}
paths:
  /charges:
    post:
      responses:
        "201":
          description: a charge
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: string}}}
"""


@pytest.fixture
def external(write_config, start_system, tmp_path):
    def make(url: str, contract: bool = False):
        toml = f'[services.p]\nkind = "external"\nurl = "{url}"\n'
        if contract:
            (tmp_path / "p.yaml").write_text(CONTRACT)
            toml += 'openapi = "p.yaml"\n'
        return start_system(write_config(toml))

    return make


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A bare listening socket for a provider that misbehaves on purpose."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server


def test_a_consumer_hanging_up_is_passed_on_and_journaled(external, listener):
    provider, seen = listener, []

    def serve() -> None:  # read a request, then wait for the client to hang up
        conn, _ = provider.accept()
        conn.recv(65536)
        conn.settimeout(5)
        started = time.monotonic()
        try:
            while conn.recv(65536):
                pass
            seen.append(time.monotonic() - started)
        except TimeoutError:
            seen.append(None)
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    system = external(f"http://127.0.0.1:{provider.getsockname()[1]}")
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(system.url("p") + "/charges", json={}, timeout=0.5)
    hop = system.seam("test", "p").one()  # recorded once the hang-up is seen
    assert hop.outcome == "timeout" and hop.response is None
    assert "the consumer gave up after" in (hop.error or "")
    thread.join(6)
    assert seen and seen[0] is not None and seen[0] < 4  # the provider saw the hang-up


def test_an_answer_the_consumer_cut_off_is_not_ok_nor_a_contract_violation(external):
    with MockServer() as mock:
        mock.stub(post("/charges")).reply(
            201, json={"id": "ch_1", "pad": "x" * 2000}, dribble=(20, 2000)
        )
        system = external(mock.url, contract=True)
        with httpx.stream("POST", system.url("p") + "/charges", json={}) as answer:
            next(answer.iter_raw())  # the first bytes, then hang up
        hop = system.seam("test", "p").one()
    assert hop.outcome == "error" and "before the answer ended" in (hop.error or "")
    assert hop.violations == []


def test_a_cors_preflight_through_a_seam_breaks_no_contract(external):
    with MockServer() as mock:
        mock.stub(options("/charges")).reply(200, headers={"Access-Control-Allow-Origin": "*"})
        system = external(mock.url, contract=True)
        preflight = system.client("p").options(
            "/charges",
            headers={"Origin": "http://127.0.0.1:8080", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 200
        assert system.seam("test", "p").one().violations == []


def test_a_pooled_connection_the_provider_closes_is_retried_for_a_late_small_body(
    external, listener
):
    provider = listener
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    def serve() -> None:
        conn, _ = provider.accept()
        conn.recv(65536)
        conn.sendall(answer)
        conn.recv(1)  # the next request's first byte: close as it arrives
        conn.close()
        conn, _ = provider.accept()
        conn.recv(65536)
        conn.sendall(answer)
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    system = external(f"http://127.0.0.1:{provider.getsockname()[1]}")

    def late_body():
        time.sleep(0.05)
        yield b"x"

    with httpx.Client(base_url=system.url("p")) as client:
        assert client.post("/a", content=b"x").status_code == 200
        assert client.post("/b", content=late_body()).status_code == 200
    assert [e.outcome for e in system.seam("test", "p").calls()] == ["ok", "ok"]


def test_expected_violations_are_collected_and_do_not_fail_the_test(external):
    with MockServer() as mock:
        mock.stub(post("/charges")).reply(201, json={"id": 7})
        system = external(mock.url, contract=True)
        with system.seams.expect_violations() as seen:
            system.client("p").post("/charges", json={})
        assert [v.pointer for v in seen] == ["/id"]
        assert system.seams.violations() == []
        with (
            pytest.raises(AssertionError, match="expected a contract violation"),
            system.seams.expect_violations(),
        ):
            pass
        system.client("p").post("/charges", json={})  # outside the block: it counts again
        assert [v.pointer for v in system.seams.violations()] == ["/id"]


def test_header_propagation_ignores_calls_that_go_no_further(chain):
    chain.client("a").get("/health")
    chain.client("a").get("/chain/B_URL/C_URL", headers={"X-Request-ID": "r-1"})
    chain.seams.assert_header_propagated("X-Request-ID", from_="test -> a", to="a -> b")


def test_a_client_with_options_is_closed_when_the_system_stops(chain):
    client = chain.client("a", timeout=1.0)
    chain.stop()
    assert client.is_closed


def test_a_provider_stopped_mid_test_is_refused_then_answers_again_when_started(chain):
    chain.stop_service("c")
    answer = chain.client("b").get("/chain/C_URL")
    assert answer.status_code == 502 and "Connection refused" in answer.json()["error"]
    chain.seam("b", "c").none()  # refused by the kernel, as c's own port would: never seen
    chain.start_service("c")
    assert chain.client("b").get("/chain/C_URL").json() == {"path": ["b", "c"]}


def test_a_misspelt_seam_is_named_with_a_did_you_mean_and_the_seams(chain):
    with pytest.raises(SeamlineError) as error:
        chain.seam("a", "bb")
    assert str(error.value).startswith("no seam 'a -> bb'; did you mean 'a -> b'?; the seams are:")


def test_a_misspelt_provider_in_a_switch_has_a_did_you_mean(chain):
    with pytest.raises(SeamlineError) as error:
        chain.seams.set_provider_mode("bb", {"status": 503})
    assert str(error.value) == (
        "no seam into 'bb': it is not an HTTP service (HTTP services: a, b, c); did you mean 'b'?"
    )
