"""The HTTP readiness probe as a service sees it: one request, read to its end."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from seamline.config.probes import Probe
from seamline.runtime.readiness import http_ok


class Health(BaseHTTPRequestHandler):
    """Answers its headers, then its body once the test says the probe has returned."""

    probed = threading.Event()
    errors: list[BaseException] = []

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.probed.wait(5)
        try:
            self.wfile.write(b'{"status": "ok"}')
        except OSError as err:  # what http.server would log as a traceback
            self.errors.append(err)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_probe_reads_the_answer_so_the_service_can_write_its_body(health):
    Health.probed.clear()
    Health.errors.clear()
    assert http_ok(Probe(kind="http", path="/health"), "127.0.0.1", health.server_address[1])
    Health.probed.set()
    health.shutdown()
    health.server_close()  # joins the handler's thread: its body write is done
    assert Health.errors == []  # closing with the headers unread reset the connection
