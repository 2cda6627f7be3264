"""The English UI of the competence profile, offers, enrolments and placements, matching and allocation:
headings, labels and the German domain labels shown through `tr` are translated, and no German UI word
that the catalogue covers is left. Generated explanations (rule failures, score reasons) stay German and
are marked lang="de"."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from stella.competences.models import Circumstances, Qualification, SchoolEducation, Skill
from stella.core.actor import Actor
from stella.matching import allocation
from stella.matching.tests import matching_setup as ms
from stella.offers.models import Placement
from stella.web.labels import translate_message
from stella.web.tests.a11y import problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(jc, district, kldb, monkeypatch):
    """A recognised refugee (cook, German A2) with a full competence profile, waiting for an integration
    course, placed into work, and a vacancy that needs German B2."""
    monkeypatch.setattr(allocation, "today", lambda: ms.ON)
    anna = ms.cook(jc, district)
    SchoolEducation.objects.create(person=anna, years=12, certificate="university_entrance", country="SYR")
    Qualification.objects.create(person=anna, kind="vocational", title="Koch", country="SYR", year=2012,
                                 occupation=ms.occupation("29302"), recognition="applied",
                                 recognition_body="IHK FOSA")
    Skill.objects.create(person=anna, kind="driving_licence", value="B")
    Circumstances.objects.create(person=anna, needs_childcare=True, mobility="municipality",
                                 residence_obligation=True)
    course = ms.offer(district, title="IK Ludwigsburg", seats=1)
    chef = ms.offer(district, kind="vacancy", min_german_level="B2", title="Küchenchef", target_level="")
    enrolment = ms.enrol(anna, course, state="waiting")
    Placement.objects.create(person=anna, kind="employment", employer="Gasthaus Krone", starts_on=date(2025, 3, 1),
                             agency=district["JC"])
    return {"anna": anna, "course": course, "chef": chef, "enrolment": enrolment}


@pytest.fixture
def english(login, jc):
    client = login(jc)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def page(client, url: str, params: dict | None = None) -> str:
    res = client.get(url, params or {})
    assert res.status_code == 200, url
    html = res.content.decode()
    assert '<html lang="en">' in html
    assert problems(html) == [], url
    return html


def check(html: str, english: tuple[str, ...], german: tuple[str, ...]) -> None:
    for text in english:
        assert text in html, text
    for text in german:
        assert text not in html, text


def test_competence_profile_in_english(english, world) -> None:
    html = page(english, f"/personen/{world['anna'].pk}/kompetenzen/")
    check(html, ("<h2>Competence profile</h2>", "School education", "university entrance qualification (Abitur)",
                 "Vocational and university qualifications", "vocational qualification", "applied for",
                 "Work experience", "Skills and driving licences", "Language levels (CEFR)", "Reading",
                 "exam certificate", "Circumstances", "place of residence only",
                 "Wohnsitzauflage (residence obligation)", "Show history (including ended entries)"),
          ("Kompetenzprofil", "Schulbildung", "Hochschulreife", "Berufsabschluss", "beantragt", "Prüfungszeugnis",
           "Sprachstände", "Rahmenbedingungen", "nur Wohnort", "Fähigkeiten", "Erfasst", ">Lesen<", ">Read<"))


def test_offers_list_and_detail_in_english(english, world) -> None:
    html = page(english, "/angebote/")
    check(html, ("<h1>Offers</h1>", "New offer", "Filter offers", "Integration course",
                 "Job-related German course (DeuFöV)", "Job vacancy", "2 offers", "1 of 1 free", "1 waiting",
                 "German from B2"),
          ("Angebote filtern", "Neues Angebot", "Stelle", "Berufsbezogene", "Deutsch ab", "wartet", "Plätze"))
    html = page(english, "/angebote/", {"person": world["anna"].pk})
    check(html, ("You are looking for an offer for", "“Register” puts the person on the offer's waiting list.",
                 ">Register<"), ("Anmelden", "Log in<"))
    html = page(english, f"/angebote/{world['course'].pk}/")
    check(html, ("Integration course · No.", "Provider or employer", "Target level and module", "Requirements",
                 "no minimum German level", "With a place (0/1)", "Waiting list (1)", "1 person on the waiting list",
                 "Position", "registered by", "Admit", "Close offer", "Cancel offer", "Back to the offers"),
          ("Integrationskurs ·", "Warteliste", "Voraussetzungen", "Aufnehmen", "Angebot absagen", "verwaltet von"))
    html = page(english, f"/teilnahmen/{world['enrolment'].pk}/")
    check(html, ("Waiting list – Position 1 on the waiting list", "Period of the offer", "Registered",
                 "Admit from the waiting list", "Withdraw registration"),
          ("Zeitraum des Angebots", "auf der Warteliste", "zurückziehen"))


def test_courses_and_placements_in_english(english, world) -> None:
    html = page(english, f"/personen/{world['anna'].pk}/angebote/")
    check(html, ("Courses and placements", "Courses and measures", "The person's enrolments",
                 "Position 1 on the waiting list", "Register for an offer", "Placements into training and work",
                 "employment subject to social insurance at Gasthaus Krone", "Status after 6 months",
                 "open (from 01.09.2025)", "Record outcome", "still employed or in training", "End placement"),
          ("Kurse und Vermittlungen", "Warteliste", "sozialversicherungspflichtige", "Stand nach",
           "Verbleib", "weiterhin beschäftigt", "Vermittlung beenden"))


def test_matching_in_english(english, world) -> None:
    anna, chef = world["anna"], world["chef"]
    html = page(english, f"/personen/{anna.pk}/passende-angebote/", {"stichtag": "02.03.2026", "ungeeignete": "on"})
    check(html, ("<h2>Matching offers</h2>", "Hard rules", "0 matching offers from 02.03.2026", "rule set",
                 "Offers that do not match", "Rules broken", "<strong>German level:</strong>",
                 "<strong>Childcare:</strong>", "<strong>Double booking:</strong>", "Job-related German course (DeuFöV)"),
          ("Passende Angebote", "Verletzte Regeln", "Nicht passende", "<strong>Deutschniveau:",
           "<strong>Kinderbetreuung:", "alle Arten", ">Berufsbezogene"))
    # The rules' own explanations are German and say so.
    assert '<span lang="de">Das Angebot setzt Deutsch B2 voraus; erfasst ist A2.</span>' in html
    html = page(english, f"/personen/{anna.pk}/passende-angebote/{chef.pk}/", {"stichtag": "02.03.2026"})
    check(html, ("Explanation: Küchenchef", "Back to “Matching offers”", "Free places", "Rules broken"),
          ("Begründung", "Freie Plätze"))


def test_matching_scores_in_english(english, world, district) -> None:
    cook = ms.offer(district, kind="vacancy", code="29302", title="Koch/Köchin", target_level="")
    world["anna"].placements.all().delete()  # no double booking: the vacancy fits
    Circumstances.objects.filter(person=world["anna"]).delete()
    html = page(english, f"/personen/{world['anna'].pk}/passende-angebote/", {"stichtag": "02.03.2026"})
    check(html, (f'id="angebot-{cook.pk}"', "Points per criterion", '<th scope="row">Occupation</th>',
                 '<th scope="row">Waiting time</th>', "Explanation and allocation of places"),
          ("Punkte je Kriterium", '<th scope="row">Beruf</th>', "Begründung und Platzvergabe"))


def test_allocation_in_english(english, jc, world) -> None:
    html = page(english, "/zuteilung/")
    check(html, ("<h1>Allocation</h1>", "New run", "Open offers of your agency from today", "Compute proposal",
                 "IK Ludwigsburg – Ludwigsburg, from 13.04.2026 (1 place)", "Previous runs of your agency",
                 "No runs yet."),
          ("Neuer Lauf", "Vorschlag berechnen", "Plätze)", "Noch keine Läufe"))
    course = world["course"]
    run = allocation.propose_run(actor=Actor.for_user(jc), district_id=course.municipality.landkreis_id,
                                 offer_ids=[course.pk], reference_date=ms.ON)
    html = page(english, "/zuteilung/")
    check(html, ("Allocation runs, newest first", ">Proposal<"), ("Vorschlag<",))
    html = page(english, f"/zuteilung/{run.pk}/")
    check(html, ("Allocation Ludwigsburg, reference date 02.03.2026", "Offers and places", "Days waiting",
                 "person declined", "care responsibilities", "Changes by reason", "Fairness report",
                 "four-fifths rule", "Age group", "too small to assess", "not recorded", "Confirm run",
                 "Discard proposal"),
          ("Person hat abgelehnt", "Betreuungspflichten", "Fairnessbericht", "Altersgruppe", "nicht erfasst",
           "Lauf bestätigen", "Behinderung"))


@pytest.mark.parametrize(("german", "english"), [
    ("Das Angebot ist voll (2 von 2 Plätzen belegt). Ein Platz wird frei, wenn eine Teilnahme abgebrochen oder "
     "zurückgezogen wird.",
     "The offer is full (2 of 2 places taken). A place becomes free when an enrolment is dropped or withdrawn."),
    ("Das Angebot ist bereits geschlossen.", "The offer is already closed."),
    ("Die Person steht auf der Warteliste; das ist in diesem Stand nicht möglich.",
     "The person is on the waiting list; that is not possible in this state."),
    ("Diese Angabe (Berufserfahrung) ist bereits beendet.", "This entry (Work experience) has already been ended."),
    ("Der Lauf ist bereits bestätigt; bestätigen geht nur einmal, solange er ein Vorschlag ist.",
     "The run is already confirmed; confirming is possible only once, while it is a proposal."),
    ("Ihre Rolle darf den Bereich „Vermittlung“ nicht lesen.", "Your role may not read the section “Placement”."),
    ("Ein Kursträger sieht nur die Teilnahmen an seinen eigenen Angeboten.",
     "A course provider sees only the enrolments in its own offers."),
])
def test_offer_and_allocation_messages_are_translated(german, english) -> None:
    with translation.override("en"):
        assert translate_message(german) == english
    with translation.override("de"):
        assert translate_message(german) == german
