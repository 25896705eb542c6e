"""Errors the api answers on purpose, as `{"error": {"code", "message", "request_id"}}`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shop_api.schemas import ErrorDetail, OrderErrorOut, OrderOut


class ApiError(Exception):
    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        *,
        order: OrderOut | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.order = order
        self.headers = headers or {}


async def _handle_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    detail = ErrorDetail(code=exc.code, message=exc.message, request_id=request.state.request_id)
    body = OrderErrorOut(error=detail, order=exc.order)
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=exc.order is None),
        status_code=exc.status_code,
        headers=exc.headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _handle_api_error)
