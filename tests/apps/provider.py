"""A small real payments provider to record from (stdlib only), and a webhook receiver.

    with serve_provider() as url: ...           # in a thread, on a free loopback port
    python tests/apps/provider.py --port 9000   # as a process (tools/record_crosscheck.py)

POST /v1/charges   needs `Authorization: Bearer ...`; JSON in ({"amount", "card": {...}}),
                   201 {"id", "status", "amount", "client_secret"} and a session cookie out
GET  /v1/charges/ch_1?expand=card   the charge as JSON
GET  /v1/balance   a counter: 1, 2, 3... on each call (a repeated request, different answers)
GET  /v1/logo.png  a few binary bytes;  GET /v1/terms  plain text
ANY  /echo/...     {"method", "path", "headers", "body"}: what reached the provider
Anything else: 404 JSON.
"""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PNG = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF, 0x10, 0x80])
CLIENT_SECRET = "pi_secret_9f8e7d6c5b4a"
SESSION = "sess-0123456789abcdef"


class ProviderHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ProviderServer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read the exchanges, not this log."""

    def _send(
        self, status: int, body: bytes, content_type: str, extra: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: Any, extra: tuple[tuple[str, str], ...] = ()) -> None:
        self._send(status, json.dumps(data).encode(), "application/json", extra)

    def _echo(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen = {"method": self.command, "path": self.path, "body": body.decode()}
        seen["headers"] = {name.lower(): value for name, value in self.headers.items()}
        self._json(200, seen, (("X-Provider", "yes"),))

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path.startswith("/echo/"):
            self._echo()
        elif path == "/v1/charges/ch_1":
            self._json(200, {"id": "ch_1", "status": "succeeded", "amount": 1250})
        elif path == "/v1/balance":
            with self.server.lock:
                self.server.balance_calls += 1
                count = self.server.balance_calls
            self._json(200, {"available": count})
        elif path == "/v1/logo.png":
            self._send(200, PNG, "image/png")
        elif path == "/v1/terms":
            self._send(200, b"Terms: be nice.\n", "text/plain; charset=utf-8")
        else:
            self._json(404, {"error": "not found", "path": path})

    def do_POST(self) -> None:
        if self.path.startswith("/echo/"):
            self._echo()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != "/v1/charges":
            self._json(404, {"error": "not found"})
        elif not (self.headers.get("Authorization") or "").startswith("Bearer "):
            self._json(401, {"error": "missing bearer token"})
        else:
            amount = json.loads(body or b"{}").get("amount", 0)
            charge = {"id": "ch_1", "status": "succeeded", "amount": amount}
            charge["client_secret"] = CLIENT_SECRET
            self._json(201, charge, [("Set-Cookie", f"session={SESSION}; Path=/; HttpOnly")])


class ProviderServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that drops an idle keep-alive connection is not an error worth a trace."""

    def __init__(self, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), ProviderHandler)
        self.lock = threading.Lock()
        self.balance_calls = 0


@contextmanager
def serve_provider() -> Iterator[str]:
    """The provider on a free loopback port, in a thread; yields its base URL."""
    server = ProviderServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


class HookReceiver(ThreadingHTTPServer):
    """Receives webhooks: each request (method, path, headers, body) lands in `received`."""

    daemon_threads = True

    def __init__(self) -> None:
        self.received: list[tuple[str, str, dict[str, str], bytes]] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

            def _receive(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.arrived:
                    receiver.received.append((self.command, self.path, dict(self.headers), body))
                    receiver.arrived.notify_all()
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT = do_GET = do_DELETE = _receive

        super().__init__(("127.0.0.1", 0), Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that drops an idle keep-alive connection is not an error worth a trace."""

    def wait_for(
        self, count: int, timeout: float = 10.0
    ) -> list[tuple[str, str, dict[str, str], bytes]]:
        """The first `count` webhooks, once they have arrived (AssertionError on timeout)."""
        with self.arrived:
            ok = self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
        assert ok, f"expected {count} webhook(s) within {timeout}s, got {len(self.received)}"
        return self.received[:count]


@contextmanager
def serve_hooks() -> Iterator[HookReceiver]:
    receiver = HookReceiver()
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.shutdown()
        receiver.server_close()
        thread.join(10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    server = ProviderServer(parser.parse_args().port)
    print(f"provider listening on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()
