"""Placing an order exactly once, however many times it is submitted and however many api
processes receive it.

The rules, all enforced by the database rather than by locks in this process:

* `orders.idempotency_key` is UNIQUE. Of N simultaneous submissions with one key, exactly one
  INSERT succeeds; the others fail with an IntegrityError and read the winner's order.
* Only the request that created the order (or that won a conditional UPDATE claiming it, see
  below) calls payments, and it does so with no transaction open.
* Every state change is a conditional UPDATE (`... WHERE id = :id AND status = :expected`):
  of two requests racing to move an order, one changes a row and the other changes none.
* A request that finds the order `pending` waits for the outcome and answers the same thing
  as the winner. If the attempt is older than the lease (its process died), it claims the
  order (`status = 'pending' AND updated_at < :stale`) and pays it itself.
* An order in `payment_error` (payments timed out, was down or answered nonsense) is retried
  by the next request with its key: the claim `payment_error -> pending` lets one through.
  The charge's idempotency key is derived from the order's, so payments never charges twice.
* payments' webhook settles what the api could not know: a `charge.succeeded` for an order in
  `payment_error` (the card was charged, the answer was lost) makes it `paid`.
* Whichever request moves an order to `paid` (the payer, or the webhook) sends `order.paid`
  to fulfilment, once the change is committed; replays send nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shop_api.db import Database
from shop_api.errors import ApiError
from shop_api.events import EventBus, OrderPaid
from shop_api.models import Cart, Order, OrderItem, OrderStatus, utcnow
from shop_api.payments import (
    ChargeDeclined,
    ChargeFailed,
    ChargeOutcome,
    ChargeSucceeded,
    PaymentsClient,
)
from shop_api.schemas import OrderOut

POLL_SECONDS = 0.02
_ORDER_WITH_ITEMS = select(Order).options(selectinload(Order.items))


@dataclass(frozen=True)
class OrderRequest:
    cart_id: int
    card_number: str
    idempotency_key: str
    request_id: str


@dataclass(frozen=True)
class Placement:
    order: OrderOut
    replayed: bool  # True: this request did not pay the order, it reports another's outcome


CHARGE_KEY_PREFIX = "shop-order-"


def charge_key(order_key: str) -> str:
    """The Idempotency-Key sent to payments for an order: stable across retries of the order."""
    return CHARGE_KEY_PREFIX + order_key


@dataclass(frozen=True)
class ChargeEvent:
    """payments' webhook: a charge was made (or failed) for the charge key given."""

    kind: str  # charge.succeeded | charge.failed
    charge_id: str
    charge_key: str | None
    amount_cents: int
    currency: str


