"""Seams between real processes on real sockets: recording, switching, faults, streaming."""

from __future__ import annotations

import asyncio
import hashlib
import resource
import socket
import time

import httpx
import pytest

from seamline.mock import get, matching


def test_every_seam_of_a_chain_records_its_hop_in_order(chain):
    response = chain.client("a").get("/chain/B_URL/C_URL", headers={"X-Request-ID": "req-1"})
    assert response.json() == {"path": ["a", "b", "c"]}
    flow = chain.seams.sequence()
    assert flow.seams == ["test -> a", "a -> b", "b -> c"]
    assert chain.seam("a", "b").one().request.path == "/chain/C_URL"
    hop = chain.seam("b -> c").one("GET", "/chain/")
    assert hop.status == 200 and hop.response is not None
    assert hop.response.json == {"path": ["c"]}
    assert hop.request.headers.get("X-Request-ID") == "req-1"
    assert hop.mode == "real" and hop.outcome == "ok"
    assert chain.seam("test", "a").calls("GET", "/chain/*").count == 1
    lines = (chain.record_dir / "journal.jsonl").read_text().splitlines()
    assert len(lines) == 3  # written through as they happened


def test_header_propagation_passes_and_fails_with_the_hop_that_dropped_it(chain):
    chain.client("a").get("/chain/B_URL/C_URL", headers={"X-Request-ID": "r-7"})
    chain.seams.assert_header_propagated("X-Request-ID", from_="test -> a", to="a -> b")
    chain.seams.assert_header_propagated("X-Request-ID", from_="a -> b", to="b -> c")
    chain.client("a").get("/chain/B_URL/C_URL?drop=1", headers={"X-Request-ID": "r-8"})
    with pytest.raises(AssertionError) as caught:
        chain.seams.assert_header_propagated("X-Request-ID", from_="test -> a", to="a -> b")
    assert "expected X-Request-ID: 'r-8'" in str(caught.value)
    assert "found no such header" in str(caught.value)


def test_switching_a_seam_to_a_stub_and_back_without_restarting(chain, mock):
    mock.stub(get("/chain/C_URL")).reply(200, json={"path": ["stub"]})
    a = chain.client("a")
    assert a.get("/chain/B_URL/C_URL").json() == {"path": ["a", "b", "c"]}
    seam = chain.seam("a", "b").use_stub(mock)
    assert seam.mode == "stub"
    assert a.get("/chain/B_URL/C_URL").json() == {"path": ["a", "stub"]}
    assert chain.seam("a", "b").calls()[-1].mode == "stub"
    chain.seam("a", "b").use_real()
    assert a.get("/chain/B_URL/C_URL").json() == {"path": ["a", "b", "c"]}
    assert [e.mode for e in chain.seam("a", "b").calls()] == ["real", "stub", "real"]


def test_an_injected_503_is_what_the_consumer_gets(chain):
    chain.seam("a", "b").fault(status=503)
    answer = chain.client("a").get("/chain/B_URL/C_URL")
    assert answer.status_code == 502 and "503" in answer.json()["error"]
    hop = chain.seam("a", "b").one()
    assert (hop.status, hop.outcome, hop.mode) == (503, "fault", "fault")
    assert hop.fault == {"status": 503, "rate": 1.0}
    chain.seam("b", "c").none()  # the provider was never called


def test_an_injected_reset_is_a_connection_error_for_the_consumer(chain):
    chain.seam("test", "c").fault(reset=True)
    with pytest.raises(httpx.TransportError):
        httpx.get(chain.url("c") + "/health")
    hop = chain.seam("test", "c").one()
    assert hop.response is None and hop.outcome == "fault"


def test_an_injected_timeout_leaves_the_consumer_waiting_until_its_own_timeout(chain):
    chain.seam("test", "c").fault(timeout=True)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(chain.url("c") + "/health", timeout=0.3)
    chain.seam("test", "c").use_real()  # lets the held request go
    assert httpx.get(chain.url("c") + "/health").text == "ok"


def test_injected_latency_slows_the_hop_but_the_answer_is_real(chain):
    chain.seam("test", "c").fault(latency_ms=150)
    assert httpx.get(chain.url("c") + "/health").text == "ok"
    assert chain.seam("test", "c").one().duration_ms >= 150


def test_a_response_cut_after_some_bytes_is_an_incomplete_body(chain):
    chain.seam("test", "c").fault(drop_after_bytes=100)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(chain.url("c") + "/big?bytes=1000")
    hop = chain.seam("test", "c").one()
    assert hop.response is not None and hop.response.body.size == 100


