"""'Meine Fälle', person search and registration with the duplicate warning and bad input."""

from __future__ import annotations

from datetime import date

import pytest

from stella.audit.models import AuditAction, AuditEvent
from stella.cases.models import Participation
from stella.people.models import Person
from stella.tests.factories import register
from stella.web.tests.a11y import problems

pytestmark = pytest.mark.django_db


# --- Meine Fälle ------------------------------------------------------------------------------------------------


def test_my_cases_lists_files_of_my_agency(login, jc, person) -> None:
    r = login(jc).get("/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "Meine Fälle" in html and "Al-Hassan, Mohammed" in html
    assert f'href="/personen/{person.pk}/"' in html
    assert "Letzte Aktivität" in html
    assert problems(html) == []


def test_my_cases_is_paginated(login, jc) -> None:
    for i in range(27):
        register(jc, family=f"Person{i}", given="Test", birth=date(1980, 1, 2))
    c = login(jc)
    first = c.get("/").content.decode()
    assert "Seite 1 von 2" in first and "27 Fallakten" in first
    second = c.get("/?seite=2").content.decode()
    assert "Seite 2 von 2" in second


def test_other_agency_has_no_cases(login, make_user, person) -> None:
    aa = make_user("AA", "caseworker")
    html = login(aa).get("/").content.decode()
    assert "Al-Hassan" not in html
    assert "an keiner Fallakte beteiligt" in html


@pytest.mark.parametrize("role", ["analyst", "admin", "dpo"])
def test_roles_without_case_access_see_no_person_on_home(login, make_user, person, role) -> None:
    html = login(make_user("JC", role)).get("/").content.decode()
    assert "Ihre Rolle hat keinen Zugriff auf Personendaten." in html
    assert "Al-Hassan" not in html


# --- Search -----------------------------------------------------------------------------------------------------


def test_search_finds_spelling_variant(login, jc, person) -> None:
    r = login(jc).get("/suche/", {"name": "Muhammad Alhasan"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "1 Treffer" in html
    assert f'href="/personen/{person.pk}/"' in html
    assert problems(html) == []


def test_search_in_arabic_script(login, jc, person) -> None:
    html = login(jc).get("/suche/", {"name": "محمد الحسن"}).content.decode()
    assert f'href="/personen/{person.pk}/"' in html


def test_search_by_identifier_and_birth_date(login, jc, person) -> None:
    c = login(jc)
    assert f"/personen/{person.pk}/" in c.get("/suche/", {"identifier": "1234 5678 9012"}).content.decode()
    assert f"/personen/{person.pk}/" in c.get("/suche/", {"birth_date": "17.05.1990"}).content.decode()
    assert "0 Treffer" in c.get("/suche/", {"birth_date": "18.05.1990"}).content.decode()


def test_first_visit_shows_no_error(login, jc) -> None:
    html = login(jc).get("/suche/").content.decode()
    assert "Bitte prüfen Sie Ihre Eingaben" not in html


def test_empty_search_gets_clear_message(login, jc) -> None:
    html = login(jc).get("/suche/", {"name": "", "birth_date": "", "identifier": ""}).content.decode()
    assert "Bitte Name, Geburtsdatum oder Kennung angeben." in html
    assert 'aria-invalid="true"' in html
    assert 'href="#id_name"' in html  # the error summary links to the field


def test_search_with_impossible_birth_date(login, jc) -> None:
    html = login(jc).get("/suche/", {"birth_date": "31.02.1990"}).content.decode()
    assert "„31.02.1990“ ist kein gültiges Datum: der 2. Monat des Jahres 1990 hat 28 Tage." in html
    assert "Treffer" not in html


def test_search_is_audited(login, jc, person) -> None:
    before = AuditEvent.objects.filter(action=AuditAction.SEARCH).count()
    login(jc).get("/suche/", {"name": "Hassan"})
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH).count() == before + 1


@pytest.mark.parametrize("role", ["analyst", "admin", "dpo"])
def test_search_refused_for_roles_without_case_access(login, make_user, person, role) -> None:
    r = login(make_user("JC", role)).get("/suche/", {"name": "Hassan"})
    assert r.status_code == 403
    html = r.content.decode()
    assert "Kein Zugriff:" in html and "Ihre Rolle hat keinen Zugriff auf Personendaten." in html
    assert "Al-Hassan" not in html


# --- Registration ----------------------------------------------------------------------------------------------


def _data(**overrides: str) -> dict[str, str]:
    data = {
        "family_name": "Haidari", "given_names": "Zahra", "original_family_name": "حیدری",
        "original_given_names": "زهرا", "sex": "f", "birth_date": "03.04.1995", "birth_date_precision": "",
        "birth_place": "Herat", "birth_country": "AFG", "nationality": "AFG", "language": "prs",
        "language_level": "MT", "identifier_kind": "azr", "identifier_value": "2109 8765 4321",
        "municipality": "Ludwigsburg", "postcode": "71634", "street": "Schillerstraße 1", "accommodation": "vu",
        "address_from": "",
    }
    data.update(overrides)
    return data


def test_register_page_is_accessible(login, jc) -> None:
    r = login(jc).get("/personen/neu/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "Ein eingetragener 1. Januar ohne Angabe der Genauigkeit gilt als Platzhalter" in html
    assert '<option value="SYR">Syrien</option>' in html
    assert problems(html) == []


def test_register_creates_person_with_file(login, jc) -> None:
    c = login(jc)
    r = c.post("/personen/neu/", _data())
    person = Person.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/personen/{person.pk}/"
    assert person.birth_date == date(1995, 4, 3) and person.birth_date_precision == "exact"
    assert [n.family_name for n in person.names.all()] == ["Haidari", "حیدری"]
    assert person.names.get(kind="original").is_rtl
    assert list(person.nationalities.values_list("country", flat=True)) == ["AFG"]
    assert list(person.languages.values_list("language", "level")) == [("prs", "MT")]
    assert list(person.identifiers.values_list("value", flat=True)) == ["210987654321"]
    assert person.addresses.get().municipality == "Ludwigsburg"
    assert Participation.objects.get(case_file__person=person).role == "lead"
    html = c.get(r["Location"]).content.decode()
    assert "Die Person wurde registriert." in html
    assert '<bdi dir="rtl" lang="und-Arab" class="name name-rtl ">حیدری، زهرا</bdi>' in html


@pytest.mark.parametrize(("typed", "precision", "stored", "expected"), [
    ("1995", "", date(1995, 1, 1), "year"),
    ("04.1995", "", date(1995, 4, 1), "month"),
    ("01.01.1995", "", date(1995, 1, 1), "year"),      # 1 January without precision: a placeholder
    ("01.01.1995", "exact", date(1995, 1, 1), "exact"),  # … unless the user says it is exact
    ("", "", None, "unknown"),
])
def test_birth_date_precision(login, jc, typed, precision, stored, expected) -> None:
    r = login(jc).post("/personen/neu/", _data(birth_date=typed, birth_date_precision=precision))
    assert r.status_code == 302, r.content.decode()
    person = Person.objects.get()
    assert (person.birth_date, person.birth_date_precision) == (stored, expected)


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"birth_date": "31.02.1995"}, "birth_date", "der 2. Monat des Jahres 1995 hat 28 Tage"),
    ({"birth_date": "12.13.1995"}, "birth_date", "einen 13. Monat gibt es nicht"),
    ({"birth_date": "gestern"}, "birth_date", "ist kein Geburtsdatum"),
    ({"birth_date": "01.01.2999"}, "birth_date", "Das Geburtsdatum liegt in der Zukunft."),
    ({"birth_date": "01.01.1850"}, "birth_date", "Das Geburtsdatum liegt vor 1900."),
    ({"birth_date": "1995", "birth_date_precision": "exact"}, "birth_date", "fehlt ein Teil des Datums"),
    ({"identifier_value": "12345"}, "identifier_value", "Ungültige AZR-Nummer: erwartet 12 Ziffern"),
    ({"identifier_kind": "", "identifier_value": "123456789012"}, "identifier_kind", "Bitte die Art der Kennung"),
    ({"family_name": ""}, "family_name", "Dieses Feld ist zwingend erforderlich."),
    ({"postcode": "7163"}, "postcode", "Die Postleitzahl hat fünf Ziffern."),
    ({"language_level": ""}, "language_level", "Bitte das Sprachniveau angeben."),
    ({"nationality": "XYZ"}, "nationality", "ist keine gültige Auswahl"),
    ({"sex": "x"}, "sex", "ist keine gültige Auswahl"),
])
def test_bad_input_is_refused_and_nothing_written(login, jc, overrides, field, message) -> None:
    r = login(jc).post("/personen/neu/", _data(**overrides))
    html = r.content.decode()
    assert r.status_code == 200
    assert message in html
    assert f'href="#id_{field}"' in html
    assert f'id="id_{field}_error"' in html
    assert Person.objects.count() == 0
    assert problems(html) == []


