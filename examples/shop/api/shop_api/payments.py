"""The api's client for the payments service: one call, three possible outcomes.

Whatever payments does — charge, decline, time out, refuse connections, answer a body that
breaks its contract — `PaymentsClient.charge` returns a `ChargeOutcome` and never raises, so
the order it pays for always leaves `pending`.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Literal, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError
from pydantic_core import ErrorDetails

log = logging.getLogger("shop_api.payments")


@dataclass(frozen=True)
class ChargeSucceeded:
    charge_id: str


@dataclass(frozen=True)
class ChargeDeclined:
    code: str  # payments' reason: card_declined, insufficient_funds, incorrect_number, ...
    message: str


FailureCode = Literal["payments_timeout", "payments_unavailable", "payments_bad_response"]


@dataclass(frozen=True)
class ChargeFailed:
    """The charge's fate is unknown to the api: the order may be retried with the same key."""

    code: FailureCode
    message: str


ChargeOutcome = ChargeSucceeded | ChargeDeclined | ChargeFailed


class _Charge(BaseModel):
    """The part of payments' charge (contracts/payments.yaml) the api relies on, strictly."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=64)
    amount: StrictInt
    currency: str
    status: Literal["succeeded"]


class _ErrorBody(BaseModel):
    code: str
    message: str


class _Error(BaseModel):
    error: _ErrorBody


def interpret(status: int, body: bytes, *, amount_cents: int, currency: str) -> ChargeOutcome:
    """What payments' answer means for the order. Pure: unit-tested without a network."""
    if status in (200, 201):
        charge, problem = _parse(_Charge, body)
        if charge is None:
            return _bad(
                f"payments answered {status} with a charge that breaks its contract: {problem}"
            )
        if (charge.amount, charge.currency) != (amount_cents, currency):
            return _bad(
                f"payments charged {charge.amount} {charge.currency} "
                f"for an order of {amount_cents} {currency}"
            )
        return ChargeSucceeded(charge.id)
    if status == 402:
        error, problem = _parse(_Error, body)
        if error is None:
            return _bad(f"payments answered 402 with an error that breaks its contract: {problem}")
        return ChargeDeclined(error.error.code, error.error.message)
    snippet = " ".join(body[:300].decode("utf-8", errors="replace").split())[:200]
    if status >= 500:
        return ChargeFailed("payments_unavailable", f"payments answered {status}: {snippet}")
    return _bad(f"payments answered an unexpected {status}: {snippet}")


def _bad(message: str) -> ChargeFailed:
    return ChargeFailed("payments_bad_response", message)


M = TypeVar("M", bound=BaseModel)


def _parse(model: type[M], body: bytes) -> tuple[M | None, str]:
    try:
        return model.model_validate_json(body), ""
    except ValidationError as err:
        return None, "; ".join(_describe(e) for e in err.errors(include_url=False))


def _describe(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "body"
    found = error.get("input")
    if isinstance(found, bytes):  # the whole body, when it is not JSON at all
        found = found.decode("utf-8", errors="replace")
    shown = "an object" if isinstance(found, dict) else json.dumps(found, default=str)[:60]
    return f"{where}: {error['msg'].lower()} (found {shown})"


class PaymentsClient:
    """A pooled HTTP client for `POST {PAYMENTS_URL}/charges`."""

    def __init__(
        self, base_url: str, timeout: float, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._timeout = timeout
        self._http = httpx.Client(
            base_url=base_url, timeout=httpx.Timeout(timeout), transport=transport
        )

    def close(self) -> None:
        self._http.close()

    def charge(
        self,
        *,
        amount_cents: int,
        currency: str,
        card_number: str,
        idempotency_key: str,
        description: str,
        request_id: str,
        notify_url: str | None = None,
    ) -> ChargeOutcome:
        payload: dict[str, object] = {
            "amount": amount_cents,
            "currency": currency,
            "card_number": card_number,
            "description": description,
        }
        if notify_url is not None:
            payload["notify_url"] = notify_url
        headers = {"Idempotency-Key": idempotency_key, "X-Request-ID": request_id}
        started = time.monotonic()
        try:
            with self._http.stream("POST", "/charges", json=payload, headers=headers) as answer:
                status, body = answer.status_code, _read_by(answer, started + self._timeout)
        except httpx.TimeoutException as err:
            outcome: ChargeOutcome = ChargeFailed(
                "payments_timeout", f"payments did not answer in time ({type(err).__name__})"
            )
        except httpx.TransportError as err:
            outcome = ChargeFailed("payments_unavailable", f"payments could not be reached: {err}")
        else:
            outcome = interpret(status, body, amount_cents=amount_cents, currency=currency)
        log.info(
            "payments: POST /charges for %s -> %s in %.0f ms (request %s)",
            description,
            outcome,
            (time.monotonic() - started) * 1000,
            request_id,
        )
        return outcome


def _read_by(answer: httpx.Response, deadline: float) -> bytes:
    """The answer's body, or ReadTimeout if it is still arriving at `deadline`.

    httpx's read timeout bounds each read, not the whole answer: a payments trickling its
    answer a few bytes at a time would otherwise hold the order, and the shopper, for as long
    as it liked, and outlive the payment attempt's lease (orders.py).
    """
    body = bytearray()
    for chunk in answer.iter_bytes():
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout(
                "the answer was still arriving at the deadline", request=answer.request
            )
        body += chunk
    return bytes(body)
