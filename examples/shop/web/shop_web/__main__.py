"""`python -m shop_web --port N`: serve the shop's page on 127.0.0.1.

Environment: `API_URL`, the api's base URL as the browser should call it. It reaches the page
through `/config.js`, written when requested, so the same files work against any api.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

STATIC = Path(__file__).with_name("static")


class ShopPageHandler(SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, api_url: str, **kwargs: Any) -> None:
        self.api_url = api_url
        super().__init__(*args, directory=str(STATIC), **kwargs)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/health":
            self._send(b'{"status":"ok"}', "application/json")
        elif path == "/config.js":
            config = json.dumps({"apiUrl": self.api_url})
            self._send(f"window.SHOP_CONFIG = {config};\n".encode(), "text/javascript")
        else:
            super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(HTTPStatus.NOT_FOUND)  # files only, no listings

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shop_web", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT", "0")) or None,
        help="the port to listen on (default: $PORT)",
    )
    args = parser.parse_args(argv)
    if args.port is None:
        parser.error("expected --port N or the PORT environment variable")
    api_url = os.environ.get("API_URL", "").strip().rstrip("/")
    if not api_url.startswith(("http://", "https://")):
        print(
            f"shop_web: API_URL: expected the api's base URL such as http://127.0.0.1:8000, "
            f"found {repr(api_url) if api_url else 'nothing'}",
            file=sys.stderr,
        )
        return 2
    server = ThreadingHTTPServer((args.host, args.port), partial(ShopPageHandler, api_url=api_url))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop cleanly, like Ctrl-C
    print(
        f"shop_web: serving http://{args.host}:{args.port}/ (api at {api_url})",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
