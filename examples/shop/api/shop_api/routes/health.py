from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from shop_api.deps import DatabaseDep
from shop_api.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get("/health", responses={503: {"model": HealthOut}})
def health(db: DatabaseDep, response: Response) -> HealthOut:
    """Ready when the database answers: seamline's readiness probe."""
    try:
        with db.read() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError as err:
        response.status_code = 503
        cause = getattr(err, "orig", None) or err
        return HealthOut(status="unavailable", database=f"{type(cause).__name__}: {cause}"[:200])
    return HealthOut(status="ok", database="ok")
