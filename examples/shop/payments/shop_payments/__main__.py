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
        log_config=None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