def test_identifier_of_another_person_is_refused(login, jc, person) -> None:
    html = login(jc).post("/personen/neu/", _data(identifier_value="123456789012")).content.decode()
    assert "Diese Kennung ist bereits einer anderen Person zugeordnet." in html
    assert Person.objects.count() == 1


def test_duplicate_warning_then_confirm(login, jc, person) -> None:
    c = login(jc)
    # The warning comes from the duplicate model (issue 6): a man from Syria, not a woman from Afghanistan.
    data = _data(family_name="Al Hassan", given_names="Muhammad", birth_date="1990", original_family_name="",
                 original_given_names="", identifier_value="", identifier_kind="", sex="m", nationality="SYR",
                 birth_place="")
    r = c.post("/personen/neu/", data)
    html = r.content.decode()
    assert r.status_code == 200
    assert "Möglicherweise bereits registriert" in html
    assert f'href="/personen/{person.pk}/"' in html
    assert "Trotzdem anlegen" in html
    assert 'value="Al Hassan"' in html  # the input is kept
    assert Person.objects.count() == 1
    token = r.context["form"]["dup_token"].value()
    assert token
    # A forged or stale confirmation warns again.
    r = c.post("/personen/neu/", {**data, "confirm": "1", "dup_token": "x"})
    assert "Möglicherweise bereits registriert" in r.content.decode() and Person.objects.count() == 1
    r = c.post("/personen/neu/", {**data, "confirm": "1", "dup_token": token})
    assert r.status_code == 302
    assert Person.objects.count() == 2


@pytest.mark.parametrize(("kind", "role"), [("KT", "caseworker"), ("JC", "benefits"), ("JC", "analyst")])
def test_register_refused_without_permission(login, make_user, kind, role) -> None:
    r = login(make_user(kind, role)).post("/personen/neu/", _data())
    assert r.status_code == 403
    assert "Kein Zugriff:" in r.content.decode()
    assert Person.objects.count() == 0


def test_search_says_more_than_the_cap(login, jc, person, monkeypatch) -> None:
    from stella.people import services as people

    for given in ("Amal", "Sami"):
        register(jc, given=given)
    monkeypatch.setattr(people, "SEARCH_COUNT_CAP", 2)
    html = login(jc).get("/suche/", {"name": "Hassan"}).content.decode()
    assert "Mehr als 2 Treffer" in html
