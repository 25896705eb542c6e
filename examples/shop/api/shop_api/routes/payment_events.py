"""payments' webhook: `POST /payments/events`, sent by payments once a charge is made."""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from shop_api.deps import OrderServiceDep
from shop_api.errors import ApiError
from shop_api.orders import ChargeEvent
from shop_api.schemas import ErrorOut, OrderOut

log = logging.getLogger("shop_api.payment_events")
router = APIRouter(tags=["payments"])


class ChargeIn(BaseModel):
    """The part of payments' charge the api reads (contracts/payments.yaml, `Charge`)."""

    model_config = ConfigDict(extra="ignore")

    id: Annotated[str, Field(min_length=1, max_length=64)]
    amount: StrictInt
    currency: str
    status: Literal["succeeded", "failed"]
    idempotency_key: str | None = None


class ChargeEventIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["charge.succeeded", "charge.failed"]
    charge: ChargeIn


@router.post(
    "/payments/events",
    responses={404: {"model": ErrorOut, "description": "No order has this charge's key"}},
)
def payment_event(event: ChargeEventIn, orders: OrderServiceDep) -> OrderOut:
    """payments' webhook: a `charge.succeeded` for an order in payment_error (its answer was
    lost) makes it paid; any other event changes nothing. Answers the order as it now is."""
    charge = event.charge
    order = orders.confirm(
        ChargeEvent(event.type, charge.id, charge.idempotency_key, charge.amount, charge.currency)
    )
    if order is None:
        raise ApiError(
            404, "order_not_found", f"no order was charged with key {charge.idempotency_key!r}"
        )
    log.info("payments event %s for order %s: order is %s", event.type, order.id, order.status)
    return order
