"""Übergaben in the web UI: inbox, detail with summary and the decision forms (CSRF, versions), the file's
panel with a proposal form, the team lead's view, bulk hand-over with preview, confirm, progress and CSV."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from playwright.sync_api import expect

from stella.agencies.models import Function
from stella.core.actor import Actor
from stella.journey import bulk
from stella.journey.models import BulkHandOverJob, HandOver, HandOverState
from stella.journey.tests.handover_setup import (
    make_person,
    recent_final_date,
    recognise,
    record,
    scene,
)
from stella.people.services import AddressIn, add_address
from stella.tests.factories import AgencyFactory
from stella.web.tests.a11y import problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(district):
    sc = scene(district)
    add_address(actor=Actor.for_user(sc.lra), person_id=sc.person.pk,
                address=AddressIn("Ludwigsburg", date(2016, 1, 1), accommodation="private"))
    return sc


@pytest.fixture
def benefits(s):
    recognise(s.lra, s.person, recent_final_date())
    return HandOver.objects.get(person=s.person, function=Function.BENEFITS_SGB2)


def test_inbox_lists_incoming_proposals(login, s, benefits):
    html = login(s.jc).get("/uebergaben/").content.decode()
    assert f'href="/uebergaben/{benefits.pk}/"' in html and "Al-Hassan, Mohammed" in html
    assert "Leistungen nach SGB II" in html and "vorgeschlagen" in html
    assert problems(html) == []
    assert 'href="/uebergaben/"' in html  # navigation entry
    assert "Keine Übergaben." in login(s.jc).get("/uebergaben/?ansicht=ausgang").content.decode()
    assert f'/uebergaben/{benefits.pk}/' in login(s.lra).get("/uebergaben/?ansicht=ausgang").content.decode()


def test_detail_shows_summary_and_accepting_works(login, s, benefits):
    client = login(s.jc)
    html = client.get(f"/uebergaben/{benefits.pk}/").content.decode()
    assert "Zusammenfassung der Akte" in html and "Statusverlauf" in html and "Gesundheit" in html  # withheld
    assert 'name="accept-version" value="1"' in html and problems(html) == []
    response = client.post(f"/uebergaben/{benefits.pk}/annehmen/", {"accept-version": "1"})
    assert response.status_code == 302
    assert HandOver.objects.get(pk=benefits.pk).state == HandOverState.ACCEPTED
    stale = client.post(f"/uebergaben/{benefits.pk}/annehmen/", {"accept-version": "1"})
    assert stale.status_code == 409 and "inzwischen von jemand anderem" in stale.content.decode()
    html = client.get(f"/uebergaben/{benefits.pk}/").content.decode()
    assert 'name="complete-version" value="2"' in html
    assert client.post(f"/uebergaben/{benefits.pk}/abschliessen/", {"complete-version": "2"}).status_code == 302
    assert HandOver.objects.get(pk=benefits.pk).state == HandOverState.COMPLETED


def test_reject_needs_a_reason_and_csrf(login, s, benefits):
    client = login(s.jc)
    response = client.post(f"/uebergaben/{benefits.pk}/ablehnen/", {"reject-version": "1", "reject-reason": ""})
    assert response.status_code == 422 and "Grund der Ablehnung" in response.content.decode()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(s.jc)
    assert strict.post(f"/uebergaben/{benefits.pk}/ablehnen/",
                       {"reject-version": "1", "reject-reason": "x"}).status_code == 403
    assert HandOver.objects.get(pk=benefits.pk).state == HandOverState.PROPOSED
    client.post(f"/uebergaben/{benefits.pk}/ablehnen/", {"reject-version": "1", "reject-reason": "verzogen"})
    assert HandOver.objects.get(pk=benefits.pk).state == HandOverState.REJECTED


def test_reroute_to_a_wrong_agency_is_explained(login, s, benefits):
    other = AgencyFactory(kind="JC", code="JC-ZZ", name="Jobcenter Anderswo")
    response = login(s.jc).post(f"/uebergaben/{benefits.pk}/umleiten/", {
        "reroute-version": "1", "reroute-to_agency": str(other.pk), "reroute-reason": "andere Stelle"})
    assert response.status_code == 422
    assert "nicht für „Leistungen nach SGB II“ in der Gemeinde Ludwigsburg zuständig" in response.content.decode()


def test_others_cannot_see_it(login, s, benefits, make_user):
    assert login(make_user("STADT", "caseworker")).get(f"/uebergaben/{benefits.pk}/").status_code == 404
    refused = login(s.lra).post(f"/uebergaben/{benefits.pk}/annehmen/", {"accept-version": "1"})
    assert refused.status_code == 403 and "Nur die übernehmende Behörde" in refused.content.decode()
    assert HandOver.objects.get(pk=benefits.pk).state == HandOverState.PROPOSED


def test_person_panel_lists_and_proposes(login, s, district):
    client = login(s.lra)
    html = client.get(f"/personen/{s.person.pk}/uebergaben/").content.decode()
    assert "Übergabe vorschlagen" in html and problems(html) == []
    bad = client.post(f"/personen/{s.person.pk}/uebergaben/", {
        "function": "benefits_sgb2", "to_agency": str(district["JC"].pk), "reason": "Anerkennung",
        "effective_date": (date.today() - timedelta(days=120)).strftime("%d.%m.%Y")})
    assert bad.status_code == 422 and "mehr als 90 Tage zurück" in bad.content.decode()
    good = client.post(f"/personen/{s.person.pk}/uebergaben/", {
        "function": "benefits_sgb2", "to_agency": str(district["JC"].pk), "reason": "Anerkennung",
        "effective_date": date.today().strftime("%d.%m.%Y")})
    assert good.status_code == 302
    html = client.get(f"/personen/{s.person.pk}/uebergaben/").content.decode()
    assert "vorgeschlagen" in html and 'aria-current="page"' in html


def test_team_view_only_for_team_leads(login, s, benefits):
    html = login(s.jc_lead).get("/uebergaben/team/").content.decode()
    assert f"/uebergaben/{benefits.pk}/" in html and problems(html) == []
    assert login(s.jc).get("/uebergaben/team/").status_code == 403


def test_bulk_preview_confirm_progress_and_csv(login, s, district):
    for i in range(2):
        p = make_person(district, s.lra, s.aa, family="Bondarenko", given=f"Iryna {i}", arrival=date(2022, 3, 10),
                        nationalities=("UKR",))
        record(s.lra, p, "einreise", date(2022, 3, 10))
        record(s.lra, p, "fiktion", date(2022, 3, 15))
    client = login(s.jc_lead)
    assert problems(client.get("/uebergaben/sammel/neu/").content.decode()) == []
    data = {"status": ["fiktion"], "nationality": "UKR", "landkreis": "LK-LB", "function": "benefits_sgb2",
            "to_agency": str(district["JC"].pk), "effective_date": date.today().replace(day=1).strftime("%d.%m.%Y"),
            "reason": "Rechtskreiswechsel", "legal_basis": "§74 SGB II"}
    html = client.post("/uebergaben/sammel/neu/", data).content.decode()
    assert "Die Auswahl trifft auf 2 Personen zu." in html and 'name="confirm" value="2"' in html
    assert problems(html) == [] and not BulkHandOverJob.objects.exists()
    empty = client.post("/uebergaben/sammel/neu/", {**data, "nationality": "SYR", "confirm": "2"})
    assert empty.status_code == 422 and "keine Person" in empty.content.decode()
    response = client.post("/uebergaben/sammel/neu/", {**data, "confirm": "2"})
    job = BulkHandOverJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/uebergaben/sammel/{job.pk}/"
    bulk.process_job(job.pk)
    html = client.get(f"/uebergaben/sammel/{job.pk}/").content.decode()
    assert "2 von 2 Personen bearbeitet" in html and "Bondarenko, Iryna 0" in html and problems(html) == []
    csv_text = b"".join(client.get(f"/uebergaben/sammel/{job.pk}/bericht.csv").streaming_content).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("person_id;name") and "erledigt" in csv_text
    assert login(s.jc).get("/uebergaben/sammel/neu/").status_code == 403


def test_english_labels(login, s, benefits):
    client = login(s.jc)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/uebergaben/{benefits.pk}/").content.decode()
    assert "Accept hand-over" in html and "Summary of the file" in html
    assert "Hand-overs" in client.get("/uebergaben/").content.decode()


# --- browser: recognition → hand-over at the Jobcenter → accept → SGB II from the right date -------------

@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_recognition_to_sgb2_in_the_browser(page, live_server, district):
    from stella.tests.factories import PASSWORD

    sc = scene(district)
    add_address(actor=Actor.for_user(sc.lra), person_id=sc.person.pk,
                address=AddressIn("Ludwigsburg", date(2016, 1, 1), accommodation="private"))
    final = recent_final_date()
    record(sc.lra, sc.person, "asylgesuch", date(2015, 9, 3))
    record(sc.lra, sc.person, "gestattung", date(2015, 10, 1))
    record(sc.lra, sc.person, "bamf_entscheidung", final - timedelta(days=14), "fluechtlingsschutz")
    base, switch = live_server.url, date.today().replace(day=1)

    def log_in(user):
        page.goto(f"{base}/login/")
        page.get_by_label("Benutzername").fill(user.username)
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{base}/")

    # The Landratsamt enters that the recognition became final.
    log_in(sc.lra)
    page.goto(f"{base}/personen/{sc.person.pk}/verlauf/")
    page.locator("#id_kind").select_option("rechtskraft")
    page.locator("#id_effective_date").fill(final.strftime("%d.%m.%Y"))
    page.get_by_role("button", name="Ereignis erfassen").click()
    page.wait_for_url(f"{base}/personen/{sc.person.pk}/verlauf/")
    page.get_by_role("button", name="Abmelden").click()

    # The Jobcenter finds the proposal in its inbox and accepts it.
    log_in(sc.jc)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Übergaben").click()
    row = page.locator("table tbody tr", has_text="Leistungen nach SGB II")
    expect(row.get_by_text(switch.strftime("%d.%m.%Y"))).to_be_visible()
    row.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Zusammenfassung der Akte")).to_be_visible()
    page.get_by_role("button", name="Übergabe annehmen").click()
    expect(page.get_by_role("status")).to_contain_text("angenommen")

    # The file's journey shows SGB II from the first of the month after the final decision.
    page.goto(f"{base}/personen/{sc.person.pk}/verlauf/")
    switch_row = page.locator("table tbody tr", has_text=switch.strftime("%d.%m.%Y")).first
    expect(switch_row).to_contain_text("SGB II")
    expect(switch_row).to_contain_text("Rechtskreiswechsel")
    assert HandOver.objects.get(person=sc.person, function=Function.BENEFITS_SGB2).state == HandOverState.ACCEPTED
