"""The api's configuration, read from the environment once at start-up.

DATABASE_URL      a SQLAlchemy URL: sqlite:////abs/shop.db or postgresql://user@host:port/db
                  (required; a bare postgresql:// URL runs on psycopg 3)
PAYMENTS_URL      the payments service's base URL, e.g. http://127.0.0.1:8001 (required)
PAYMENTS_TIMEOUT  seconds to wait for payments: to connect, to send, for the answer to start,
                  and for the whole answer from the call's start (default 2.0)
PAYMENTS_WEBHOOK_URL  where payments sends a webhook once a charge is made: this api's
                  /payments/events (optional; without it no webhook is asked for)
CORS_ORIGINS      comma-separated origins a browser may call from, or * (default: any
                  origin on 127.0.0.1, localhost or [::1])
BUS_URL           the message broker that carries `order.paid` to fulfilment: redis://... or
                  amqp://... (optional; without it no event is sent)

The fulfilment worker reads DATABASE_URL and BUS_URL (both required there): `worker_settings`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError


class SettingsError(ValueError):
    """The environment does not describe a runnable api; the message lists every problem."""


@dataclass(frozen=True)
class Settings:
    database_url: URL
    payments_url: str
    payments_timeout: float = 2.0
    cors_origins: tuple[str, ...] = ()  # empty: any origin on 127.0.0.1 / localhost / [::1]
    payments_webhook_url: str | None = None
    bus_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        problems: list[str] = []
        database_url = _database_url(env.get("DATABASE_URL", ""), problems)
        payments_url = env.get("PAYMENTS_URL", "").strip().rstrip("/")
        if not payments_url.startswith(("http://", "https://")):
            problems.append(
                f"PAYMENTS_URL: expected the payments service's base URL such as "
                f"http://127.0.0.1:8001, found {repr(payments_url) if payments_url else 'nothing'}"
            )
        timeout = _timeout(env.get("PAYMENTS_TIMEOUT", "2.0"), problems)
        origins = cors_origins(env)
        webhook = env.get("PAYMENTS_WEBHOOK_URL", "").strip() or None
        if webhook is not None and not webhook.startswith(("http://", "https://")):
            problems.append(
                "PAYMENTS_WEBHOOK_URL: expected this api's /payments/events URL such as "
                f"http://127.0.0.1:8000/payments/events, found {webhook!r}"
            )
        bus_url = _bus_url(env.get("BUS_URL", ""), problems, required=False)
        if problems or database_url is None:
            raise SettingsError("the api cannot start:\n  " + "\n  ".join(problems))
        return cls(database_url, payments_url, timeout, origins, webhook, bus_url)


def worker_settings(environ: Mapping[str, str] | None = None) -> tuple[URL, str]:
    """The fulfilment worker's database URL and broker URL, from DATABASE_URL and BUS_URL."""
    env = os.environ if environ is None else environ
    problems: list[str] = []
    database_url = _database_url(env.get("DATABASE_URL", ""), problems)
    bus_url = _bus_url(env.get("BUS_URL", ""), problems, required=True)
    if problems or database_url is None or bus_url is None:
        raise SettingsError("the fulfilment worker cannot start:\n  " + "\n  ".join(problems))
    return database_url, bus_url


BUS_SCHEMES = ("redis://", "rediss://", "amqp://", "amqps://")


def _bus_url(raw: str, problems: list[str], *, required: bool) -> str | None:
    url = raw.strip()
    if not url and not required:
        return None
    if not url.startswith(BUS_SCHEMES):
        found = repr(url) if url else "nothing"
        problems.append(
            "BUS_URL: expected the message broker's URL such as redis://127.0.0.1:6379/0 or "
            f"amqp://guest:guest@127.0.0.1:5672//, found {found}"
        )
        return None
    return url


def cors_origins(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """`CORS_ORIGINS` as a tuple (empty: allow any loopback origin)."""
    raw = (os.environ if environ is None else environ).get("CORS_ORIGINS", "")
    return tuple(origin.strip() for origin in raw.split(",") if origin.strip())


def _database_url(raw: str, problems: list[str]) -> URL | None:
    expected = (
        "expected a SQLAlchemy URL such as sqlite:////tmp/shop.db or postgresql://user@host/db"
    )
    if not raw.strip():
        problems.append(f"DATABASE_URL: {expected}, found nothing")
        return None
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        problems.append(f"DATABASE_URL: {expected}, found {raw!r}")
        return None
    # A bare postgresql:// (or Heroku-style postgres://) URL would select psycopg2, which the
    # shop does not use: run PostgreSQL through psycopg 3 whatever the URL's spelling.
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        problems.append(
            f"DATABASE_URL: expected a sqlite or postgresql URL, found {url.drivername!r}"
        )
        return None
    return url


def _timeout(raw: str, problems: list[str]) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 120:
        problems.append(
            f"PAYMENTS_TIMEOUT: expected seconds between 0 and 120 such as 2.0, found {raw!r}"
        )
    return value
