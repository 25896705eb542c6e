"""`python -m shop_api --port N`: run the api with uvicorn on 127.0.0.1.

Run it from `examples/shop/api` (seamline's `workdir = "api"`), so `shop_api` is importable.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from shop_api.settings import Settings, SettingsError

# How long an idle keep-alive connection stays open (uvicorn's default: 5 s). Longer than
# callers keep idle connections in their pools (httpx: 5 s), so that a caller never sends a
# request on a connection this server is closing at that very moment: with equal timeouts,
# now and then one request fails for nothing. (seamline's seam proxies keep idle connections
# until the server closes them, which makes that race easy to meet: a test pausing about
# 5 s between two orders did.)
KEEP_ALIVE_SECONDS = 30


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shop_api", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT", "0")) or None,
        help="the port to listen on (default: $PORT)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", "1")),
        help="worker processes (default: $WEB_CONCURRENCY or 1)",
    )
    args = parser.parse_args(argv)
    if args.port is None:
        parser.error("expected --port N or the PORT environment variable")
    try:
        Settings.from_env()  # fail here, clearly, rather than in every worker's start-up
    except SettingsError as err:
        print(f"shop_api: {err}", file=sys.stderr)
        return 2
    uvicorn.run(
        "shop_api.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=_log_config(),
        timeout_graceful_shutdown=3,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    return 0


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, plus the api's own `shop_api.*` loggers on the same handler."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["shop_api"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


if __name__ == "__main__":
    sys.exit(main())
