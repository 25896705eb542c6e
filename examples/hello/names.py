"""The names service: people we know, stored in PostgreSQL.

GET /names -> ["ada", ...]; GET /names/<name> -> 200 or 404; POST /names/<name> -> 201.
"""

from __future__ import annotations

import argparse
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg

DSN = os.environ["DATABASE_DSN"]


class Names(BaseHTTPRequestHandler):
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
        with psycopg.connect(DSN) as conn:
            if self.path == "/names":
                rows = conn.execute("SELECT name FROM names ORDER BY id").fetchall()
                self.reply(200, [name for (name,) in rows])
            elif self.path.startswith("/names/"):
                name = self.path.removeprefix("/names/")
                row = conn.execute("SELECT 1 FROM names WHERE name = %s", (name,)).fetchone()
                self.reply(200 if row else 404, {"name": name, "known": bool(row)})
            else:
                self.reply(404, {"error": "not found"})

    def do_POST(self) -> None:
        name = self.path.removeprefix("/names/")
        with psycopg.connect(DSN) as conn:
            conn.execute("INSERT INTO names (name) VALUES (%s) ON CONFLICT DO NOTHING", (name,))
        self.reply(201, {"name": name})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    print(f"names listening on {port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Names).serve_forever()
