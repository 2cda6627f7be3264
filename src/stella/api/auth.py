"""API authentication: bearer tokens (hashed at rest), the token endpoints, and the one helper that
turns a request into the `Actor` every service call needs.

Password checks go through `django.contrib.auth.authenticate(request=…)` so that django-axes counts
failures and locks out after AXES_FAILURE_LIMIT of them, exactly as for the web login.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pydantic
from axes.helpers import get_cool_off
from django.contrib.auth import authenticate, user_logged_in
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from stella.accounts import services as accounts
from stella.accounts.models import User
from stella.api.errors import invalid_input_from_pydantic, problem
from stella.api.schemas import Message, Strict
from stella.core.actor import Actor

#: Request header naming the purpose of a call; it is written to every audit event of the call.
PURPOSE_HEADER = "X-Purpose"


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; the token's owner must be active and the token unexpired."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = accounts.user_for_token(token)
        if user is not None:
            request.bearer_token = token  # type: ignore[attr-defined]  # for /auth/revoke
        return user


def actor(request: HttpRequest) -> Actor:
    """The caller as services see it: the token's user, their agency and roles, and the purpose."""
    user: User = request.auth  # type: ignore[attr-defined]
    return Actor.for_user(user, purpose=request.headers.get(PURPOSE_HEADER, "").strip())


class TokenRequest(Strict):
    username: str = pydantic.Field(min_length=1, max_length=150)
    password: str = pydantic.Field(min_length=1, max_length=4096)


class TokenOut(Schema):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the token type, not a secret
    expires_at: datetime


router = Router(tags=["Anmeldung"])

_TOKEN_BODY = {
    "required": True,
    "content": {
        media: {"schema": TokenRequest.model_json_schema()}
        for media in ("application/json", "application/x-www-form-urlencoded")
    },
}


def _credentials(request: HttpRequest) -> TokenRequest:
    """Read username and password from a JSON or an HTML-form body (ninja binds only one of them)."""
    if request.content_type == "application/json":
        try:
            data: Any = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise HttpError(400, "Cannot parse request body") from exc
    else:
        data = request.POST.dict()
    try:
        return TokenRequest.model_validate(data)
    except pydantic.ValidationError as exc:
        raise invalid_input_from_pydantic(exc.errors(include_url=False)) from exc


@router.post("/token", auth=None, response={200: TokenOut}, summary="Bearer-Token anfordern",
             openapi_extra={"requestBody": _TOKEN_BODY})
def issue_token(request: HttpRequest) -> Any:
    """Exchange username and password for a bearer token (shown once; only its hash is stored)."""
    creds = _credentials(request)
    user = authenticate(request, username=creds.username, password=creds.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            # Answer with a problem document ourselves; AxesMiddleware would render its HTML page.
            request.axes_locked_out = False  # type: ignore[attr-defined]
            cool_off = get_cool_off(request)
            seconds = int(cool_off.total_seconds()) if cool_off else 0
            return problem(request, 429, "Zu viele fehlgeschlagene Anmeldungen. Die Anmeldung ist vorübergehend "
                           "gesperrt; bitte später erneut versuchen.",
                           headers={"Retry-After": str(seconds)} if seconds else None)
        raise AuthenticationError(message="Benutzername oder Passwort ist falsch.")
    # A token login is a login: axes resets the failure count, last_login and the audit trail see it.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    token, raw = accounts.issue_token(user=user)
    return TokenOut(access_token=raw, expires_at=token.expires_at)


@router.post("/revoke", response={200: Message}, summary="Token widerrufen")
def revoke_token(request: HttpRequest) -> Any:
    """Revoke the token this request was made with (logout of an API client)."""
    accounts.revoke_token(actor=actor(request), raw=request.bearer_token)  # type: ignore[attr-defined]
    return Message(detail="Das Token wurde widerrufen.")


__all__ = ["PURPOSE_HEADER", "BearerToken", "actor", "router"]
