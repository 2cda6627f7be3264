"""Login, logout, lockout after repeated failures, and pages that need a login."""

from __future__ import annotations

import pytest
from django.test import Client

from stella.audit.models import AuditAction, AuditEvent
from stella.tests.factories import PASSWORD
from stella.web.tests.a11y import problems

pytestmark = pytest.mark.django_db


def test_login_page_is_german_and_accessible(client: Client) -> None:
    r = client.get("/login/")
    html = r.content.decode()
    assert r.status_code == 200
    assert '<html lang="de">' in html
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert 'autocomplete="current-password"' in html
    assert problems(html) == []


def test_login_and_logout(client: Client, jc) -> None:
    r = client.post("/login/", {"username": "jc-fall", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, username="jc-fall").exists()
    assert client.get("/logout/").status_code == 405  # logging out needs a POST (CSRF-protected)
    r = client.post("/logout/")
    assert r.status_code == 302 and r["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_wrong_password_shows_error_summary(client: Client, jc) -> None:
    r = client.post("/login/", {"username": "jc-fall", "password": "falsch"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "Bitte prüfen Sie Ihre Eingaben" in html
    assert "Benutzername oder Passwort ist falsch" in html
    assert "<title>Fehler: Anmelden" in html


def test_lockout_after_repeated_failures(client: Client, jc) -> None:
    for _ in range(5):
        r = client.post("/login/", {"username": "jc-fall", "password": "falsch"})
    r = client.post("/login/", {"username": "jc-fall", "password": PASSWORD})
    html = r.content.decode()
    assert r.status_code == 429
    assert "Anmeldung vorübergehend gesperrt" in html
    assert "15 Minuten" in html
    assert problems(html) == []


@pytest.mark.parametrize("url", ["/", "/suche/", "/personen/neu/", "/personen/1/", "/protokoll/",
                                 "/verwaltung/benutzer/"])
def test_pages_need_login(client: Client, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 302
    assert r["Location"].startswith("/login/?next=")
