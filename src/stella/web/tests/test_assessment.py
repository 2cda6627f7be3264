"""The file's tab "Rechtliche Einschätzung": tab, cards with flags, Stichtag and overrides (GET form),
German form errors, refusals per answer, missing inputs, English UI."""

from __future__ import annotations

import re
from datetime import date

import pytest

from stella.audit.models import AuditEvent
from stella.cases import services as cases
from stella.cases.access import today
from stella.core.actor import Actor
from stella.journey.tests.assessment_fixtures import syrian_asylum_seeker
from stella.rules import BenefitInput, RegimeInputs, benefit
from stella.web.tests.a11y import problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def asylum_seeker(jc):
    return syrian_asylum_seeker(jc)


def url(person) -> str:
    return f"/personen/{person.pk}/rechtliche-einschaetzung/"


def page(client, person, **params):
    response = client.get(url(person), params)
    return response, response.content.decode()


def test_tab_in_the_file_after_the_categories(login, jc, asylum_seeker) -> None:
    html = login(jc).get(f"/personen/{asylum_seeker.pk}/").content.decode()
    tabs = re.findall(r'class="tab[^"]*"[^>]*>([^<]+)<', html)
    assert tabs.index("Rechtliche Einschätzung") == tabs.index("Beratungsvermerke") + 1
    assert f'<a href="{url(asylum_seeker)}" class="tab">Rechtliche Einschätzung</a>' in html


def test_tab_is_locked_without_residence_or_benefits_access(login, make_user, asylum_seeker) -> None:
    abh = make_user("ABH", "caseworker")  # finds anyone, takes no part in this file
    html = login(abh).get(f"/personen/{asylum_seeker.pk}/").content.decode()
    assert f'<a href="{url(asylum_seeker)}" class="tab tab-locked">Rechtliche Einschätzung<svg' in html


def test_page_shows_cards_with_outcome_basis_version_and_flags(login, jc, asylum_seeker) -> None:
    response, html = page(login(jc), asylum_seeker, stichtag="01.03.2016")
    assert response.status_code == 200
    assert problems(html) == []
    assert 'aria-current="page">Rechtliche Einschätzung</a>' in html
    assert "Einschätzung zum 01.03.2016" in html
    for heading in ("Arbeitsmarktzugang", "Leistungen", "Integrationskurs", "Beschäftigung", "Berufsausbildung",
                    "Praktikum", "Selbständigkeit"):
        assert re.search(rf"<h[45][^>]*>{heading}</h[45]>", html), heading
    assert "Erlaubnis der Ausländerbehörde und Zustimmung der BA nötig" in html
    assert "§61 Abs. 2 AsylG, §32 BeschV" in html
    assert "<dd>2026.2, 01.03.2016</dd>" in html
    # Self-employment with a Gestattung: a ban derived from the statute, flagged and explained.
    self_employment = html[html.index('id="antwort-self_employment"'):html.index('id="card-benefit"')]
    assert "<strong>Nicht erlaubt</strong>" in self_employment
    assert '<span class="badge badge-flag">ungeprüft</span>' in self_employment
    assert '<span class="badge badge-flag">Auslegung</span>' in self_employment
    assert "Verbot abgeleitet, weil §61 AsylG nur „Beschäftigung“ erlaubt" in self_employment
    expected = benefit(BenefitInput(date(2016, 3, 1), RegimeInputs("gestattung", entry_date=date(2015, 9, 3)), 25,
                                    "collective_housing"))
    benefit_card = html[html.index('id="card-benefit"'):html.index('id="card-course"')]
    assert "<dt>Rechtskreis</dt><dd>AsylbLG §3 (Grundleistungen)</dd>" in benefit_card
    assert "<dt>Regelbedarfsstufe</dt><dd>1 " in benefit_card
    assert f"{expected.details['amount_eur']} € im Monat" in benefit_card
    assert "Zulassung möglich, soweit Plätze frei sind" in html
    # Inputs with their provenance.
    assert "aus Dokument Aufenthaltsgestattung vom 03.09.2015, gültig bis 02.09.2017" in html
    assert "Näherung: Ausstellungsdatum des ersten Ankunftsnachweises" in html
    assert '<details class="adjust" id="angaben">' in html  # nothing to adjust: closed


def test_today_is_the_default(login, jc, asylum_seeker) -> None:
    _, html = page(login(jc), asylum_seeker)
    day = today().strftime("%d.%m.%Y")
    assert f'name="stichtag" value="{day}"' in html
    assert f"Einschätzung zum {day}" in html


