from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop_api.deps import DatabaseDep
from shop_api.errors import ApiError
from shop_api.models import LIVE_STATUSES, Cart, CartItem, Order, Product, User
from shop_api.schemas import CartIn, CartItemIn, CartItemOut, CartOut, ErrorOut

router = APIRouter(tags=["carts"])
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}}


@router.post("/carts", status_code=status.HTTP_201_CREATED, responses=_NOT_FOUND)
def create_cart(body: CartIn, db: DatabaseDep) -> CartOut:
    with db.write() as session:
        if session.get(User, body.user_id) is None:
            raise ApiError(404, "user_not_found", f"there is no user {body.user_id}")
        cart = Cart(user_id=body.user_id, items=[])
        session.add(cart)
        session.flush()
        return cart_out(cart)


@router.get("/carts/{cart_id}", responses=_NOT_FOUND)
def get_cart(cart_id: int, db: DatabaseDep) -> CartOut:
    with db.read() as session:
        return cart_out(_cart(session, cart_id))


@router.post(
    "/carts/{cart_id}/items",
    responses={**_NOT_FOUND, 409: {"model": ErrorOut}},
)
def add_item(cart_id: int, body: CartItemIn, db: DatabaseDep) -> CartOut:
    """Add a product to the cart (adding one already there raises its quantity)."""
    try:
        with db.write() as session:
            # Locked until this transaction ends, as placing an order locks it: an item is
            # either in the order's snapshot of the cart or refused with cart_has_order.
            cart = _cart(session, cart_id, lock=True)
            product = session.get(Product, body.product_id)
            if product is None:
                raise ApiError(404, "product_not_found", f"there is no product {body.product_id}")
            _check_open(session, cart)
            if cart.items and cart.items[0].product.currency != product.currency:
                raise ApiError(
                    409,
                    "currency_mismatch",
                    f"cart {cart.id} is in {cart.items[0].product.currency}; "
                    f"{product.sku} is sold in {product.currency}",
                )
            _add_quantity(session, cart.id, product.id, body.quantity)
            session.expire(cart, ["items"])
            return cart_out(cart)
    except IntegrityError:  # the CHECK on quantity
        raise ApiError(
            409, "quantity_limit", f"a cart holds at most 99 of a product ({body.product_id})"
        ) from None


def _cart(session: Session, cart_id: int, *, lock: bool = False) -> Cart:
    # SELECT ... FOR UPDATE on PostgreSQL; SQLite has no row locks and needs none, since its
    # writers (BEGIN IMMEDIATE) run one at a time.
    cart = session.get(Cart, cart_id, with_for_update=lock)
    if cart is None:
        raise ApiError(404, "cart_not_found", f"there is no cart {cart_id}")
    return cart


def _check_open(session: Session, cart: Cart) -> None:
    live = select(Order.id).where(Order.cart_id == cart.id, Order.status.in_(LIVE_STATUSES))
    order_id = session.scalar(live)
    if order_id is not None:
        raise ApiError(
            409, "cart_has_order", f"cart {cart.id} is being paid or was paid (order {order_id})"
        )


def _add_quantity(session: Session, cart_id: int, product_id: int, quantity: int) -> None:
    """INSERT the item, or add to its quantity: one atomic statement, the same on both databases."""
    values = {"cart_id": cart_id, "product_id": product_id, "quantity": quantity}
    dialect_insert = (
        sqlite.insert if session.get_bind().dialect.name == "sqlite" else postgresql.insert
    )
    insert = dialect_insert(CartItem).values(values)
    upsert = insert.on_conflict_do_update(
        index_elements=[CartItem.cart_id, CartItem.product_id],
        set_={"quantity": CartItem.quantity + insert.excluded.quantity},
    )
    session.execute(upsert)


def cart_out(cart: Cart) -> CartOut:
    items = [
        CartItemOut(
            product_id=item.product_id,
            sku=item.product.sku,
            name=item.product.name,
            unit_price_cents=item.product.price_cents,
            quantity=item.quantity,
            line_total_cents=item.quantity * item.product.price_cents,
        )
        for item in cart.items
    ]
    return CartOut(
        id=cart.id,
        user_id=cart.user_id,
        items=items,
        total_cents=sum(i.line_total_cents for i in items),
        currency=cart.items[0].product.currency if cart.items else None,
        created_at=cart.created_at,
    )
