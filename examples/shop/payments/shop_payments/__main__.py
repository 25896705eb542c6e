"""`python -m shop_payments --port N`: run the payments sandbox on 127.0.0.1.

Run it from `examples/shop/payments` (seamline's `workdir = "payments"`). One process only:
charges live in its memory.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

import uvicorn

# How long an idle keep-alive connection stays open (uvicorn's default: 5 s). Longer than
# callers keep idle connections in their pools (httpx: 5 s), so that a caller never sends a
# request on a connection this server is closing at that very moment: with equal timeouts,
# now and then one request fails for nothing. (seamline's seam proxies keep idle connections
# until the server closes them, which makes that race easy to meet: a test pausing about
# 5 s between two orders did.)
KEEP_ALIVE_SECONDS = 30


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shop_payments", description=__doc__)
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
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    # A short graceful shutdown: a charge hanging on the slow test card must not hold up a stop.
    uvicorn.run(
        "shop_payments.main:app",
        host=args.host,
        port=args.port,
        timeout_graceful_shutdown=1,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        log_config=None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