def test_overrides_change_the_answer_and_are_marked(login, jc, asylum_seeker) -> None:
    response, html = page(login(jc), asylum_seeker, stichtag="01.03.2017", status="ae_25_2",
                          decision_final_date="10.02.2017", lives_in_reception_centre="nein")
    assert response.status_code == 200 and problems(html) == []
    assert '<details class="adjust" id="angaben" open>' in html
    assert html.count("<strong>Erwerbstätigkeit erlaubt, keine Erlaubnis nötig</strong>") == 4
    assert "<dt>Rechtskreis</dt><dd>SGB II (Bürgergeld)</dd>" in html
    assert "<dt>Erster Tag SGB II</dt><dd>01.03.2017</dd>" in html
    assert '<option value="ae_25_2" selected>' in html
    row = html[html.index('<th scope="row">Aufenthaltsstatus</th>'):]
    row = row[:row.index("</tr>")]
    assert "Aufenthaltserlaubnis §25 Abs. 2 AufenthG" in row and "<strong>Angabe der Fachkraft</strong>" in row
    assert "aus der Akte: Aufenthaltsgestattung (aus Dokument Aufenthaltsgestattung vom 03.09.2015" in row


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"stichtag": "31.02.2016"}, "stichtag", "„31.02.2016“ ist kein gültiges Datum: der 2. Monat des Jahres 2016 "
                                             "hat 29 Tage."),
    ({"stichtag": "morgen"}, "stichtag", "„morgen“ ist kein Datum. Bitte im Format TT.MM.JJJJ eingeben"),
    ({"entry_date": "1.13.2015"}, "entry_date", "„1.13.2015“ ist kein gültiges Datum: einen 13. Monat gibt es nicht."),
    ({"status": "asyl"}, "status", "Bitte eine gültige Auswahl treffen. asyl ist keine gültige Auswahl."),
])
def test_bad_input_gives_a_german_form_error_and_no_assessment(login, jc, asylum_seeker, params, field,
                                                               message) -> None:
    response, html = page(login(jc), asylum_seeker, **params)
    assert response.status_code == 200
    assert "Bitte prüfen Sie Ihre Eingaben" in html and message in html
    assert f'href="#id_{field}"' in html
    assert "Einschätzung zum" not in html and "card-work" not in html
    assert problems(html) == []
    if field != "stichtag":
        assert '<details class="adjust" id="angaben" open>' in html


def test_refused_answer_shows_the_reason_and_is_audited(login, make_user, asylum_seeker) -> None:
    aa = make_user("AA", "caseworker", username="aa-fall")
    cases.add_participation(actor=Actor.for_user(aa), person_id=asylum_seeker.pk, role="contributing",
                            legal_basis="§39a SGB III")
    _, html = page(login(aa), asylum_seeker, stichtag="01.03.2016")
    benefit_card = html[html.index('id="card-benefit"'):html.index('id="card-course"')]
    assert "Kein Zugriff:" in benefit_card
    assert "Für den Bereich „Leistungen“ fehlt Ihrer Behörde eine Rechtsgrundlage" in benefit_card
    assert "Rechtskreis" not in benefit_card and "€" not in benefit_card
    assert "Erlaubnis der Ausländerbehörde und Zustimmung der BA nötig" in html
    assert AuditEvent.objects.filter(person_id=asylum_seeker.pk, username="aa-fall", outcome="denied",
                                     categories=["benefits"]).exists()
    assert problems(html) == []


def test_missing_input_is_named_once_and_opens_the_adjustments(login, jc) -> None:
    person = syrian_asylum_seeker(jc, documents=[])
    _, html = page(login(jc), person, stichtag="01.03.2016")
    work = html[html.index('id="card-work"'):html.index('id="card-benefit"')]
    assert work.count("Für diese Einschätzung fehlt: Aufenthaltsstatus.") == 1
    assert "Keine Einschätzung möglich:" in work and 'href="#angaben"' in work
    assert '<details class="adjust" id="angaben" open>' in html


def test_date_outside_the_rules_says_which_years_are_covered(login, jc, asylum_seeker) -> None:
    _, html = page(login(jc), asylum_seeker, stichtag="01.06.2012")
    assert "Der Stichtag 01.06.2012 liegt außerhalb der abgedeckten Jahre 2013–2027" in html
    assert "liegt außerhalb der abgedeckten Jahre 2015–2026" in html
    assert "Abgedeckt: Arbeitsmarktzugang 2013–2027, Integrationskurs 2013–2027, Leistungen 2015–2026" in html


def test_opening_the_page_is_audited(login, jc, asylum_seeker) -> None:
    page(login(jc), asylum_seeker, stichtag="01.03.2016", household="single")
    event = AuditEvent.objects.get(person_id=asylum_seeker.pk, object_type="legal_assessment")
    assert event.detail == {"reference_date": "2016-03-01", "overrides": ["household"]}


def test_person_the_user_may_not_find_is_not_found(login, make_user, asylum_seeker) -> None:
    response = login(make_user("KT", "caseworker")).get(url(asylum_seeker))
    assert response.status_code == 404


def test_english(login, jc, asylum_seeker) -> None:
    client = login(jc)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    _, html = page(client, asylum_seeker, stichtag="01.03.2016")
    for text in ("Legal assessment", "Reference date", "Adjust inputs", "Access to work", "Employment",
                 "Permit from the foreigners&#x27; authority and consent of the BA needed", "Not permitted",
                 "unverified", "interpretation", "Benefits", "Integration course", "Inputs and where they come from",
                 "Explanations and sources are given in the language of the law (German).", "Syria (SYR)"):
        assert text in html, text
    assert problems(html) == []
    # A missing input is named in English too; the rule's explanation stays German.
    _, html = page(client, syrian_asylum_seeker(jc, given="Amal", documents=[]), stichtag="01.03.2016")
    assert "No assessment possible:" in html and "This assessment lacks: " in html
