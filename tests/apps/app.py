"""A small real HTTP service for seamline's own tests (stdlib only).

    python app.py --port 8000 [--slow-start 0.5] [--exit-at-start 3] [--say "line"]
                  [--child] [--escaped-child] [--ignore-term] [--stranger-listens]
                  [--call-at-start VAR]

--call-at-start VAR: before listening, GET $VAR/health and print the answer (exit 4 if there is
    none), as a service that calls another one while it starts.
--stranger-listens: start a stranger (own session, no seamline markers) listening on
    --port, print its pid, and do not listen ourselves (exit with --exit-at-start, if given).

GET /health -> 200 "ok"; GET /env -> the environment as JSON; GET /pid -> pids;
GET /call?url=U -> fetches U (forwarding X-Request-ID) and returns its status and body;
GET /chain/A_URL/B_URL -> calls $A_URL/chain/B_URL (forwarding X-Request-ID unless
    ?drop=1), and so on; the last one answers {"path": [...services...]};
GET /big?bytes=N[&chunked=1] -> N bytes; POST /digest -> {"size", "sha256"} of the body.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CHILDREN: list[int] = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # one write per response, sent at once: without these, the header and body writes
    # meet Nagle's algorithm and delayed ACKs, and every keep-alive request waits 40 ms
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        sys.stdout.write(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}\n")
        sys.stdout.flush()

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/health":
            self._send(200, b"ok", "text/plain")
        elif url.path == "/env":
            self._send(200, json.dumps(dict(os.environ)).encode())
        elif url.path == "/pid":
            self._send(200, json.dumps({"pid": os.getpid(), "children": CHILDREN}).encode())
        elif url.path == "/call":
            self._call(parse_qs(url.query)["url"][0])
        elif url.path.startswith("/chain"):
            self._chain(url.path.removeprefix("/chain").strip("/"), parse_qs(url.query))
        elif url.path == "/big":
            self._big(parse_qs(url.query))
        elif url.path == "/sleep":
            time.sleep(float(parse_qs(url.query)["s"][0]))
            self._send(200, b'{"slept": true}')
        else:
            self._send(404, b'{"error": "not found"}')

    def do_POST(self) -> None:
        if self.path == "/json":  # what most apps do: trust Content-Length, no chunked
            length = int(self.headers.get("Content-Length") or 0)
            self._send(
                200, json.dumps({"got": json.loads(self.rfile.read(length) or b"null")}).encode()
            )
            return
        if self.path != "/digest":
            self._send(404, b'{"error": "not found"}')
            return
        digest, size = hashlib.sha256(), 0
        for piece in self._body_pieces():
            digest.update(piece)
            size += len(piece)
        chunked = self.headers.get("Transfer-Encoding", "").lower() == "chunked"
        answer = {"size": size, "sha256": digest.hexdigest(), "chunked": chunked}
        self._send(200, json.dumps(answer).encode())

    def _body_pieces(self):  # type: ignore[no-untyped-def]
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return
                yield self.rfile.read(size)
                self.rfile.readline()
        left = int(self.headers.get("Content-Length") or 0)
        while left:
            piece = self.rfile.read(min(left, 1 << 16))
            left -= len(piece)
            yield piece

    def _chain(self, rest: str, query: dict[str, list[str]]) -> None:
        name = os.environ.get("SEAMLINE_SERVICE", "?")
        if not rest:
            self._send(200, json.dumps({"path": [name]}).encode())
            return
        variable, _, remaining = rest.partition("/")
        request = urllib.request.Request(f"{os.environ[variable]}/chain/{remaining}")
        if self.headers.get("X-Request-ID") and "drop" not in query:
            request.add_header("X-Request-ID", self.headers["X-Request-ID"])
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                inner = json.loads(response.read())
        except OSError as err:
            self._send(502, json.dumps({"error": str(err), "at": name}).encode())
            return
        self._send(200, json.dumps({"path": [name, *inner["path"]]}).encode())

    def _big(self, query: dict[str, list[str]]) -> None:
        total = int(query["bytes"][0])
        chunked = "chunked" in query
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(total))
        self.end_headers()
        block = bytes(range(256)) * 256
        sent = 0
        while sent < total:
            piece = block[: min(len(block), total - sent)]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            sent += len(piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _call(self, target: str) -> None:
        request = urllib.request.Request(target)
        if self.headers.get("X-Request-ID"):
            request.add_header("X-Request-ID", self.headers["X-Request-ID"])
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as err:
            status, body = err.code, err.read()
        except OSError as err:
            status, body = 502, json.dumps({"error": str(err)}).encode()
        self._send(200, json.dumps({"status": status, "body": body.decode()}).encode())


def stranger_listens(port: int, exit_code: int | None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEAMLINE_")}
    stranger = subprocess.Popen(
        [sys.executable, __file__, "--port", str(port)],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    while True:  # until the stranger listens
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.01)
    print(f"stranger {stranger.pid} listens on {port}", flush=True)
    if exit_code is not None:
        sys.exit(exit_code)
    time.sleep(600)


def call_at_start(url: str) -> None:
    print(f"calling {url}", flush=True)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            print(f"called {url}: {response.status} {response.read().decode()}", flush=True)
    except OSError as err:
        print(f"call to {url} failed: {err}", flush=True)
        sys.exit(4)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--slow-start", type=float, default=0.0)
    parser.add_argument("--exit-at-start", type=int, default=None)
    parser.add_argument("--say", action="append", default=[])
    parser.add_argument("--child", action="store_true", help="start a child in our group")
    parser.add_argument("--escaped-child", action="store_true", help="a child in its own session")
    parser.add_argument("--ignore-term", action="store_true")
    parser.add_argument("--stranger-listens", action="store_true")
    parser.add_argument("--call-at-start", metavar="VAR")
    args = parser.parse_args()
    if args.stranger_listens:
        stranger_listens(args.port, args.exit_at_start)
    for line in args.say:
        print(line, flush=True)
    if args.exit_at_start is not None:
        print("failing on purpose", file=sys.stderr, flush=True)
        sys.exit(args.exit_at_start)
    if args.ignore_term:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if args.child:
        CHILDREN.append(subprocess.Popen(["sleep", "300"]).pid)
    if args.escaped_child:
        CHILDREN.append(subprocess.Popen(["sleep", "301"], start_new_session=True).pid)
    time.sleep(args.slow_start)
    if args.call_at_start:
        call_at_start(os.environ[args.call_at_start] + "/health")
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"listening on {args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
