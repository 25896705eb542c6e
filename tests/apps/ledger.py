"""Two small real services for the recordings tests (stdlib only): a ledger and a shop using it.

python ledger.py --role ledger --port 9000
    POST /entries {"amount", "ref" (uuid), "at" (date-time), "note"} -> 201 {"id" (uuid),
         "amount", "created_at", "balance"}; needs `Authorization: Bearer ...` (else 401)
    GET  /balance -> {"balance": N}  (changes as entries are made)
    LEDGER_DRIFT=1 in its environment: `amount` comes back as a string, /balance is a 500
python ledger.py --role shop --port 9001      (LEDGER_URL points at the ledger)
    POST /buy {"amount"} -> the ledger's answer to POST /entries, with a fresh ref, time
         and note, as {"status", "entry"}
    GET  /total -> the ledger's /balance as {"status", "body"}
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "Bearer ledger-token-7f3a9c"
CARD = "4000-1234"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    role = "ledger"
    balance = 0

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read the seams."""

    def _send(self, status: int, answer: object) -> None:
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Request-ID", uuid.uuid4().hex)
        self.end_headers()
        self.wfile.write(body)

    def _json(self) -> dict[str, object]:
        size = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(size) or b"{}")  # type: ignore[no-any-return]

    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200, "ok")
        elif self.role == "ledger" and self.path == "/balance":
            if os.environ.get("LEDGER_DRIFT"):
                self._send(500, {"error": "drifted"})
            else:
                self._send(200, {"balance": Handler.balance})
        elif self.role == "shop" and self.path == "/total":
            self._send(200, _call("GET", "/balance", None))
        else:
            self._send(404, {"error": f"no {self.path}"})

    def do_POST(self) -> None:
        data = self._json()
        if self.role == "ledger" and self.path == "/entries":
            if self.headers.get("Authorization") != TOKEN:
                self._send(401, {"error": "no token"})
                return
            if data.get("card") != CARD:
                self._send(422, {"error": f"unknown card {data.get('card')!r}"})
                return
            Handler.balance += int(data["amount"])  # type: ignore[call-overload]
            amount = str(data["amount"]) if os.environ.get("LEDGER_DRIFT") else data["amount"]
            self._send(
                201,
                {
                    "id": str(uuid.uuid4()),
                    "amount": amount,
                    "created_at": _now(),
                    "balance": Handler.balance,
                },
            )
        elif self.role == "shop" and self.path == "/buy":
            entry = {
                "amount": data["amount"],
                "card": CARD,
                "ref": str(uuid.uuid4()),
                "at": _now(),
                "note": f"bought at {uuid.uuid4().hex[:6]}",
            }
            self._send(200, _call("POST", "/entries", entry))
        else:
            self._send(404, {"error": f"no {self.path}"})


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _call(method: str, path: str, body: object) -> dict[str, object]:
    request = urllib.request.Request(
        os.environ["LEDGER_URL"] + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", "Authorization": TOKEN},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return {"status": response.status, "entry": json.loads(response.read())}
    except urllib.error.HTTPError as err:
        text = err.read().decode("utf-8", "replace")
        try:
            return {"status": err.code, "entry": json.loads(text)}
        except ValueError:  # a stub server's "not matched" page
            return {"status": err.code, "entry": text}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--role", choices=("ledger", "shop"), required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    Handler.role = args.role
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
