"""FastAPI dependencies: what a handler needs, taken from the app's state (set up in main.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shop_api.db import Database
from shop_api.middleware import request_id
from shop_api.orders import OrderService


def _database(request: Request) -> Database:
    database = request.app.state.db
    assert isinstance(database, Database)
    return database


def _order_service(request: Request) -> OrderService:
    service = request.app.state.orders
    assert isinstance(service, OrderService)
    return service


DatabaseDep = Annotated[Database, Depends(_database)]
OrderServiceDep = Annotated[OrderService, Depends(_order_service)]
RequestIdDep = Annotated[str, Depends(request_id)]