def test_a_fault_rate_applies_to_about_that_share_of_requests(chain):
    chain.seam("test", "c").fault(status=500, rate=0.3)
    client = chain.client("c")
    statuses = [client.get("/health").status_code for _ in range(200)]
    assert 20 <= statuses.count(500) <= 100
    assert statuses.count(200) == 200 - statuses.count(500)


def test_a_provider_that_is_down_is_a_connection_error_and_a_journal_entry(chain):
    chain.service("c").stop()
    answer = chain.client("b").get("/chain/C_URL")
    assert answer.status_code == 502  # b's own error: its call to c failed to connect
    hop = chain.seam("b", "c").one()
    assert hop.outcome == "refused" and hop.response is None
    assert "cannot connect" in (hop.error or "")
    with pytest.raises(httpx.TransportError):
        httpx.get(chain.url("c") + "/health")


def test_a_50_mb_body_streams_through_both_ways_without_being_buffered(chain):
    size = 50 * 1024 * 1024
    block = bytes(range(256)) * 4096
    expected = hashlib.sha256()
    for _ in range(size // len(block)):
        expected.update(block)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def upload():
        for _ in range(size // len(block)):
            yield block

    answer = httpx.post(chain.url("c") + "/digest", content=upload(), timeout=60)
    assert answer.json() == {"size": size, "sha256": expected.hexdigest(), "chunked": True}
    received = 0
    with httpx.stream("GET", chain.url("c") + f"/big?bytes={size}", timeout=60) as response:
        assert response.headers["content-length"] == str(size)  # streamed, length kept
        for piece in response.iter_bytes():
            received += len(piece)
    assert received == size
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 40, f"the process grew by {grown_mb:.0f} MB while streaming 2 x 50 MB"
    upload_hop, download_hop = chain.seam("test", "c").calls()
    assert upload_hop.request.body.size == size and upload_hop.request.body.truncated
    assert len(upload_hop.request.body.data) == 64 * 1024  # the journal's body cap
    assert download_hop.response is not None and download_hop.response.body.size == size


def test_a_thousand_concurrent_requests_are_each_in_the_journal_exactly_once(
    write_config, start_system
):
    system = start_system(write_config('[services.stubs]\nkind = "mock"\n'))
    server = system.service("stubs").server
    server.stub(get(matching("/item/[0-9]+"))).reply(200, json={"ok": True})

    port = int(system.url("stubs").rsplit(":", 1)[1])

    async def one(n: int) -> int:
        # raw sockets: httpx's pool takes ~30 s to juggle 1,000 connections at once
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /item/{n} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        answer = await reader.read()
        writer.close()
        return int(answer.split(b" ", 2)[1])

    async def hammer() -> list[int]:
        return list(await asyncio.gather(*(one(n) for n in range(1000))))

    assert asyncio.run(hammer()) == [200] * 1000
    paths = [e.request.path for e in system.seam("test", "stubs").calls(all_tests=True)]
    assert sorted(paths) == sorted(f"/item/{n}" for n in range(1000))
    seqs = [e.seq for e in system.seams.journal.select()]
    assert sorted(seqs) == list(range(1, 1001))


def test_a_provider_that_never_answers_is_given_up_after_the_seam_timeout(
    write_config, start_system
):
    system = start_system(
        write_config("""
    [seams]
    timeout = 0.5
    [services.slow]
    command = "{APP} --port {self.port}"
    """)
    )
    with pytest.raises(httpx.TransportError):
        httpx.get(system.url("slow") + "/sleep?s=30", timeout=20)
    hop = system.seam("test", "slow").one()
    assert hop.outcome == "timeout" and hop.response is None
    assert "no answer from slow in 0.5 s" in (hop.error or "")


def test_a_body_sent_after_its_head_reaches_an_app_that_reads_only_content_length(chain):
    """http.server apps do not read chunked request bodies: the seam keeps Content-Length,
    also when the body arrives after the head (it did not, once)."""
    port = int(chain.url("c").rsplit(":", 1)[1])
    body = b'{"sql": "select 1"}'
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            b"POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        time.sleep(0.05)
        sock.sendall(body)
        answer = sock.recv(4096)
    assert answer.endswith(b'{"got": {"sql": "select 1"}}')
    assert chain.seam("test", "c").one().request.json == {"sql": "select 1"}


def test_a_large_body_with_a_length_streams_with_that_length(chain):
    size = 3 * 1024 * 1024  # above stream_above: streamed, not buffered
    data = bytes(range(256)) * (size // 256)
    answer = httpx.post(chain.url("c") + "/digest", content=data, timeout=30)
    assert answer.json() == {
        "size": size,
        "sha256": hashlib.sha256(data).hexdigest(),
        "chunked": False,
    }
    hop = chain.seam("test", "c").one()
    assert hop.request.headers.get("content-length") == str(size)
    assert hop.request.body.size == size and hop.request.body.truncated
