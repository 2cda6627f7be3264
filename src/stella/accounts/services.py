"""User management (admins only) and API tokens. Admins manage accounts but read no case data."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from stella.accounts.models import ApiToken, RoleAssignment, User, hash_token
from stella.agencies.models import Agency, Role
from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.authz.policy import can_manage_users
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput, NotFound


def _require_admin(actor: Actor) -> None:
    if not (can_manage_users(actor) or actor.is_system):
        audit.record_denied(actor, AuditAction.ADMIN, reason="Nur Administratoren verwalten Benutzer.",
                            object_type="user")
        raise AccessDenied("Nur Administratoren dürfen Benutzer verwalten.")


def _check_roles(roles: Sequence[str]) -> list[str]:
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise InvalidInput({"roles": f"Unbekannte Rolle(n): {', '.join(unknown)}."})
    if not roles:
        raise InvalidInput({"roles": "Mindestens eine Rolle angeben."})
    return sorted(set(roles))


def create_user(*, actor: Actor, username: str, password: str, agency_code: str, roles: Sequence[str],
                first_name: str = "", last_name: str = "", email: str = "", team: str = "",
                validate_password: bool = True) -> User:
    """Create a user of one agency with roles."""
    _require_admin(actor)
    errors: dict[str, list[str]] = {}
    username = username.strip()
    if not username:
        errors["username"] = ["Der Benutzername fehlt."]
    elif User.objects.filter(username=username).exists():
        errors["username"] = ["Dieser Benutzername ist bereits vergeben."]
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        errors["agency"] = [f"Unbekannte Behörde „{agency_code}“."]
    try:
        role_list = _check_roles(roles)
    except InvalidInput as exc:
        errors.update(exc.field_errors)
        role_list = []
    if validate_password:
        try:
            password_validation.validate_password(password, User(username=username))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        user = User(username=username, first_name=first_name, last_name=last_name, email=email, agency=agency,
                    team=team)
        user.set_password(password)
        user.save()
        RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=r) for r in role_list])
        audit.record(actor, AuditAction.ADMIN, object_type="user", object_id=user.pk,
                     detail={"op": "create", "username": username, "agency": agency_code, "roles": role_list})
    return user


def list_users(*, actor: Actor) -> QuerySet[User]:
    """All accounts with agency and roles, for administrators."""
    _require_admin(actor)
    return User.objects.select_related("agency").order_by("username")


def set_roles(*, actor: Actor, user_id: int, roles: Sequence[str]) -> User:
    _require_admin(actor)
    role_list = _check_roles(roles)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound("Der Benutzer wurde nicht gefunden.")
    with transaction.atomic():
        RoleAssignment.objects.filter(user=user).delete()
        RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=r) for r in role_list])
        audit.record(actor, AuditAction.ADMIN, object_type="user", object_id=user.pk,
                     detail={"op": "set_roles", "roles": role_list})
    user._role_cache = None  # type: ignore[attr-defined,assignment]
    return user


def set_active(*, actor: Actor, user_id: int, active: bool) -> User:
    _require_admin(actor)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound("Der Benutzer wurde nicht gefunden.")
    if actor.user_id == user.pk and not active:
        raise InvalidInput({"active": "Sie können Ihr eigenes Konto nicht sperren."})
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=active)
        if not active:
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit.record(actor, AuditAction.ADMIN, object_type="user", object_id=user.pk,
                     detail={"op": "activate" if active else "deactivate"})
    user.refresh_from_db()
    return user


def issue_token(*, user: User) -> tuple[ApiToken, str]:
    """A new bearer token for an authenticated user; the raw value is returned once."""
    with transaction.atomic():
        token, raw = ApiToken.issue(user)
        audit.record(Actor.for_user(user), AuditAction.TOKEN, object_type="token", object_id=token.pk,
                     detail={"op": "issue", "prefix": token.prefix})
    return token, raw


def user_for_token(raw: str) -> User | None:
    token = ApiToken.objects.select_related("user", "user__agency").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.is_valid or not token.user.is_active:
        return None
    return token.user


def revoke_token(*, actor: Actor, raw: str) -> None:
    """Revoke the presented token (logout of an API client)."""
    with transaction.atomic():
        count = ApiToken.objects.filter(key_hash=hash_token(raw), user_id=actor.user_id or 0,
                                        revoked_at__isnull=True).update(revoked_at=timezone.now())
        if not count:
            raise NotFound("Das Token wurde nicht gefunden.")
        audit.record(actor, AuditAction.TOKEN, object_type="token", detail={"op": "revoke"})
