"""Playwright: the integration path of issue 5 in one flow, as a Jobcenter caseworker sees it in Chromium.

Record a profile (German A2 by self-assessment, five years as „طباخ“ confirmed as KldB 29302) → "Passende
Angebote" lists the integration course with its explanation → enrol (waiting list, then admit) → record the
completion with B1 → the profile and the matching see B1 → the cook vacancy (Deutsch ab B1) now fits →
record the placement from it → the person's tab lists it and the "Verlauf" shows "Ausbildung/Arbeit" from its
start. Run with `pytest -m browser`.

Dates are relative to today (the lists, enrolments and the journey work from today) and must stay inside the
years the rules cover; the placement starts within the 62 days the "Verlauf" looks ahead.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from stella.matching.tests import matching_setup as setup
from stella.offers.models import Enrolment, EnrolmentState, Offer, Placement
from stella.rules.tables import COVERAGE
from stella.web.tests.test_browser import A11Y_JS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COOK = "29302"
COOK_TITLE = "Köche/Köchinnen (ohne Spezialisierung) – fachlich ausgerichtete Tätigkeiten"


def de(day) -> str:
    return day.strftime("%d.%m.%Y")


def field(scope, label: str):
    """A form control by its exact label, with or without the "(Pflichtfeld)" marker of required fields."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \(Pflichtfeld\))?$"))


def named(visible: str, hidden: str) -> re.Pattern[str]:
    """The accessible name of a button "visible<span class=visually-hidden>: hidden</span>" (Chromium may put a
    space before the hidden part)."""
    hidden = re.escape(hidden).replace("/", r"\/")  # Playwright passes the pattern on as /…/
    return re.compile(rf"^{re.escape(visible)}\s*: {hidden}$")


def accessible(page) -> None:
    assert page.evaluate(A11Y_JS) == [], page.url


