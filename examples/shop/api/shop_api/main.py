"""The FastAPI application: `shop_api.main:app`, configured from the environment at start-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi

from shop_api.db import Database
from shop_api.errors import install_error_handlers
from shop_api.events import EventBus
from shop_api.middleware import REQUEST_ID_HEADER, RequestIdMiddleware
from shop_api.orders import OrderService
from shop_api.payments import PaymentsClient
from shop_api.routes import ROUTERS
from shop_api.settings import Settings, cors_origins

# The web page is served from another port of the same machine: another origin.
LOOPBACK_ORIGIN = r"^https?://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings or Settings.from_env()
    app.state.db = db = Database(settings.database_url)
    payments = PaymentsClient(settings.payments_url, settings.payments_timeout)
    events = EventBus(settings.bus_url) if settings.bus_url else None
    app.state.orders = OrderService(
        db, payments, settings.payments_timeout, settings.payments_webhook_url, events
    )
    try:
        yield
    finally:
        payments.close()
        if events is not None:
            events.close()
        db.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; settings are read from the environment when it starts, unless given here."""
    app = FastAPI(
        title="shop api",
        version="1.0.0",
        description="The seamline example shop's backend: users, products, carts and orders.",
        lifespan=_lifespan,
        generate_unique_id_function=lambda route: route.name,  # operationId = function name
    )
    app.openapi = partial(_openapi, app)  # type: ignore[method-assign]
    app.state.settings = settings
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app)
    app.add_middleware(RequestIdMiddleware)
    origins = settings.cors_origins if settings else cors_origins()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_origin_regex=None if origins else LOOPBACK_ORIGIN,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Idempotency-Key", REQUEST_ID_HEADER],
        expose_headers=[REQUEST_ID_HEADER, "Idempotent-Replayed"],
    )
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus what middleware does: X-Request-ID in and out of every call."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        document["components"]["headers"] = {
            REQUEST_ID_HEADER: {
                "description": "The request's X-Request-ID, or one made up when it had none "
                "(the api passes it on to payments).",
                "required": True,
                "schema": {"type": "string"},
            }
        }
        parameter = {
            "name": REQUEST_ID_HEADER,
            "in": "header",
            "required": False,
            "description": "An id for the request, for logs; echoed back, passed on to payments.",
            "schema": {"type": "string", "pattern": r"^[\x21-\x7e]{1,200}$"},
        }
        for operations in document["paths"].values():
            for operation in operations.values():
                operation.setdefault("parameters", []).append(parameter)
                for response in operation["responses"].values():
                    response.setdefault("headers", {})[REQUEST_ID_HEADER] = {
                        "$ref": f"#/components/headers/{REQUEST_ID_HEADER}"
                    }
        app.openapi_schema = document
    return app.openapi_schema


app = create_app()
