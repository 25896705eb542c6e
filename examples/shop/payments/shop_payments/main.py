"""The payments sandbox's HTTP API; its contract is contracts/payments.yaml (hand-written).

Environment:
  SHOP_PAYMENTS_AMOUNT_AS_STRING=1  answer `amount` as a decimal string ("39.98"): a deliberate
                                    break of the contract, for the shop's "see a failure" demo
  SHOP_PAYMENTS_HANG_SECONDS=30     how long the hanging test card makes a charge wait

A charge request with a `notify_url` gets a webhook there once the charge is made, as real
processors call back: `POST notify_url` with `{"type": "charge.succeeded" | "charge.failed",
"charge": {...}}`, sent after the answer, whatever became of the client that asked.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

import httpx
from fastapi import FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shop_payments.cards import Decline, Hang, behaviour
from shop_payments.store import Charge, ChargeStore, KeyReused, fingerprint, new_charge_id

log = logging.getLogger("shop_payments")


@dataclass(frozen=True)
class SandboxSettings:
    amount_as_string: bool = False
    hang_seconds: float = 30.0

    @classmethod
    def from_env(cls) -> SandboxSettings:
        flag = os.environ.get("SHOP_PAYMENTS_AMOUNT_AS_STRING", "").strip().lower()
        return cls(
            amount_as_string=flag in ("1", "true", "yes", "on"),
            hang_seconds=float(os.environ.get("SHOP_PAYMENTS_HANG_SECONDS", "30")),
        )


class ChargeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Annotated[StrictInt, Field(ge=1, le=99_999_999)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    card_number: Annotated[str, Field(pattern=r"^[0-9]{12,19}$")]
    description: Annotated[str | None, Field(max_length=500)] = None
    notify_url: Annotated[str | None, Field(pattern=r"^https?://", max_length=2000)] = None


IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", pattern=r"^[\x21-\x7e]{1,255}$")
]


class EchoRequestId:
    """Answer with the caller's X-Request-ID (or a new one), as processors do for support calls."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        given = [v for k, v in scope.get("headers", []) if k == b"x-request-id"]
        request_id = given[0].decode("latin-1") if given else "req_" + uuid.uuid4().hex

        async def send_echo(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        await self.app(scope, receive, send_echo)


def create_app(settings: SandboxSettings | None = None) -> FastAPI:
    settings = settings or SandboxSettings.from_env()
    store = ChargeStore()
    webhooks: set[asyncio.Task[None]] = set()  # kept, so none is collected before it runs
    # No generated /openapi.json or /docs: the contract is the hand-written payments.yaml.
    app = FastAPI(title="payments sandbox", openapi_url=None, docs_url=None, redoc_url=None)
    app.add_middleware(EchoRequestId)
    app.add_exception_handler(RequestValidationError, _invalid_request)

    def answer(charge: Charge, *, created: bool) -> JSONResponse:
        headers = {"Idempotent-Replayed": "false" if created else "true"}
        if charge.status == "failed":
            body = _error(
                "card_error",
                charge.failure_code or "card_declined",
                charge.failure_message or "",
                charge_id=charge.id,
            )
            return JSONResponse(body, status_code=402, headers=headers)
        return JSONResponse(
            _charge_json(charge, settings), status_code=201 if created else 200, headers=headers
        )

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/charges")
    async def create_charge(
        body: ChargeIn, request: Request, idempotency_key: IdempotencyKey = None
    ) -> Response:
        request_fingerprint = fingerprint(
            body.amount, body.currency, body.card_number, body.description
        )
        try:
            earlier = store.for_key(idempotency_key, request_fingerprint)
            if earlier is not None:
                return answer(earlier, created=False)
            outcome = behaviour(body.card_number)
            if isinstance(outcome, Hang) and not await _hang(request, settings.hang_seconds):
                log.info("client left during the hang; no charge made (key %s)", idempotency_key)
                return Response(status_code=499)
            failure = outcome if isinstance(outcome, Decline) else None
            charge, created = store.add(
                Charge(
                    id=new_charge_id(),
                    amount=body.amount,
                    currency=body.currency,
                    status="failed" if failure else "succeeded",
                    card_last4=body.card_number[-4:],
                    description=body.description,
                    idempotency_key=idempotency_key,
                    failure_code=failure.code if failure else None,
                    failure_message=failure.message if failure else None,
                ),
                request_fingerprint,
            )
        except KeyReused:
            return JSONResponse(
                _error(
                    "idempotency_error",
                    "idempotency_key_reused",
                    f"Idempotency-Key {idempotency_key!r} was used with other parameters",
                ),
                status_code=409,
            )
        log.info(
            "charge %s %s: %s %s (%s, request %s, key %s)",
            charge.id,
            charge.status,
            charge.amount,
            charge.currency,
            "new" if created else "replayed",
            request.headers.get("x-request-id"),
            idempotency_key,
        )
        if created and body.notify_url:
            event = {"type": f"charge.{charge.status}", "charge": _charge_json(charge, settings)}
            task = asyncio.create_task(_notify(body.notify_url, event, charge.id))
            webhooks.add(task)
            task.add_done_callback(webhooks.discard)
        return answer(charge, created=created)

    @app.get("/charges")
    async def list_charges() -> dict[str, Any]:
        return {"data": [_charge_json(c, settings) for c in store.all()]}

    @app.get("/charges/{charge_id}")
    async def get_charge(charge_id: str) -> JSONResponse:
        charge = store.get(charge_id)
        if charge is None:
            body = _error(
                "invalid_request_error", "resource_missing", f"No such charge: {charge_id!r}"
            )
            return JSONResponse(body, status_code=404)
        return JSONResponse(_charge_json(charge, settings))

    return app


async def _notify(url: str, event: dict[str, Any], charge_id: str) -> None:
    """POST the event to the shop's webhook; a shop that does not answer is logged, not retried."""
    try:
        async with httpx.AsyncClient(timeout=5.0) as client:
            answer = await client.post(url, json=event)
        log.info("webhook %s for charge %s -> %s", event["type"], charge_id, answer.status_code)
    except httpx.HTTPError as err:
        log.warning("webhook %s for charge %s failed: %s", event["type"], charge_id, err)


async def _hang(request: Request, seconds: float) -> bool:
    """Sleep, but stop as soon as the client hangs up: True if the full time passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (remaining := deadline - loop.time()) > 0:
        if await request.is_disconnected():
            return False
        await asyncio.sleep(min(0.1, remaining))
    return True


def _charge_json(charge: Charge, settings: SandboxSettings) -> dict[str, Any]:
    amount: int | str = charge.amount
    if settings.amount_as_string:
        amount = str(Decimal(charge.amount).scaleb(-2))  # 3998 -> "39.98": breaks the contract
    return {
        "id": charge.id,
        "amount": amount,
        "currency": charge.currency,
        "status": charge.status,
        "card_last4": charge.card_last4,
        "description": charge.description,
        "idempotency_key": charge.idempotency_key,
        "failure_code": charge.failure_code,
        "failure_message": charge.failure_message,
        "created": charge.created.isoformat().replace("+00:00", "Z"),
    }


def _error(kind: str, code: str, message: str, **extra: str | None) -> dict[str, Any]:
    return {"error": {"type": kind, "code": code, "message": message, **extra}}


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for error in exc.errors():
        located = [str(p) for p in error["loc"] if p != "body"]
        where = "body" if error["type"] == "json_invalid" else ".".join(located) or "body"
        problems.append((where, f"{where}: {error['msg']}"))
    body = _error(
        "invalid_request_error",
        "parameter_invalid",
        "; ".join(p[1] for p in problems),
        param=problems[0][0],
    )
    return JSONResponse(body, status_code=422)


app = create_app()
