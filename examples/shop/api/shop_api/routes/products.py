from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from shop_api.deps import DatabaseDep
from shop_api.models import Product
from shop_api.schemas import ProductOut

router = APIRouter(tags=["products"])


@router.get("/products")
def list_products(db: DatabaseDep) -> list[ProductOut]:
    """The catalogue (seeded by db/seed.sql), in a stable order."""
    with db.read() as session:
        products = session.scalars(select(Product).order_by(Product.id))
        return [ProductOut.model_validate(p) for p in products]
