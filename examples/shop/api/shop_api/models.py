"""The ORM models: the same tables as db/schema.*.sql (tests/unit/test_schema.py compares them)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class OrderStatus(StrEnum):
    PENDING = "pending"  # created; a payment attempt is under way
    PAID = "paid"  # payments charged the card
    PAYMENT_FAILED = "payment_failed"  # payments declined the card (final)
    PAYMENT_ERROR = "payment_error"  # payments timed out, was down or answered nonsense (retryable)


# Orders that hold their cart: at most one per cart (the partial unique index below).
LIVE_STATUSES = (OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.PAYMENT_ERROR)
_LIVE_SQL = "status IN ('pending', 'paid', 'payment_error')"


class Base(DeclarativeBase):
    pass


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.current_timestamp()
    )


class User(Timestamped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price_cents > 0"),
        CheckConstraint("length(currency) = 3"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))


class Cart(Timestamped, Base):
    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartItem.product_id"
    )


class CartItem(Base):
    __tablename__ = "cart_items"
    __table_args__ = (CheckConstraint("quantity BETWEEN 1 AND 99"),)

    cart_id: Mapped[int] = mapped_column(
        ForeignKey("carts.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    cart: Mapped[Cart] = relationship(back_populates="items")
    product: Mapped[Product] = relationship(lazy="joined")


class Order(Timestamped, Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("total_cents > 0"),
        Index(
            "orders_one_live_per_cart",
            "cart_id",
            unique=True,
            sqlite_where=_LIVE_SQL,
            postgresql_where=_LIVE_SQL,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id"))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[OrderStatus] = mapped_column(
        Enum(
            OrderStatus,
            native_enum=False,
            length=20,
            create_constraint=True,
            values_callable=lambda statuses: [s.value for s in statuses],
        )
    )
    total_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    charge_id: Mapped[str | None] = mapped_column(String(64))
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(Text)
    # When the current payment attempt started: a pending order whose attempt is older than
    # the api's lease was abandoned (its process died) and may be taken over.
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.current_timestamp()
    )
    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.product_id"
    )


class OrderItem(Base):
    __tablename__ = "order_items"
    __table_args__ = (
        CheckConstraint("quantity BETWEEN 1 AND 99"),
        CheckConstraint("unit_price_cents > 0"),
    )

    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    # The price when the order was placed: the catalogue may change, the order may not.
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    order: Mapped[Order] = relationship(back_populates="items")


class Shipment(Timestamped, Base):
    """Written by the fulfilment worker (shop_api/fulfilment.py) once an order is paid."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # UNIQUE: one shipment per order, however many times `order.paid` is delivered.
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
