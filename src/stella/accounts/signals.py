"""Audit logins, logouts and failed logins (the user name only, never the password)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from stella.audit import service as audit
from stella.audit.models import AuditAction, Outcome
from stella.core.actor import Actor


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(Actor.for_user(user), AuditAction.LOGIN, object_type="session")


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(Actor.for_user(user), AuditAction.LOGOUT, object_type="session")


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit.record(Actor(None, username or "(leer)", None, "", ""), AuditAction.LOGIN_FAILED,
                 outcome=Outcome.DENIED, object_type="session", reason="Falsche Anmeldedaten oder gesperrt")
