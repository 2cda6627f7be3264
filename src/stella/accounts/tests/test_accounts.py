"""User management, password hashing, API tokens, login audit and the createuser command."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.utils import timezone

from stella.accounts import services
from stella.accounts.models import ApiToken, User
from stella.audit.models import AuditEvent
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput
from stella.tests.factories import PASSWORD


@pytest.fixture
def admin(make_user):
    return make_user("JC", "admin")


@pytest.mark.argon2
def test_admin_creates_user_with_roles_and_argon2_hash(admin, district):
    user = services.create_user(actor=Actor.for_user(admin), username="neu.jc", password="ein-Sicheres-Passwort-7",
                                agency_code="JC-LB", roles=["caseworker", "team_lead"])
    assert user.password.startswith("argon2")
    assert user.role_codes() == ["caseworker", "team_lead"]
    assert AuditEvent.objects.filter(action="admin", object_id=str(user.pk)).exists()


@pytest.mark.parametrize("kwargs,field", [
    ({"agency_code": "XX-1"}, "agency"), ({"roles": ["king"]}, "roles"), ({"roles": []}, "roles"),
    ({"password": "123"}, "password"), ({"username": " "}, "username"),
])
def test_bad_user_input_is_refused(admin, kwargs, field):
    args = {"username": "neu", "password": "ein-Sicheres-Passwort-7", "agency_code": "JC-LB", "roles": ["caseworker"]}
    args.update(kwargs)
    with pytest.raises(InvalidInput) as exc:
        services.create_user(actor=Actor.for_user(admin), **args)
    assert field in exc.value.field_errors
    assert not User.objects.filter(username="neu").exists()


def test_only_admins_manage_users(make_user):
    lead = make_user("JC", "team_lead")
    with pytest.raises(AccessDenied):
        services.create_user(actor=Actor.for_user(lead), username="x", password="ein-Sicheres-Passwort-7",
                             agency_code="JC-LB", roles=["caseworker"])
    with pytest.raises(AccessDenied):
        services.set_roles(actor=Actor.for_user(lead), user_id=lead.pk, roles=["admin"])


def test_set_roles_and_deactivate_revokes_tokens(admin, make_user):
    user = make_user("JC", "caseworker")
    services.set_roles(actor=Actor.for_user(admin), user_id=user.pk, roles=["benefits"])
    assert User.objects.get(pk=user.pk).role_codes() == ["benefits"]
    _, raw = services.issue_token(user=user)
    services.set_active(actor=Actor.for_user(admin), user_id=user.pk, active=False)
    assert services.user_for_token(raw) is None
    with pytest.raises(InvalidInput):
        services.set_active(actor=Actor.for_user(admin), user_id=admin.pk, active=False)


def test_tokens_are_hashed_expire_and_can_be_revoked(make_user):
    user = make_user("JC", "caseworker")
    token, raw = services.issue_token(user=user)
    assert raw not in token.key_hash and services.user_for_token(raw) == user
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.user_for_token(raw) is None
    _, raw2 = services.issue_token(user=user)
    services.revoke_token(actor=Actor.for_user(user), raw=raw2)
    assert services.user_for_token(raw2) is None
    assert services.user_for_token("nonsense") is None


def test_logins_and_failures_are_audited_and_throttled(make_user, settings):
    user = make_user("JC", "caseworker")
    request = RequestFactory().post("/login/")
    request.META["REMOTE_ADDR"] = "127.0.0.9"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert authenticate(request=request, username=user.username, password="wrong") is None
    assert AuditEvent.objects.filter(action="login_failed", username=user.username).count() == settings.AXES_FAILURE_LIMIT
    # locked out now, even with the right password
    assert authenticate(request=request, username=user.username, password=PASSWORD) is None


def test_createuser_command(district, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("ein-Sicheres-Passwort-7\n"))
    call_command("createuser", "cli.user", agency="LRA-LB", roles=["benefits"], password_stdin=True,
                 stdout=io.StringIO())
    assert User.objects.get(username="cli.user").role_codes() == ["benefits"]


def test_createuser_command_bad_agency(district, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("ein-Sicheres-Passwort-7\n"))
    with pytest.raises(CommandError, match="Unbekannte Behörde"):
        call_command("createuser", "cli.user", agency="NOPE", roles=["benefits"], password_stdin=True)
