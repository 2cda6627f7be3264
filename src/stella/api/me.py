"""The caller: who am I (user, agency, roles) and "Meine Fälle"."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from stella.api.auth import actor
from stella.api.schemas import Page, PageQuery, PersonOut, UserOut, paginate
from stella.cases.sections import base_identity
from stella.cases.services import my_cases as my_cases_service

router = Router(tags=["Ich"])


@router.get("", response=UserOut, summary="Angemeldeter Benutzer")
def me(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get("/cases", response=Page[PersonOut], summary="Meine Fälle")
def my_cases(request: HttpRequest, page: Query[PageQuery]) -> Any:
    """Persons whose file the caller's agency takes part in (base identity)."""
    persons = my_cases_service(actor=actor(request)).order_by("pk").prefetch_related("names", "nationalities")
    return paginate(persons, page, base_identity)
