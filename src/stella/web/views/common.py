"""Helpers shared by the views: the actor of a request, role guards, refusal pages, service errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from stella.authz.policy import CASE_ROLES, can_manage_users, can_read_audit
from stella.core.actor import Actor
from stella.core.errors import NotFound
from stella.web.labels import translate_message


def actor_of(request: HttpRequest) -> Actor:
    """The Actor for the logged-in user, built once per request."""
    cached = getattr(request, "_stella_actor", None)
    if cached is None:
        cached = Actor.for_user(request.user)  # type: ignore[arg-type]
        request._stella_actor = cached  # type: ignore[attr-defined]
    return cached


def refuse(request: HttpRequest, reason: str, *, title: str | None = None, status: int = 403) -> HttpResponse:
    """A page that says clearly why the action is refused (never with the refused data)."""
    return render(request, "web/refused.html",
                  {"title": title or _("Kein Zugriff"), "reason": translate_message(reason)}, status=status)


def not_found(exc: NotFound) -> Http404:
    return Http404(translate_message(exc.message))


def _role_guard(allowed: Callable[[Actor], bool], reason: Callable[[], str]) -> Callable[..., Any]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allowed(actor_of(request)):
                return refuse(request, reason())
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


case_role_required = _role_guard(lambda a: bool(a.roles.intersection(CASE_ROLES)),
                                 lambda: _("Ihre Rolle hat keinen Zugriff auf Personendaten."))
dpo_required = _role_guard(can_read_audit, lambda: _("Nur Datenschutzbeauftragte sehen das Protokoll."))
admin_required = _role_guard(can_manage_users, lambda: _("Nur Administratoren dürfen Benutzer verwalten."))