class OrderService:
    def __init__(
        self,
        db: Database,
        payments: PaymentsClient,
        payments_timeout: float,
        notify_url: str | None = None,
        events: EventBus | None = None,
    ) -> None:
        self._db = db
        self._payments = payments
        self._notify_url = notify_url
        self._events = events
        # How long one payment attempt may take: the payments client waits at most the
        # timeout to connect, to send, and for the answer to start, and wants the whole
        # answer within the timeout of the start (payments.py); plus a margin. Past it, the
        # attempt was abandoned.
        self.lease = timedelta(seconds=3 * payments_timeout + 2)

    def place(self, request: OrderRequest) -> Placement:
        order = self._find(request.idempotency_key)
        if order is None:
            try:
                order = self._create(request)
            except IntegrityError:
                # Another submission with this key won the INSERT, or the cart got an order.
                order = self._find(request.idempotency_key)
                if order is None:
                    raise _cart_has_order(request.cart_id) from None
            else:
                return self._pay(order, request)
        if order.cart_id != request.cart_id:
            raise ApiError(
                409,
                "idempotency_key_reused",
                f"Idempotency-Key {request.idempotency_key!r} was used for cart {order.cart_id}; "
                f"use a new key for cart {request.cart_id}",
            )
        if order.status == OrderStatus.PAYMENT_ERROR and self._claim(
            order.id, OrderStatus.PAYMENT_ERROR
        ):
            return self._pay(order, request)
        return self._await_outcome(order, request)

    def get(self, order_id: int) -> OrderOut | None:
        with self._db.read() as session:
            order = session.scalar(_ORDER_WITH_ITEMS.where(Order.id == order_id))
            return OrderOut.model_validate(order) if order else None

    # --- steps, each its own short transaction ------------------------------------------------

    def _find(self, key: str) -> OrderOut | None:
        with self._db.read() as session:
            order = session.scalar(_ORDER_WITH_ITEMS.where(Order.idempotency_key == key))
            return OrderOut.model_validate(order) if order else None

    def _create(self, request: OrderRequest) -> OrderOut:
        with self._db.write() as session:
            # The cart's row stays locked until the order is in (PostgreSQL; SQLite's writers
            # take turns anyway): an item added meanwhile waits, then finds the cart ordered.
            cart = session.get(
                Cart, request.cart_id, options=[selectinload(Cart.items)], with_for_update=True
            )
            if cart is None:
                raise ApiError(404, "cart_not_found", f"there is no cart {request.cart_id}")
            if not cart.items:
                raise ApiError(409, "cart_empty", f"cart {cart.id} has no items to order")
            # No "does the cart have an order?" check here: the unique index on the cart's
            # live orders answers it, atomically, when the INSERT runs.
            order = Order(
                user_id=cart.user_id,
                cart_id=cart.id,
                idempotency_key=request.idempotency_key,
                status=OrderStatus.PENDING,
                total_cents=sum(i.quantity * i.product.price_cents for i in cart.items),
                currency=cart.items[0].product.currency,
                items=[
                    OrderItem(
                        product_id=i.product_id,
                        quantity=i.quantity,
                        unit_price_cents=i.product.price_cents,
                    )
                    for i in cart.items
                ],
            )
            session.add(order)
            session.flush()  # the INSERT: a duplicate key raises IntegrityError here
            return OrderOut.model_validate(order)

    def _claim(
        self, order_id: int, expected: OrderStatus, stale_before: datetime | None = None
    ) -> bool:
        """Make this request the one paying the order; True if no other request got there first."""
        condition = [Order.id == order_id, Order.status == expected]
        if stale_before is not None:
            condition.append(Order.updated_at < stale_before)
        claim = (
            update(Order)
            .where(*condition)
            .values(
                status=OrderStatus.PENDING,
                failure_code=None,
                failure_message=None,
                updated_at=utcnow(),
            )
        )
        with self._db.write() as session:
            result = session.execute(claim)
            assert isinstance(result, CursorResult)
            return result.rowcount == 1

    def _pay(self, order: OrderOut, request: OrderRequest) -> Placement:
        outcome = self._payments.charge(
            amount_cents=order.total_cents,
            currency=order.currency,
            card_number=request.card_number,
            idempotency_key=charge_key(request.idempotency_key),
            description=f"shop order {order.id}",
            request_id=request.request_id,
            notify_url=self._notify_url,
        )
        settled = self._settle(order.id, outcome)
        final = self.get(order.id)
        assert final is not None
        if settled:
            self._announce_if_paid(final)
        return Placement(final, replayed=not settled)

    def _announce_if_paid(self, order: OrderOut) -> None:
        """`order.paid` to fulfilment, for the request that made the order paid."""
        if self._events is None or order.status != OrderStatus.PAID or order.charge_id is None:
            return
        self._events.order_paid(
            OrderPaid(order.id, order.charge_id, order.total_cents, order.currency)
        )

    def _settle(self, order_id: int, outcome: ChargeOutcome) -> bool:
        """pending -> paid | payment_failed | payment_error; False if the order had moved on."""
        match outcome:
            case ChargeSucceeded(charge_id=charge_id):
                values: dict[str, object] = {"status": OrderStatus.PAID, "charge_id": charge_id}
            case ChargeDeclined(code=code, message=message):
                values = {
                    "status": OrderStatus.PAYMENT_FAILED,
                    "failure_code": code,
                    "failure_message": message,
                }
            case ChargeFailed(code=code, message=message):
                values = {
                    "status": OrderStatus.PAYMENT_ERROR,
                    "failure_code": code,
                    "failure_message": message,
                }
        transition = (
            update(Order)
            .where(Order.id == order_id, Order.status == OrderStatus.PENDING)
            .values(**values)
        )
        with self._db.write() as session:
            result = session.execute(transition)
            assert isinstance(result, CursorResult)
            return result.rowcount == 1

    def confirm(self, event: ChargeEvent) -> OrderOut | None:
        """Apply payments' webhook; the order it is about (None: no order has that charge key).
        Only `payment_error -> paid` changes anything: every other outcome was already known.
        A webhook can overtake the answer it follows: while the order is `pending`, the
        attempt paying it has yet to settle it, so wait for that first (within the lease)."""
        key = (event.charge_key or "").removeprefix(CHARGE_KEY_PREFIX)
        order = self._find(key) if event.charge_key else None
        give_up = time.monotonic() + self.lease.total_seconds()
        while order is not None and order.status == OrderStatus.PENDING:
            if time.monotonic() > give_up:
                return order  # the attempt died; the next submission with the key settles it
            time.sleep(POLL_SECONDS)
            order = self.get(order.id)
        if order is None:
            return None
        if event.kind == "charge.succeeded":
            confirmed = (
                update(Order)
                .where(
                    Order.id == order.id,
                    Order.status == OrderStatus.PAYMENT_ERROR,
                    Order.total_cents == event.amount_cents,
                    Order.currency == event.currency,
                )
                .values(
                    status=OrderStatus.PAID,
                    charge_id=event.charge_id,
                    failure_code=None,
                    failure_message=None,
                )
            )
            with self._db.write() as session:
                result = session.execute(confirmed)
                assert isinstance(result, CursorResult)
            if result.rowcount == 1:
                order = self.get(order.id)
                assert order is not None
                self._announce_if_paid(order)
        return self.get(order.id)

    def _await_outcome(self, order: OrderOut, request: OrderRequest) -> Placement:
        """Wait while another request pays the order; take it over if that request died."""
        give_up = time.monotonic() + self.lease.total_seconds() + 1
        while True:
            current = self.get(order.id)
            assert current is not None
            if current.status != OrderStatus.PENDING:
                return Placement(current, replayed=True)
            stale_before = utcnow() - self.lease
            if current.updated_at < stale_before and self._claim(
                order.id, OrderStatus.PENDING, stale_before=stale_before
            ):
                return self._pay(current, request)
            if time.monotonic() > give_up:
                raise ApiError(
                    409,
                    "order_in_progress",
                    f"order {order.id} is still being paid; retry with the same Idempotency-Key",
                    order=current,
                    headers={"Retry-After": "1"},
                )
            time.sleep(POLL_SECONDS)


def _cart_has_order(cart_id: int) -> ApiError:
    return ApiError(
        409,
        "cart_has_order",
        f"cart {cart_id} already has an order that is paid or being paid; "
        "retry that order with its Idempotency-Key, or start a new cart",
    )
