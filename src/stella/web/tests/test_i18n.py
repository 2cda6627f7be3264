"""German by default, English after the language switch; names in Arabic script right-to-left."""

from __future__ import annotations

import pytest
from django.utils import translation

from stella.web.labels import translate_message
from stella.web.tests.a11y import problems

pytestmark = pytest.mark.django_db


def test_german_by_default(login, jc) -> None:
    html = login(jc).get("/").content.decode()
    assert '<html lang="de">' in html and "Meine Fälle" in html
    assert 'value="en" lang="en"' in html  # the switch names each language in its own language


def test_switch_to_english_and_back(login, jc, person, health_note) -> None:
    c = login(jc)
    r = c.post("/i18n/setlang/", {"language": "en", "next": f"/personen/{person.pk}/"})
    assert r.status_code == 302 and r["Location"] == f"/personen/{person.pk}/"
    html = c.get(f"/personen/{person.pk}/").content.decode()
    assert '<html lang="en">' in html
    for text in ("My cases", "Person search", "Timeline", "Date of birth", "Health", "Counselling notes",
                 "Add note", "Log out", "Syria"):
        assert text in html, text
    assert problems(html) == []
    html = c.get(f"/personen/{person.pk}/bereich/health/").content.decode()
    assert "No access:" in html
    assert "Your agency has no legal basis or valid consent for the section “Health”." in html
    html = c.get("/suche/", {"name": ""}).content.decode()
    assert "Please give a name, date of birth or identifier." in html
    html = c.get("/personen/neu/").content.decode()
    assert "Family name" in html and "Precision of the date of birth" in html
    c.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert '<html lang="de">' in c.get("/").content.decode()


def test_english_form_errors(login, jc) -> None:
    c = login(jc)
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = c.post("/personen/neu/", {"family_name": "X", "sex": "u", "birth_date": "31.02.1990",
                                     "accommodation": "vu"}).content.decode()
    assert "Please check your input" in html
    assert "“31.02.1990” is not a valid date: month 2 of 1990 has 28 days." in html


def test_login_page_in_english(client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    html = client.get("/login/").content.decode()
    assert '<html lang="en">' in html and "Log in" in html


@pytest.mark.parametrize(("german", "english"), [
    ("Ihre Rolle darf den Bereich „Leistungen“ nicht lesen.", "Your role may not read the section “Benefits”."),
    ("Die Datei ist zu groß (höchstens 10 MB).", "The file is too large (at most 10 MB)."),
    ("Ungültige AZR-Nummer: erwartet 12 Ziffern (Ausländerzentralregister), z. B. 123456789012.",
     "Invalid AZR number: expected 12 digits (Central Register of Foreigners), e.g. 123456789012."),
    ("Eine Meldung, die niemand kennt.", "Eine Meldung, die niemand kennt."),
])
def test_service_messages_are_translated(german, english) -> None:
    with translation.override("en"):
        assert translate_message(german) == english
    with translation.override("de"):
        assert translate_message(german) == german


def test_arabic_names_right_to_left_in_search_results(login, jc, person) -> None:
    html = login(jc).get("/suche/", {"name": "Hassan"}).content.decode()
    assert 'dir="rtl" lang="und-Arab"' in html and "الحسن، محمد" in html
    # Latin names are isolated too, so that mixed lists do not reorder.
    assert '<bdi class="name ">Al-Hassan, Mohammed</bdi>' in html


def test_german_even_for_an_english_browser_until_the_user_switches(client) -> None:
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Anmelden" in page and 'lang="de"' in page
    client.cookies["django_language"] = "en"
    assert 'lang="en"' in client.get("/login/").content.decode()
