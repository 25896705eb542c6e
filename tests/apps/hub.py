"""A hub and its leaves (stdlib only), for the strategies and bisect tests.

python hub.py --role leaf --name leaf1 --port 9000
    GET /value -> {"name", "value": 1}; with HUB_BROKEN=leaf1 in the environment the value
    comes back as a string ("1"), as a provider that changed its answer would
python hub.py --role hub --port 9001          (LEAF<n>_URL point at the leaves)
    GET /sum -> {"sum": N} of every leaf's value; a value that is not a number -> 502
        (with HUB_TOLERATE=1, one such leaf is left out of the sum; two -> 502)
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    role, name = "leaf", "leaf"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read the seams."""

    def _send(self, status: int, answer: object) -> None:
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200, "ok")
        elif self.role == "leaf" and self.path == "/value":
            broken = self.name in os.environ.get("HUB_BROKEN", "").split(",")
            self._send(200, {"name": self.name, "value": "1" if broken else 1})
        elif self.role == "hub" and self.path == "/sum":
            values = [_value(url) for name, url in sorted(os.environ.items()) if _leaf(name)]
            bad = [value for value in values if not isinstance(value, int)]
            # HUB_TOLERATE=1: one bad leaf is left out of the sum; two break it (two seams
            # that fail only together)
            if not bad or (len(bad) == 1 and os.environ.get("HUB_TOLERATE")):
                self._send(200, {"sum": sum(v for v in values if isinstance(v, int))})
            else:
                self._send(502, {"error": f"a leaf's value is not a number: {values}"})
        else:
            self._send(404, {"error": f"no {self.path}"})


def _leaf(variable: str) -> bool:
    return variable.startswith("LEAF") and variable.endswith("_URL")


def _value(url: str) -> object:
    with urllib.request.urlopen(url + "/value", timeout=10) as response:
        return json.loads(response.read())["value"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--role", choices=("leaf", "hub"), required=True)
    parser.add_argument("--name", default="leaf")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    Handler.role, Handler.name = args.role, args.name
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
