"""The data-protection officer's audit view, chain verification and Art. 15 export; user management."""

from __future__ import annotations

import json

import pytest

from stella.accounts.models import User
from stella.audit.models import AuditAction, AuditEvent
from stella.tests.factories import PASSWORD
from stella.web.tests.a11y import problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo(make_user):
    return make_user("LRA", "dpo", username="dsb")


@pytest.fixture
def admin(make_user):
    return make_user("LRA", "admin", username="verwalter")


# --- Audit ---------------------------------------------------------------------------------------------------------


def test_audit_view_per_person_shows_the_read(login, jc, person, dpo) -> None:
    login(jc).get(f"/personen/{person.pk}/")
    r = login(dpo).get("/protokoll/", {"person": person.pk})
    html = r.content.decode()
    assert r.status_code == 200
    assert "jc-fall" in html and "Lesen" in html and "file" in html
    assert "Auskunft herunterladen (JSON)" in html
    assert problems(html) == []


def test_audit_view_per_user_and_dates(login, jc, person, dpo, make_user) -> None:
    other = make_user("AA", "caseworker", username="aa-fall")
    login(other).get("/suche/", {"name": "Hassan"})
    login(jc).get(f"/personen/{person.pk}/")
    html = login(dpo).get("/protokoll/", {"username": "aa-fall"}).content.decode()
    assert "aa-fall" in html and ">jc-fall<" not in html
    assert "Suche" in html
    assert "Auskunft herunterladen" not in html  # only offered for one person


def test_audit_view_shows_refusals(login, make_user, person, dpo) -> None:
    kt = make_user("KT", "caseworker", username="kurs")
    login(kt).get(f"/personen/{person.pk}/")
    html = login(dpo).get("/protokoll/", {"username": "kurs", "outcome": "denied"}).content.decode()
    assert "verweigert" in html
    assert "Ihre Behörde sieht nur Personen, an deren Fallakte sie beteiligt ist." in html


def test_audit_filter_bad_input(login, dpo) -> None:
    html = login(dpo).get("/protokoll/", {"date_from": "32.01.2024", "date_to": "", "person": "abc"}).content.decode()
    assert "ist kein gültiges Datum" in html
    assert 'href="#id_person"' in html
    html = login(dpo).get("/protokoll/", {"date_from": "02.01.2024", "date_to": "01.01.2024"}).content.decode()
    assert "„Bis“ liegt vor „Von“." in html


def test_reading_the_audit_trail_is_audited(login, dpo, person) -> None:
    login(dpo).get("/protokoll/", {"person": person.pk})
    assert AuditEvent.objects.filter(username="dsb", object_type="audit_log", person_id=person.pk).exists()


def test_verify_chain(login, dpo, jc, person) -> None:
    c = login(dpo)
    assert c.get("/protokoll/pruefen/").status_code == 405
    r = c.post("/protokoll/pruefen/", {"person": person.pk})
    assert r.status_code == 302 and r["Location"] == f"/protokoll/?person={person.pk}"
    html = c.get(r["Location"]).content.decode()
    assert "Protokollkette geprüft:" in html and "keine Veränderung gefunden" in html


def test_art15_export(login, dpo, jc, person) -> None:
    login(jc).get(f"/personen/{person.pk}/")
    r = login(dpo).post("/protokoll/auskunft/", {"person": person.pk})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/json")
    assert f'filename="auskunft-person-{person.pk}-' in r["Content-Disposition"]
    data = json.loads(r.content)
    assert data["person_id"] == person.pk
    assert data["sections"]["identity"]["birth_place"] == "Aleppo"
    assert any(e["username"] == "jc-fall" for e in data["access_log"])
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, person_id=person.pk, username="dsb").exists()


def test_art15_export_of_unknown_person(login, dpo) -> None:
    c = login(dpo)
    r = c.post("/protokoll/auskunft/", {"person": "999999"})
    assert r.status_code == 302
    assert "Die Person wurde nicht gefunden." in c.get(r["Location"]).content.decode()
    r = c.post("/protokoll/auskunft/", {"person": "abc"})
    assert "Bitte eine Personen-Nr. angeben." in c.get(r["Location"]).content.decode()


@pytest.mark.parametrize(("kind", "role"), [("JC", "caseworker"), ("JC", "admin"), ("JC", "analyst")])
def test_audit_is_for_the_dpo_only(login, make_user, person, kind, role) -> None:
    c = login(make_user(kind, role))
    r = c.get("/protokoll/")
    assert r.status_code == 403
    assert "Nur Datenschutzbeauftragte sehen das Protokoll." in r.content.decode()
    assert c.post("/protokoll/auskunft/", {"person": person.pk}).status_code == 403
    assert c.post("/protokoll/pruefen/").status_code == 403


