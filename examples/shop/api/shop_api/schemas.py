"""What the api accepts and answers (Pydantic v2); FastAPI turns these into contracts/api.yaml."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shop_api.models import OrderStatus


def _as_utc(value: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; the api stores them in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
Cents = Annotated[int, Field(ge=0, description="an amount in the currency's minor unit (cents)")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["USD"])]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- users ----------------------------------------------------------------------------------


class UserIn(BaseModel):
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    name: Annotated[str, Field(min_length=1, max_length=100)]


class UserOut(_Out):
    id: int
    email: str
    name: str
    created_at: UtcDatetime


# --- products -------------------------------------------------------------------------------


class ProductOut(_Out):
    id: int
    sku: str
    name: str
    description: str
    price_cents: Cents
    currency: Currency


# --- carts ----------------------------------------------------------------------------------


class CartIn(BaseModel):
    user_id: int


class CartItemIn(BaseModel):
    product_id: int
    quantity: Annotated[int, Field(ge=1, le=99)] = 1


class CartItemOut(BaseModel):
    product_id: int
    sku: str
    name: str
    unit_price_cents: Cents
    quantity: int
    line_total_cents: Cents


class CartOut(BaseModel):
    id: int
    user_id: int
    items: list[CartItemOut]
    total_cents: Cents
    currency: Currency | None = Field(
        description="the items' currency; null while the cart is empty"
    )
    created_at: UtcDatetime


# --- orders ---------------------------------------------------------------------------------


class OrderIn(BaseModel):
    cart_id: int
    card_number: Annotated[
        str,
        Field(
            pattern=r"^[0-9]{12,19}$",
            description="the card to charge, digits only; see the payments sandbox's test cards",
            examples=["4242424242424242"],
        ),
    ]


class OrderItemOut(_Out):
    product_id: int
    quantity: int
    unit_price_cents: Cents


class OrderOut(_Out):
    id: int
    user_id: int
    cart_id: int
    status: OrderStatus
    total_cents: Cents
    currency: Currency
    items: list[OrderItemOut]
    charge_id: str | None = Field(description="the payments charge, once paid")
    failure_code: str | None = Field(
        description="why the order is not paid: card_declined, payments_timeout, ..."
    )
    failure_message: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


# --- errors ---------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str = Field(description="a stable, machine-readable reason, e.g. card_declined")
    message: str = Field(description="what went wrong, for people")
    request_id: str = Field(description="the X-Request-ID of the failed request")


class ErrorOut(BaseModel):
    error: ErrorDetail


class OrderErrorOut(ErrorOut):
    order: OrderOut | None = Field(
        default=None, description="the order as it now stands, when one was created"
    )


class HealthOut(BaseModel):
    status: str
    database: str
