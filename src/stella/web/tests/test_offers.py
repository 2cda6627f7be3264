"""Offers, enrolments and placements in the web UI: list and filters, the offer form, the waiting list with
admit buttons, the person's tab "Kurse und Vermittlungen", attendance and completion forms, the Kursträger's
view, refusals, and the static accessibility check of every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stella.competences.models import LanguageAssessment
from stella.core.actor import Actor
from stella.offers import services
from stella.offers.models import Attendance, Enrolment, EnrolmentState, Offer, Placement
from stella.offers.tests.conftest import allow_all_rules
from stella.rules.dates import add_months
from stella.tests.factories import make_municipality, register
from stella.web.tests.a11y import problems


def de(offset: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=offset)).strftime("%d.%m.%Y")


@pytest.fixture(autouse=True)
def rules_allow(monkeypatch):
    allow_all_rules(monkeypatch)


@pytest.fixture
def place(district):
    return make_municipality(district)


@pytest.fixture
def kt(make_user):
    return make_user("KT", "caseworker", username="kt-olga")


@pytest.fixture
def course(jc, place, district):
    return services.create_offer(actor=Actor.for_user(jc), data=services.OfferIn(
        kind="integration_course", title="Integrationskurs Vormittag", provider="VHS Ludwigsburg",
        municipality_id=place.pk, starts_on=timezone.localdate() - timedelta(days=5),
        ends_on=timezone.localdate() + timedelta(days=150), seats=1, target_level="B1",
        provider_agency_id=district["KT"].pk))


def form_data(place, **changes):
    data = {"kind": "integration_course", "title": "Integrationskurs Abend", "provider": "VHS",
            "municipality": str(place.pk), "starts_on": de(20), "ends_on": de(200), "seats": "12",
            "target_level": "B1", "min_german_level": "", "measure_type": "", "provider_agency": "",
            "occupation_code": "", "module": "", "childcare": "on"}
    data.update(changes)
    return data


def test_navigation_and_list(login, jc, course):
    html = login(jc).get("/angebote/").content.decode()
    assert 'href="/angebote/"' in html and "Integrationskurs Vormittag" in html and "Neues Angebot" in html
    assert "1 von 1 frei" in html
    filtered = login(jc).get("/angebote/", {"kind": "vacancy"}).content.decode()
    assert "Integrationskurs Vormittag" not in filtered and "Kein Angebot passt" in filtered


def test_create_and_edit_offer(login, jc, place):
    client = login(jc)
    bad = client.post("/angebote/neu/", form_data(place, target_level="", seats="0"))
    assert bad.status_code == 200 and "Bitte prüfen Sie Ihre Eingaben" in bad.content.decode()
    assert problems(bad.content.decode()) == []
    response = client.post("/angebote/neu/", form_data(place))
    offer = Offer.objects.get(title="Integrationskurs Abend")
    assert response.status_code == 302 and response["Location"] == f"/angebote/{offer.pk}/"
    assert offer.childcare and offer.owner_id == jc.agency_id
    edit = client.get(f"/angebote/{offer.pk}/bearbeiten/").content.decode()
    assert 'value="Integrationskurs Abend"' in edit
    assert client.post(f"/angebote/{offer.pk}/bearbeiten/", {**form_data(place, seats="20"), "version": "1"}) \
        .status_code == 302
    stale = client.post(f"/angebote/{offer.pk}/bearbeiten/", {**form_data(place, seats="5"), "version": "1"})
    assert stale.status_code == 409 and "inzwischen von jemand anderem geändert" in stale.content.decode()
    assert Offer.objects.get(pk=offer.pk).seats == 20


def test_other_agency_may_not_edit_or_create(login, make_user, kt, course, place):
    aa = make_user("AA", "caseworker")
    assert login(aa).get(f"/angebote/{course.pk}/bearbeiten/").status_code == 403
    assert login(kt).get("/angebote/neu/").status_code == 403
    assert "Neues Angebot" not in login(kt).get("/angebote/").content.decode()


def test_find_a_course_enrol_admit_from_the_waiting_list(login, jc, course):
    first, second = register(jc), register(jc, family="Haidari", given="Zahra", birth=None)
    client = login(jc)
    search = client.get("/angebote/", {"person": first.pk}).content.decode()
    assert "Sie suchen ein Angebot für" in search and f'action="/personen/{first.pk}/angebote/anmelden/"' in search
    assert problems(search) == []
    response = client.post(f"/personen/{first.pk}/angebote/anmelden/", {"offer": course.pk, "direct": "on"})
    assert response.status_code == 302 and response["Location"] == f"/personen/{first.pk}/angebote/"
    client.post(f"/personen/{second.pk}/angebote/anmelden/", {"offer": course.pk})
    tab = client.get(f"/personen/{second.pk}/angebote/").content.decode()
    assert "Platz 1 auf der Warteliste" in tab and "Kurse und Vermittlungen" in tab
    waiting = Enrolment.objects.get(person=second)
    detail = client.get(f"/angebote/{course.pk}/").content.decode()
    assert "Warteliste (1)" in detail and f"/teilnahmen/{waiting.pk}/aufnehmen/" in detail
    assert "Alle Plätze sind belegt" in detail
    assert problems(detail) == []
    refused = client.post(f"/teilnahmen/{waiting.pk}/aufnehmen/", follow=True).content.decode()
    assert "Das Angebot ist voll (1 von 1 Plätzen belegt)" in refused
    assert Enrolment.objects.get(pk=waiting.pk).state == EnrolmentState.WAITING
    services.drop(actor=Actor.for_user(jc), enrolment_id=Enrolment.objects.get(person=first).pk, reason="Umzug")
    admitted = client.post(f"/teilnahmen/{waiting.pk}/aufnehmen/", follow=True).content.decode()
    assert "hat einen Platz erhalten" in admitted
    assert Enrolment.objects.get(pk=waiting.pk).state == EnrolmentState.ENROLLED


def test_enrol_errors_are_shown_on_the_tab(login, jc, course):
    person = register(jc)
    client = login(jc)
    client.post(f"/personen/{person.pk}/angebote/anmelden/", {"offer": course.pk})
    again = client.post(f"/personen/{person.pk}/angebote/anmelden/", {"offer": course.pk})
    assert again.status_code == 200 and "bereits angemeldet oder steht auf der Warteliste" in again.content.decode()
    unknown = client.post(f"/personen/{person.pk}/angebote/anmelden/", {"offer": "99999"}).content.decode()
    assert "Das Angebot wurde nicht gefunden." in unknown
    assert problems(unknown) == []


def test_attendance_and_completion_forms(login, jc, course):
    person = register(jc)
    enrolment = services.enrol(actor=Actor.for_user(jc), person_id=person.pk, offer_id=course.pk,
                               on=timezone.localdate() - timedelta(days=5))
    client = login(jc)
    page = client.get(f"/teilnahmen/{enrolment.pk}/").content.decode()
    assert "Anwesenheit erfassen" in page and "Abschluss erfassen" in page and problems(page) == []
    ok = client.post(f"/teilnahmen/{enrolment.pk}/anwesenheit/", {"attendance-day": de(-1),
                                                                  "attendance-status": "excused"})
    assert ok.status_code == 302 and Attendance.objects.get().excused
    dup = client.post(f"/teilnahmen/{enrolment.pk}/anwesenheit/", {"attendance-day": de(-1),
                                                                   "attendance-status": "present"})
    assert "bereits erfasst" in dup.content.decode() and problems(dup.content.decode()) == []
    done = client.post(f"/teilnahmen/{enrolment.pk}/abschluss/", {"complete-ended_on": de(0),
                                                                 "complete-result_level": "B1",
                                                                 "complete-result_note": "DTZ B1"})
    assert done.status_code == 302
    assert LanguageAssessment.objects.filter(person=person, reading="B1").exists()
    page = client.get(f"/teilnahmen/{enrolment.pk}/").content.decode()
    assert "erreicht" in page and "Abschluss erfassen" not in page


def test_kurstraeger_view(login, jc, kt, course):
    person = register(jc)
    enrolment = services.enrol(actor=Actor.for_user(jc), person_id=person.pk, offer_id=course.pk)
    waiting = services.request_enrolment(actor=Actor.for_user(jc), person_id=register(jc, family="B", birth=None).pk,
                                         offer_id=course.pk)
    client = login(kt)
    detail = client.get(f"/angebote/{course.pk}/").content.decode()
    assert "als Kursträger dieses Angebots" in detail and "Al-Hassan" in detail
    assert "/aufnehmen/" not in detail and problems(detail) == []
    page = client.get(f"/teilnahmen/{enrolment.pk}/").content.decode()
    assert "Anwesenheit erfassen" in page and "Anmeldung zurückziehen" not in page
    assert problems(page) == []
    assert client.post(f"/teilnahmen/{waiting.pk}/aufnehmen/").status_code == 403
    assert client.get(f"/personen/{person.pk}/angebote/").status_code == 404


def test_other_agency_sees_only_counts_and_a_refusal_on_the_tab(login, make_user, jc, course):
    person = register(jc)
    services.enrol(actor=Actor.for_user(jc), person_id=person.pk, offer_id=course.pk)
    aa = make_user("AA", "caseworker")
    detail = login(aa).get(f"/angebote/{course.pk}/").content.decode()
    assert "Al-Hassan" not in detail and "Person, deren Akte Sie nicht einsehen dürfen" in detail
    tab = login(aa).get(f"/personen/{person.pk}/angebote/")
    assert tab.status_code == 403 and "Kein Zugriff" in tab.content.decode()


def test_placement_forms(login, jc, kldb):
    person = register(jc)
    client = login(jc)
    form = client.get(f"/personen/{person.pk}/angebote/vermittlung/").content.decode()
    assert problems(form) == []
    bad = client.post(f"/personen/{person.pk}/angebote/vermittlung/", {"kind": "employment", "employer": "",
                                                                       "starts_on": de(0), "occupation_code": "1"})
    assert bad.status_code == 200 and problems(bad.content.decode()) == []
    start = add_months(timezone.localdate(), -7).strftime("%d.%m.%Y")
    ok = client.post(f"/personen/{person.pk}/angebote/vermittlung/", {
        "kind": "employment", "employer": "Hotel Krone", "starts_on": start, "occupation_code": "29302",
        "ends_benefit_receipt": "true"})
    assert ok.status_code == 302
    placement = Placement.objects.get()
    assert placement.ends_benefit_receipt is True and placement.occupation.code == "29302"
    early = client.post(f"/vermittlungen/{placement.pk}/verbleib/", {f"p{placement.pk}-months": "12",
                                                                     f"p{placement.pk}-outcome": "employed"},
                        follow=True).content.decode()
    assert "kann erst ab dem" in early
    client.post(f"/vermittlungen/{placement.pk}/verbleib/", {f"p{placement.pk}-months": "6",
                                                            f"p{placement.pk}-outcome": "employed"})
    client.post(f"/vermittlungen/{placement.pk}/ende/", {f"e{placement.pk}-ends_on": de(-1)})
    placement.refresh_from_db()
    assert placement.outcome_6m == "employed" and placement.ends_on == timezone.localdate() - timedelta(days=1)
    tab = client.get(f"/personen/{person.pk}/angebote/").content.decode()
    assert "Hotel Krone" in tab and "weiterhin beschäftigt" in tab and problems(tab) == []


def test_cancel_offer_form(login, jc, course):
    client = login(jc)
    empty = client.post(f"/angebote/{course.pk}/absagen/", {"cancel-reason": ""})
    assert empty.status_code == 200 and problems(empty.content.decode()) == []
    assert client.post(f"/angebote/{course.pk}/absagen/", {"cancel-reason": "Raum fehlt"}).status_code == 302
    assert Offer.objects.get(pk=course.pk).state == "cancelled"


def test_offer_page_links_to_the_persons_who_fit(login, jc, course):
    html = login(jc).get(f"/angebote/{course.pk}/").content.decode()
    assert f'href="/angebote/{course.pk}/passende-personen/"' in html
