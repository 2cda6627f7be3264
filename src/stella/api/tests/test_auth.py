"""Token flow: password → bearer token, throttling, revoked/expired/locked tokens, the purpose header."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stella.accounts.models import ApiToken
from stella.accounts.services import set_active
from stella.api.tests.conftest import ApiClient, problem, token_for
from stella.audit.models import AuditAction, AuditEvent
from stella.core.actor import Actor
from stella.tests.factories import PASSWORD, register


def _token(client: ApiClient, username: str, password: str, form: bool = False):
    if form:
        return client.client.post("/api/v1/auth/token", {"username": username, "password": password})
    return client.post("/auth/token", {"username": username, "password": password})


@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
def test_good_password_gives_a_working_token(make_user, anonymous, form):
    user = make_user("JC", "caseworker")
    response = _token(anonymous, user.username, PASSWORD, form=form)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_at"]
    # Only the hash is stored.
    assert not ApiToken.objects.filter(key_hash=body["access_token"]).exists()
    me = ApiClient(body["access_token"]).get("/me")
    assert me.status_code == 200 and me.json()["username"] == user.username
    assert AuditEvent.objects.filter(user_id=user.pk, action=AuditAction.TOKEN).exists()


def test_wrong_password_is_401_and_audited(make_user, anonymous):
    user = make_user("JC", "caseworker")
    body = problem(_token(anonymous, user.username, "falsch-falsch"), 401)
    assert body["detail"] == "Benutzername oder Passwort ist falsch."
    assert AuditEvent.objects.filter(username=user.username, action=AuditAction.LOGIN_FAILED).exists()
    problem(_token(anonymous, "niemand", "egal-egal-egal"), 401)


def test_missing_credentials_are_field_errors(anonymous):
    body = problem(anonymous.post("/auth/token", {"username": "x", "passwort": "y"}), 422)
    assert {e["field"] for e in body["errors"]} == {"password", "passwort"}


def test_repeated_failures_lock_the_login(make_user, anonymous, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user("JC", "caseworker")
    statuses = [_token(anonymous, user.username, f"falsch-{i}").status_code for i in range(3)]
    assert statuses == [401, 401, 429]
    response = _token(anonymous, user.username, PASSWORD)  # even the right password
    assert "gesperrt" in problem(response, 429)["detail"]
    assert int(response["Retry-After"]) == 15 * 60


@pytest.mark.parametrize("header", [None, "Bearer falsch", "Basic abc"])
def test_requests_without_valid_token_are_401(db, header):
    client = ApiClient()
    if header:
        client.headers["Authorization"] = header
    response = client.get("/me")
    problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_401(make_user):
    client = ApiClient(token_for(make_user("JC", "caseworker")))
    assert client.post("/auth/revoke").status_code == 200
    problem(client.get("/me"), 401)
    problem(client.post("/auth/revoke"), 401)


def test_expired_token_is_401(make_user):
    user = make_user("JC", "caseworker")
    client = ApiClient(token_for(user))
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    problem(client.get("/me"), 401)


def test_locked_account_loses_its_tokens(make_user):
    admin, user = make_user("JC", "admin"), make_user("JC", "caseworker")
    client = ApiClient(token_for(user))
    set_active(actor=Actor.for_user(admin), user_id=user.pk, active=False)
    problem(client.get("/me"), 401)
    problem(_token(ApiClient(), user.username, PASSWORD), 401)


def test_purpose_header_is_audited(make_user, as_user):
    user = make_user("JC", "caseworker")
    person = register(user)
    assert as_user(user, purpose="Beratung §16 SGB II").get(f"/persons/{person.pk}").status_code == 200
    event = AuditEvent.objects.filter(person_id=person.pk, action=AuditAction.READ).latest("seq")
    assert event.purpose == "Beratung §16 SGB II"


def test_a_successful_login_resets_the_failure_count(make_user, anonymous, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user("JC", "caseworker")
    for _ in range(2):
        _token(anonymous, user.username, "falsch-falsch")
    assert _token(anonymous, user.username, PASSWORD).status_code == 200
    assert [_token(anonymous, user.username, "falsch-falsch").status_code for _ in range(2)] == [401, 401]