def test_dpo_navigation(login, dpo) -> None:
    html = login(dpo).get("/").content.decode()
    assert 'href="/protokoll/"' in html
    assert 'href="/suche/"' not in html and 'href="/verwaltung/benutzer/"' not in html


# --- User management ------------------------------------------------------------------------------------------


def test_user_list(login, admin, jc) -> None:
    r = login(admin).get("/verwaltung/benutzer/")
    html = r.content.decode()
    assert r.status_code == 200 and "jc-fall" in html and "Fallbearbeitung" in html
    assert problems(html) == []
    assert "jc-fall" not in login(admin).get("/verwaltung/benutzer/", {"q": "verwalter"}).content.decode()


def test_create_user(login, admin, district) -> None:
    c = login(admin)
    assert problems(c.get("/verwaltung/benutzer/neu/").content.decode()) == []
    r = c.post("/verwaltung/benutzer/neu/", {
        "username": "neu-abh", "first_name": "Lena", "last_name": "Weber", "email": "", "agency": "ABH-LB",
        "team": "", "roles": ["caseworker", "registration"], "password1": PASSWORD, "password2": PASSWORD})
    user = User.objects.get(username="neu-abh")
    assert r.status_code == 302 and r["Location"] == f"/verwaltung/benutzer/{user.pk}/"
    assert user.agency.code == "ABH-LB" and sorted(user.role_codes()) == ["caseworker", "registration"]
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"password1": "123", "password2": "123"}, "password1", "Dieses Passwort ist zu kurz"),
    ({"password2": "anders-als-vorher-1"}, "password2", "Die beiden Passwörter stimmen nicht überein."),
    ({"roles": []}, "roles", "Dieses Feld ist zwingend erforderlich."),
    ({"roles": ["superuser"]}, "roles", "ist keine gültige Auswahl"),
    ({"agency": "XX-NIRGENDS"}, "agency", "ist keine gültige Auswahl"),
    ({"username": "jc-fall"}, "username", "Dieser Benutzername ist bereits vergeben."),
])
def test_create_user_bad_input(login, admin, jc, district, data, field, message) -> None:
    payload = {"username": "neu", "first_name": "", "last_name": "", "email": "", "agency": "JC-LB", "team": "",
               "roles": ["caseworker"], "password1": PASSWORD, "password2": PASSWORD, **data}
    before = User.objects.count()
    r = login(admin).post("/verwaltung/benutzer/neu/", payload)
    html = r.content.decode()
    assert r.status_code == 200 and message in html and f'href="#id_{field}' in html
    assert User.objects.count() == before


def test_change_roles_and_lock(login, admin, jc) -> None:
    c = login(admin)
    html = c.get(f"/verwaltung/benutzer/{jc.pk}/").content.decode()
    assert problems(html) == []
    r = c.post(f"/verwaltung/benutzer/{jc.pk}/", {"op": "roles", "roles": ["team_lead"]})
    assert r.status_code == 302
    assert User.objects.get(pk=jc.pk).role_codes() == ["team_lead"]
    r = c.post(f"/verwaltung/benutzer/{jc.pk}/", {"op": "roles", "roles": []})
    assert "Dieses Feld ist zwingend erforderlich." in r.content.decode()
    assert c.post(f"/verwaltung/benutzer/{jc.pk}/", {"op": "deactivate"}).status_code == 302
    assert not User.objects.get(pk=jc.pk).is_active
    assert "gesperrt" in c.get(f"/verwaltung/benutzer/{jc.pk}/").content.decode()
    assert c.post(f"/verwaltung/benutzer/{jc.pk}/", {"op": "activate"}).status_code == 302
    assert User.objects.get(pk=jc.pk).is_active


def test_admin_cannot_lock_own_account(login, admin) -> None:
    r = login(admin).post(f"/verwaltung/benutzer/{admin.pk}/", {"op": "deactivate"})
    assert "Sie können Ihr eigenes Konto nicht sperren." in r.content.decode()
    assert User.objects.get(pk=admin.pk).is_active


def test_unknown_user_404(login, admin) -> None:
    assert login(admin).get("/verwaltung/benutzer/999999/").status_code == 404


@pytest.mark.parametrize("role", ["caseworker", "dpo", "analyst"])
def test_user_management_is_for_admins_only(login, make_user, jc, role) -> None:
    c = login(make_user("JC", role))
    assert c.get("/verwaltung/benutzer/").status_code == 403
    assert c.post(f"/verwaltung/benutzer/{jc.pk}/", {"op": "deactivate"}).status_code == 403
    assert User.objects.get(pk=jc.pk).is_active
