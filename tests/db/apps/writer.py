"""A small service that writes to the test database through its own connection pool.

    python writer.py --port 8000      (DATABASE_URL: a SQLAlchemy URL)

POST /sql   {"sql": ..., "params": {...}} -> one transaction from the pool: {"rows": [...]}
POST /open  {"sql": ..., "params": {...}} -> runs it in a transaction left open (begun by
                                             the first /open) ...
POST /commit, POST /rollback              -> ... until one of these ends it
GET  /health, GET /pid

The pool checks connections before use (pool_pre_ping), as docs/db.md asks of
services whose database is reset with isolation = "template".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import sqlalchemy as sa

ENGINE = sa.create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True, pool_size=4)
HELD: dict[str, Any] = {}
LOCK = threading.Lock()


def run(conn: sa.Connection, body: dict[str, Any]) -> list[dict[str, Any]]:
    result = conn.execute(sa.text(body["sql"]), body.get("params") or {})
    return [dict(row._mapping) for row in result] if result.returns_rows else []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for the
    # peer's delayed ACK (40 ms) and a reader gets 25 answers a second.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, payload: object) -> None:
        body = json.dumps(payload, default=str).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200, "ok")
        elif self.path == "/pid":
            self._send(200, {"pid": os.getpid()})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        try:
            if self.path == "/sql":
                if self.headers.get("X-Announce"):  # for a test waiting until it runs
                    print(f"running: {body['sql']}", file=sys.stderr, flush=True)
                with ENGINE.begin() as conn:
                    rows = run(conn, body)
                self._send(200, {"rows": rows})  # answered once committed
            elif self.path == "/open":
                with LOCK:
                    if "conn" not in HELD:
                        HELD["conn"] = ENGINE.connect()
                        HELD["tx"] = HELD["conn"].begin()
                    self._send(200, {"rows": run(HELD["conn"], body)})
            elif self.path in ("/commit", "/rollback"):
                with LOCK:
                    tx = HELD.pop("tx")
                    tx.commit() if self.path == "/commit" else tx.rollback()
                    HELD.pop("conn").close()
                self._send(200, {"done": self.path})
            else:
                self._send(404, {"error": "not found"})
        except sa.exc.SQLAlchemyError as err:
            self._send(500, {"error": str(err).splitlines()[0]})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
