"""User management for administrators (who read no case data)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from stella.accounts import services as accounts
from stella.api.auth import actor
from stella.api.schemas import Page, PageQuery, UserCreate, UserOut, UserPatch, paginate

router = Router(tags=["Benutzer"])


@router.get("", response=Page[UserOut], summary="Benutzer")
def list_users(request: HttpRequest, page: Query[PageQuery]) -> Any:
    return paginate(accounts.list_users(actor=actor(request)), page, lambda user: user)


@router.post("", response={201: UserOut}, summary="Benutzer anlegen")
def create_user(request: HttpRequest, payload: UserCreate) -> Any:
    """The password must pass the password rules (length, not common, not like the user name)."""
    data = payload.model_dump()
    user = accounts.create_user(actor=actor(request), agency_code=data.pop("agency"), **data)
    return Status(201, user)


@router.patch("/{int:user_id}", response=UserOut, summary="Rollen ändern, sperren, entsperren")
def update_user(request: HttpRequest, user_id: int, payload: UserPatch) -> Any:
    """`active: false` locks the account and revokes its tokens. `active` is applied before `roles`:
    the roles are already validated by the schema, so a refusal never leaves half a change."""
    me = actor(request)
    user = None
    if payload.active is not None:
        user = accounts.set_active(actor=me, user_id=user_id, active=payload.active)
    if payload.roles is not None:
        user = accounts.set_roles(actor=me, user_id=user_id, roles=payload.roles)
    return user
