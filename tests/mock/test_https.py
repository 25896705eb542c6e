"""HTTPS on the stub server, with certificate verification on in every client."""

from __future__ import annotations

import re
import signal
import ssl
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import httpx
import pytest
import trustme

from seamline.config import load_config
from seamline.errors import ConfigError, SeamlineError
from seamline.http.loop import LoopThread
from seamline.mock import MockServer, get, post
from seamline.mock.tls import TlsFiles
from seamline.runtime.procs import ProcessTracker
from seamline.runtime.rundir import create_run
from seamline.services.base import RunContext
from seamline.services.mock import MockService


def trusting(ca: Path | str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca))


def test_generated_certificate_is_trusted_through_its_ca() -> None:
    with MockServer(https_port=0) as mock:
        mock.stub(get("/hello")).reply(200, body="over tls")
        assert mock.https_url is not None and mock.https_url.startswith("https://127.0.0.1:")
        assert mock.ca_path is not None
        ca = mock.ca_path
        assert httpx.get(mock.https_url + "/hello", verify=trusting(ca)).text == "over tls"
        context = ssl.create_default_context(cafile=str(ca))
        by_name = mock.https_url.replace("127.0.0.1", "localhost") + "/hello"
        assert urllib.request.urlopen(by_name, context=context).read() == b"over tls"
        # the same stubs on plain HTTP, and a client that does not trust the CA is refused
        assert httpx.get(mock.url + "/hello").text == "over tls"
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(mock.https_url + "/hello")
    assert not ca.exists()  # the throw-away CA goes with the server


def test_given_pem_files_are_served(tmp_path: Path) -> None:
    authority = trustme.CA()
    issued = authority.issue_cert("localhost", "127.0.0.1")
    cert, key, ca = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    authority.cert_pem.write_to_path(str(ca))
    with MockServer(https_port=0, tls=TlsFiles.given(cert, key, ca)) as mock:
        mock.stub(get("/x")).reply(200, body="given")
        assert mock.https_url is not None
        assert httpx.get(mock.https_url + "/x", verify=trusting(ca)).text == "given"
    assert cert.exists()  # given files are the user's: left in place


def test_a_missing_pem_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SeamlineError, match=r"--https-cert .*nothing there"):
        TlsFiles.given(tmp_path / "cert.pem", tmp_path / "key.pem")


def test_standalone_https_port_prints_the_ca() -> None:
    command = [sys.executable, "-m", "seamline.mock.standalone", "--port", "0"]
    command += ["--root-dir", ".", "--https-port", "0"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, start_new_session=True
    ) as proc:
        try:
            assert proc.stdout is not None
            proc.stdout.readline()
            found = re.search(r"HTTPS on (https://\S+); CA: (\S+)", proc.stdout.readline())
            assert found, "expected the HTTPS line"
            answer = httpx.get(found.group(1) + "/__admin/health", verify=trusting(found.group(2)))
            assert answer.status_code == 200
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(20) == 0
        finally:
            if proc.poll() is None:
                proc.kill()


def test_mock_service_serves_https_and_exposes_url_and_ca(tmp_path: Path) -> None:
    config_path = tmp_path / "seamline.toml"
    config_path.write_text(
        textwrap.dedent("""
        [services.payments]
        kind = "mock"
        https = true
    """)
    )
    config = load_config(config_path)
    dirs = create_run(tmp_path / "runs", tmp_path / "records")
    loop = LoopThread()
    try:
        ctx = RunContext(config, dirs, ProcessTracker(dirs.run_dir, dirs.run_id), lambda: loop)
        service = MockService("payments", config.spec.services["payments"], ctx)
        service.allocate()
        attributes = service.attributes()
        assert Path(attributes["ca"]).is_file()  # before start: dependents get it in their env
        service.start(lambda text: text)
        try:
            assert service.server is not None
            service.server.stub(get("/charges")).reply(200, json={"ok": True})
            answer = httpx.get(
                attributes["https_url"] + "/charges", verify=trusting(attributes["ca"])
            )
            assert answer.json() == {"ok": True}
        finally:
            service.stop()
    finally:
        loop.stop()


def test_proxy_and_webhook_to_https_upstreams_verify_their_certificate() -> None:
    with MockServer(https_port=0) as upstream:
        upstream.stub(get("/rates")).reply(200, json={"EUR": 1})
        upstream.stub(post("/hook")).reply(204)
        assert upstream.https_url is not None and upstream.ca_path is not None
        mapping = {
            "request": {"url": "/rates"},
            "response": {"proxyBaseUrl": upstream.https_url},
            "serveEventListeners": [
                {"name": "webhook", "parameters": {"url": upstream.https_url + "/hook"}}
            ],
        }
        with MockServer(upstream_tls=trusting(upstream.ca_path)) as mock:
            mock.add_mapping(mapping)
            assert httpx.get(mock.url + "/rates").json() == {"EUR": 1}
            upstream.wait_for(post("/hook"))
        with MockServer() as untrusting:  # the system's CAs do not know the test CA
            untrusting.add_mapping(mapping)
            answer = httpx.get(untrusting.url + "/rates")
            assert answer.status_code == 500
            assert "CERTIFICATE_VERIFY_FAILED" in answer.text


def test_https_attributes_of_a_mock_without_https_are_a_config_error(tmp_path: Path) -> None:
    config_path = tmp_path / "seamline.toml"
    config_path.write_text(
        textwrap.dedent("""
        [services.payments]
        kind = "mock"

        [services.api]
        command = "python -m api"
        env = { PAYMENTS_CA = "{payments.ca}" }
    """)
    )
    with pytest.raises(ConfigError, match=r"add https = true to services\.payments"):
        load_config(config_path)
