from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy.exc import IntegrityError

from shop_api.deps import DatabaseDep
from shop_api.errors import ApiError
from shop_api.models import User
from shop_api.schemas import ErrorOut, UserIn, UserOut

router = APIRouter(tags=["users"])


@router.post("/users", status_code=status.HTTP_201_CREATED, responses={409: {"model": ErrorOut}})
def create_user(body: UserIn, db: DatabaseDep) -> UserOut:
    try:
        with db.write() as session:
            user = User(email=body.email.lower(), name=body.name)
            session.add(user)
            session.flush()
    except IntegrityError:
        raise ApiError(409, "email_taken", f"a user with email {body.email!r} exists") from None
    return UserOut.model_validate(user)


@router.get("/users/{user_id}", responses={404: {"model": ErrorOut}})
def get_user(user_id: int, db: DatabaseDep) -> UserOut:
    with db.read() as session:
        user = session.get(User, user_id)
        if user is None:
            raise ApiError(404, "user_not_found", f"there is no user {user_id}")
        return UserOut.model_validate(user)
