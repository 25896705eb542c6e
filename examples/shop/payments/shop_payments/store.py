"""Charges in memory, with idempotency keys: the same key never charges twice.

The sandbox runs as one process on one asyncio loop and nothing here awaits, so each method
runs whole before any other request's code: no locks needed. (Run it with one worker.)
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal


class KeyReused(Exception):
    """An Idempotency-Key came back with different parameters."""


@dataclass(frozen=True)
class Charge:
    id: str
    amount: int
    currency: str
    status: Literal["succeeded", "failed"]
    card_last4: str
    description: str | None
    idempotency_key: str | None
    failure_code: str | None = None
    failure_message: str | None = None
    created: datetime = field(default_factory=lambda: datetime.now(UTC))


def new_charge_id() -> str:
    return "ch_" + secrets.token_hex(12)


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class ChargeStore:
    def __init__(self) -> None:
        self._charges: dict[str, Charge] = {}
        self._by_key: dict[str, tuple[str, str]] = {}  # key -> (request fingerprint, charge id)

    def for_key(self, key: str | None, request_fingerprint: str) -> Charge | None:
        """The charge an earlier request with this key made, if any."""
        if key is None or key not in self._by_key:
            return None
        seen, charge_id = self._by_key[key]
        if seen != request_fingerprint:
            raise KeyReused(key)
        return self._charges[charge_id]

    def add(self, charge: Charge, request_fingerprint: str) -> tuple[Charge, bool]:
        """Keep `charge`, unless its key already has one: (the charge kept, whether it is new)."""
        existing = self.for_key(charge.idempotency_key, request_fingerprint)
        if existing is not None:
            return existing, False
        self._charges[charge.id] = charge
        if charge.idempotency_key is not None:
            self._by_key[charge.idempotency_key] = (request_fingerprint, charge.id)
        return charge, True

    def get(self, charge_id: str) -> Charge | None:
        return self._charges.get(charge_id)

    def all(self) -> list[Charge]:
        return sorted(self._charges.values(), key=lambda c: c.created, reverse=True)
