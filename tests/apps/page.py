"""A web page and the api it calls from the browser, for the `page` fixture's tests (stdlib).

    python page.py --port 8000        # with API_URL set: GET / is a page that calls API_URL
                                      # GET /hello -> "hello from <NAME>" (any origin may read it)

The page shows what `GET $API_URL/hello` answered in `[data-testid=greeting]`, or
"failed: <why>" when the call fails.
"""

from __future__ import annotations

import argparse
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>greeting</title></head>
<body><h1>Greeting</h1><p data-testid="greeting">loading</p>
<script>
const api = %s;
const show = (text) => { document.querySelector("[data-testid=greeting]").textContent = text; };
fetch(api + "/hello")
  .then((r) => (r.ok ? r.text() : Promise.reject(new Error("status " + r.status))))
  .then(show, (err) => show("failed: " + err.message));
</script></body></html>
"""


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200, "text/plain", "ok")
        elif self.path == "/":
            self._send(200, "text/html", PAGE % json.dumps(os.environ.get("API_URL", "")))
        elif self.path == "/hello":
            self._send(200, "text/plain", f"hello from {os.environ.get('NAME', 'api')}")
        else:
            self._send(404, "text/plain", "not found")

    def _send(self, status: int, content_type: str, text: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        print(format % args, flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