def test_profile_course_completion_vacancy_placement(page, live_server, jc, district, kldb) -> None:
    today = timezone.localdate()
    course_start, course_end = today + timedelta(days=14), today + timedelta(days=42)
    job_start = today + timedelta(days=56)
    assert job_start <= COVERAGE["work_permission"][1], "the rules do not cover the dates of this test any more"

    person = setup.person(jc, district, sex="m")  # recognised refugee living in Ludwigsburg since 2015
    course = setup.offer(district, title="Integrationskurs B1 Ludwigsburg", provider="VHS Ludwigsburg",
                         starts_on=course_start, ends_on=course_end, seats=16)
    vacancy = setup.offer(district, kind="vacancy", title="Koch/Köchin Gasthaus Krone", provider="Gasthaus Krone",
                          municipality="Kornwestheim", starts_on=job_start, ends_on=None, seats=1, code=COOK,
                          min_german_level="B1")
    base = live_server.url
    file_url = f"{base}/personen/{person.pk}/"

    # 1. The caseworker finds the person and opens the file.
    log_in(page, base, "jc-fall")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Personensuche").click()
    field(page, "Name").fill("Al-Hassan")
    page.get_by_role("button", name="Suchen").click()
    page.get_by_role("link", name="Al-Hassan, Mohammed").click()
    page.wait_for_url(file_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Al-Hassan, Mohammed")
    tabs = page.get_by_role("navigation", name="Bereiche der Fallakte")

    # 2. Competence profile: still empty.
    tabs.get_by_role("link", name="Kompetenzen", exact=True).click()
    page.get_by_role("link", name="Kompetenzprofil").click()
    page.wait_for_url(f"{file_url}kompetenzen/")
    expect(page.get_by_role("heading", name="Kompetenzprofil", level=2)).to_be_visible()
    german = page.locator(".facts div", has_text="Deutschniveau (für den Abgleich)").locator("dd")
    expect(german).to_have_text("unbekannt")
    expect(page.get_by_text("Keine Sprachstände erfasst.")).to_be_visible()
    accessible(page)

    # 3. German A2 by self-assessment.
    page.get_by_role("link", name="Sprachstand hinzufügen").click()
    expect(page.get_by_role("heading", name="Sprachstand erfassen")).to_be_visible()
    accessible(page)
    field(page, "Sprache").select_option("de")
    for skill in ("Sprechen", "Hören/Verstehen", "Lesen", "Schreiben"):
        field(page, skill).select_option("A2")
    field(page, "Selbsteinschätzung").check()
    field(page, "Festgestellt am").fill(de(today - timedelta(days=7)))
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url(re.compile(rf".*/personen/{person.pk}/kompetenzen/#sprachen$"))
    expect(page.locator(".message")).to_have_text("Gespeichert.")
    row = page.locator("section[aria-labelledby=sprachen] tbody tr")
    expect(row).to_have_count(1)
    expect(row.get_by_role("rowheader")).to_have_text("Deutsch")
    expect(row).to_contain_text("Selbsteinschätzung")
    expect(german).to_have_text("A2")

    # 4. Five years as „طباخ“ (Arabic), no code yet: the profile suggests 29302 and one click confirms it.
    page.get_by_role("link", name="Berufserfahrung hinzufügen").click()
    expect(page.get_by_role("heading", name="Berufserfahrung erfassen")).to_be_visible()
    accessible(page)
    field(page, "Berufsbezeichnung (wie angegeben)").fill("طباخ")
    field(page, "Sprache der Angabe").select_option("ar")
    field(page, "Jahre Erfahrung").fill("5")
    field(page, "Land").select_option("SYR")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url(re.compile(rf".*/personen/{person.pk}/kompetenzen/#erfahrung$"))
    experience = page.locator("section[aria-labelledby=erfahrung] tbody tr")
    expect(experience).to_have_count(1)
    title = experience.locator("bdi")
    expect(title).to_have_text("طباخ")
    assert title.evaluate("el => getComputedStyle(el).direction") == "rtl"
    expect(experience).to_contain_text("noch nicht bestätigt")
    expect(page.locator(".facts div", has_text="Berufe noch zu bestätigen").locator("dd")).to_have_text("1")
    suggestions = experience.locator("ul.suggestions li")
    expect(suggestions.first.locator("code")).to_have_text(COOK)  # the synonym table knows „طباخ“
    accessible(page)
    suggestions.first.get_by_role("button", name=named("Bestätigen", f"{COOK} {COOK_TITLE}")).click()
    page.wait_for_url(re.compile(rf".*/personen/{person.pk}/kompetenzen/#erfahrung$"))
    expect(page.locator(".message")).to_have_text(f"Der Beruf {COOK} {COOK_TITLE} wurde bestätigt.")
    expect(experience.locator("code")).to_have_text(COOK)
    assert "noch nicht bestätigt" not in experience.inner_text()
    expect(page.locator(".facts div", has_text="Berufe noch zu bestätigen").locator("dd")).to_have_text("0")

    # 5. "Passende Angebote": the integration course fits, with its explanation; the cook vacancy does not yet.
    tabs.get_by_role("link", name="Passende Angebote").click()
    page.wait_for_url(f"{file_url}passende-angebote/")
    expect(page.get_by_role("heading", name="Passende Angebote", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name=f"1 passendes Angebot ab {de(today)}")).to_be_visible()
    match = page.locator(f"#angebot-{course.pk}")
    expect(match.get_by_role("link", name="Integrationskurs B1 Ludwigsburg")).to_be_visible()
    expect(match).to_contain_text(de(course_start))
    expect(page.locator(f"#angebot-{vacancy.pk}")).to_have_count(0)
    accessible(page)
    details = match.locator("details.match-explanation")
    parts = details.get_by_role("table")
    expect(parts).to_be_hidden()
    details.locator("summary").click()
    expect(parts).to_be_visible()
    assert parts.locator("tbody tr").count() >= 3
    assert re.fullmatch(r"Begründung: \d+ von \d+ Punkten", details.locator("summary").inner_text())
    # „Auch ungeeignete zeigen“ names the rule the vacancy breaks.
    field(page, "Auch ungeeignete zeigen (mit der verletzten Regel)").check()
    page.get_by_role("button", name="Anzeigen").click()
    ineligible = page.locator("section[aria-labelledby=ineligible-title] tbody tr", has_text="Koch/Köchin Gasthaus Krone")
    expect(ineligible).to_contain_text("Das Angebot setzt Deutsch B1 voraus; erfasst ist A2.")
    accessible(page)
    # The pair's own page: why the course fits and how seats are given.
    page.get_by_role("link", name="Begründung und Platzvergabe").click()
    expect(page.get_by_role("heading", name="Begründung: Integrationskurs B1 Ludwigsburg")).to_be_visible()
    expect(page.get_by_role("heading", name="Punktzahl")).to_be_visible()
    accessible(page)

    # 6. Enrol from the offer search of the person's tab: onto the waiting list ...
    tabs.get_by_role("link", name="Kurse und Vermittlungen").click()
    page.wait_for_url(f"{file_url}angebote/")
    expect(page.get_by_text("Noch keine Anmeldung.")).to_be_visible()
    accessible(page)
    page.get_by_role("link", name="Angebot suchen").click()
    expect(page.get_by_role("heading", name="Angebote", level=1)).to_be_visible()
    expect(page.locator(".notice")).to_contain_text("Sie suchen ein Angebot für")
    accessible(page)
    page.get_by_role("button", name=named("Anmelden", "Integrationskurs B1 Ludwigsburg")).click()
    page.wait_for_url(f"{file_url}angebote/")
    expect(page.locator(".message")).to_have_text("Die Person steht auf der Warteliste (Platz 1).")
    enrolments = page.get_by_role("table", name="Teilnahmen der Person")
    course_row = enrolments.locator("tbody tr", has_text="Integrationskurs B1 Ludwigsburg")
    expect(course_row).to_contain_text("Warteliste")
    expect(course_row).to_contain_text("Platz 1 auf der Warteliste")

    # ... then admit from the enrolment page.
    course_row.get_by_role("link", name="Integrationskurs B1 Ludwigsburg").click()
    page.wait_for_url(re.compile(r".*/teilnahmen/\d+/$"))
    enrolment_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Al-Hassan, Mohammed – Integrationskurs B1 Ludwigsburg")
    accessible(page)
    page.get_by_role("button", name="Von der Warteliste aufnehmen").click()
    page.wait_for_url(f"{base}/angebote/{course.pk}/")
    assert page.locator(".message").inner_text().startswith("Die Person hat einen Platz erhalten.")
    expect(page.get_by_role("heading", name="Mit Platz (1/16)")).to_be_visible()
    expect(page.get_by_role("table", name="Personen mit Platz").get_by_role("link", name="Al-Hassan, Mohammed")).to_be_visible()
    expect(page.get_by_text("Niemand wartet.")).to_be_visible()
    accessible(page)

    # Weeks pass: the course runs (moved into the past, as if the test waited for it) ...
    ran_from, ran_until = today - timedelta(days=42), today - timedelta(days=14)
    Offer.objects.filter(pk=course.pk).update(starts_on=ran_from, ends_on=ran_until)
    Enrolment.objects.filter(offer=course, person=person).update(enrolled_on=ran_from)

    # 7. ... and is completed with B1 (the course result goes into the profile); not before it began.
    page.goto(enrolment_url)
    facts = page.locator("dl.facts")
    expect(facts.locator("div", has_text="Stand").first).to_contain_text("angemeldet")
    completion = page.locator("section", has=page.get_by_role("heading", name="Abschluss erfassen"))
    field(completion, "Beendet am").fill(de(ran_from - timedelta(days=1)))
    completion.get_by_role("button", name="Abschluss speichern").click()
    expect(page.locator(".error-summary")).to_contain_text("liegt vor dem Beginn der Teilnahme")
    completion = page.locator("section", has=page.get_by_role("heading", name="Abschluss erfassen"))
    field(completion, "Beendet am").fill(de(ran_until))
    field(completion, "Erreichtes Niveau").select_option("B1")
    field(completion, "Ergebnis").fill("DTZ B1 bestanden")
    completion.get_by_role("button", name="Abschluss speichern").click()
    page.wait_for_url(enrolment_url)
    expect(page.locator(".message")).to_have_text("Der Abschluss wurde erfasst.")
    expect(facts.locator("div", has_text="Stand").first.locator("dd")).to_have_text("abgeschlossen")
    expect(facts.locator("div", has_text="Ergebnis").locator("dd")).to_have_text("erreicht: B1 · DTZ B1 bestanden")
    expect(page.get_by_role("heading", name="Abschluss erfassen")).to_have_count(0)
    accessible(page)
    enrolment = Enrolment.objects.get(person=person, offer=course)
    assert (enrolment.state, enrolment.result_level, enrolment.ended_on) == (EnrolmentState.COMPLETED, "B1", ran_until)

    # 8. The profile now says B1 (a "Kursergebnis" beside the self-assessment).
    page.goto(f"{file_url}kompetenzen/")
    expect(german).to_have_text("B1")
    course_result = page.locator("section[aria-labelledby=sprachen] tbody tr", has_text="Kursergebnis")
    expect(course_result.get_by_role("cell").nth(0)).to_have_text("B1")
    expect(course_result).to_contain_text("DTZ B1 bestanden")
    accessible(page)

    # 9. "Passende Angebote", filtered for vacancies: the cook vacancy fits now.
    tabs.get_by_role("link", name="Passende Angebote").click()
    field(page, "Art").select_option("vacancy")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url(re.compile(r".*/passende-angebote/\?.*art=vacancy.*"))
    expect(page.get_by_role("heading", name=f"1 passendes Angebot ab {de(today)}")).to_be_visible()
    job = page.locator(f"#angebot-{vacancy.pk}")
    expect(job.get_by_role("link", name="Koch/Köchin Gasthaus Krone")).to_be_visible()
    expect(job).to_contain_text("Stelle · Gasthaus Krone")
    expect(job).to_contain_text(de(job_start))
    expect(page.locator(f"#angebot-{course.pk}")).to_have_count(0)  # filtered out (and completed)
    job.locator("details.match-explanation summary").click()
    explained = job.locator("details.match-explanation tbody")
    occupation = explained.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Beruf", exact=True))
    expect(occupation.get_by_role("cell").nth(0)).to_have_text("250/250")  # the confirmed 29302 is the vacancy's
    experience_row = explained.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Berufserfahrung"))
    expect(experience_row).to_contain_text("5 Jahre Berufserfahrung in der Berufsgruppe 293")
    accessible(page)

    # The vacancy's page says what it asks for.
    job.get_by_role("link", name="Koch/Köchin Gasthaus Krone").click()
    page.wait_for_url(f"{base}/angebote/{vacancy.pk}/")
    expect(page.get_by_role("heading", name="Koch/Köchin Gasthaus Krone", level=1)).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Deutsch ab B1")
    assert COOK in page.locator("dl.facts").inner_text()
    accessible(page)

    # 10. The placement from that vacancy: employer and start date.
    page.goto(f"{file_url}angebote/")
    page.get_by_role("link", name="Vermittlung erfassen").click()
    page.wait_for_url(f"{file_url}angebote/vermittlung/")
    expect(page.get_by_role("heading", name="Vermittlung erfassen")).to_be_visible()
    accessible(page)
    field(page, "Aus Angebot").select_option(str(vacancy.pk))
    field(page, "Art").select_option("employment")
    field(page, "Arbeitgeber bzw. Ausbildungsbetrieb").fill("Gasthaus Krone GmbH")
    field(page, "Beginn").fill(de(job_start))
    field(page, "Beendet den Leistungsbezug").select_option("true")
    page.get_by_role("button", name="Vermittlung speichern").click()
    page.wait_for_url(f"{file_url}angebote/")
    expect(page.locator(".message")).to_have_text("Die Vermittlung wurde erfasst.")
    placement = Placement.objects.get(person=person)
    card = page.locator(f"article[aria-labelledby=placement-{placement.pk}]")
    expect(card.get_by_role("heading")).to_have_text(
        "sozialversicherungspflichtige Beschäftigung bei Gasthaus Krone GmbH")
    card_text = card.inner_text()
    assert f"{de(job_start)} (unbefristet)" in card_text
    assert f"{COOK} {COOK_TITLE}" in card_text  # the vacancy's occupation
    assert "Koch/Köchin Gasthaus Krone" in card_text  # "Aus Angebot"
    completed = enrolments.locator("tbody tr", has_text="Integrationskurs B1 Ludwigsburg")
    expect(completed).to_contain_text("abgeschlossen")
    expect(completed).to_contain_text("erreicht: B1")
    accessible(page)

    # 11. The journey: "Ausbildung/Arbeit" from the start date.
    tabs.get_by_role("link", name="Verlauf").click()
    page.wait_for_url(f"{file_url}verlauf/")
    expect(page.get_by_role("heading", name="Verlauf", level=2)).to_be_visible()
    timeline = page.get_by_role("table", name=re.compile("^Status, Unterbringung, Phase"))
    rows = timeline.locator("tbody tr").all()
    days = [r.get_by_role("rowheader").inner_text() for r in rows]
    phases = [r.get_by_role("cell").nth(2).inner_text() for r in rows]
    at = days.index(de(job_start))
    expect(rows[at].get_by_role("cell").nth(0)).to_contain_text("Beginn: sozialversicherungspflichtige Beschäftigung")
    assert phases[at] == "Ausbildung/Arbeit"
    assert "Ausbildung/Arbeit" not in phases[:at]  # not before the first working day
    accessible(page)
