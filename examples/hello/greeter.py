"""The greeter: greets people the names service knows, counting visits in Redis.

GET /greet/<name> -> {"greeting": "hello, ada", "visits": 3} or 404 for strangers.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAMES_URL = os.environ["NAMES_URL"]
REDIS_PORT = int(os.environ["REDIS_PORT"])


def incr(key: str) -> int:
    """INCR over RESP: a real Redis command without a client library."""
    with socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=2) as sock:
        sock.sendall(f"*2\r\n$4\r\nINCR\r\n${len(key)}\r\n{key}\r\n".encode())
        return int(sock.recv(64).decode().strip().lstrip(":"))


class Greeter(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms wait for an ACK

    def reply(self, status: int, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/health":
            self.reply(200, {"status": "ok"})
            return
        if not self.path.startswith("/greet/"):
            self.reply(404, {"error": "not found"})
            return
        name = self.path.removeprefix("/greet/")
        try:
            urllib.request.urlopen(f"{NAMES_URL}/names/{name}", timeout=2).close()
        except urllib.error.HTTPError as err:
            self.reply(404 if err.code == 404 else 502, {"error": f"names said {err.code}"})
            return
        self.reply(200, {"greeting": f"hello, {name}", "visits": incr(f"visits:{name}")})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    print(f"greeter listening on {port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Greeter).serve_forever()
