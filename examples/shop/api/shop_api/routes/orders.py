from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Response

from shop_api.deps import OrderServiceDep, RequestIdDep
from shop_api.errors import ApiError
from shop_api.models import OrderStatus
from shop_api.orders import OrderRequest, Placement
from shop_api.schemas import ErrorOut, OrderErrorOut, OrderIn, OrderOut

router = APIRouter(tags=["orders"])

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[\x21-\x7e]{1,200}$",
        description=(
            "One key per checkout attempt (a UUID, say). Resubmitting with the same key never "
            "pays twice: it answers the first submission's outcome, or retries the payment "
            "if it ended in payment_error. Use a new key after a declined card."
        ),
    ),
]

_ORDER_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": OrderOut,
        "description": "A replay: an earlier submission with this key paid the order",
    },
    201: {"description": "Paid"},
    402: {
        "model": OrderErrorOut,
        "description": "The card was declined: the order is payment_failed",
    },
    404: {"model": ErrorOut, "description": "No such cart"},
    409: {
        "model": OrderErrorOut,
        "description": (
            "cart_empty, cart_has_order (another key's order holds the cart), "
            "idempotency_key_reused (the key was used for another cart), or "
            "order_in_progress (another submission is still paying it: retry later)"
        ),
    },
    502: {
        "model": OrderErrorOut,
        "description": "payments is down or answered nonsense: the order is payment_error",
    },
    504: {
        "model": OrderErrorOut,
        "description": "payments did not answer in time: the order is payment_error",
    },
}
REPLAYED_HEADER = "Idempotent-Replayed"
_REPLAYED_DOC = {
    REPLAYED_HEADER: {
        "description": "true when another submission with this key paid (or failed) the order",
        "required": True,
        "schema": {"type": "string", "enum": ["true", "false"]},
    }
}
for _status in (200, 201, 402, 502, 504):
    _ORDER_RESPONSES[_status]["headers"] = dict(_REPLAYED_DOC)


@router.post("/orders", status_code=201, responses=_ORDER_RESPONSES)
def place_order(
    body: OrderIn,
    idempotency_key: IdempotencyKey,
    orders: OrderServiceDep,
    request_id: RequestIdDep,
    response: Response,
) -> OrderOut:
    """Create an order from a cart and pay for it with the card given."""
    placement = orders.place(
        OrderRequest(body.cart_id, body.card_number, idempotency_key, request_id)
    )
    headers = {REPLAYED_HEADER: "true" if placement.replayed else "false"}
    error = _error_for(placement, headers)
    if error is not None:
        raise error
    response.headers.update(headers)
    response.status_code = 200 if placement.replayed else 201
    return placement.order


@router.get("/orders/{order_id}", responses={404: {"model": ErrorOut}})
def get_order(order_id: int, orders: OrderServiceDep) -> OrderOut:
    order = orders.get(order_id)
    if order is None:
        raise ApiError(404, "order_not_found", f"there is no order {order_id}")
    return order


def _error_for(placement: Placement, headers: dict[str, str]) -> ApiError | None:
    """The same answer for an order's outcome, whichever submission of its key asks."""
    order = placement.order
    message = order.failure_message or ""
    if order.status == OrderStatus.PAYMENT_FAILED:
        return ApiError(
            402, order.failure_code or "card_declined", message, order=order, headers=headers
        )
    if order.status == OrderStatus.PAYMENT_ERROR:
        code = order.failure_code or "payments_unavailable"
        status = 504 if code == "payments_timeout" else 502
        return ApiError(status, code, message, order=order, headers=headers)
    return None
