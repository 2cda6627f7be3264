"""The Dubletten pages: queue, candidate side by side, decisions with German errors, runs; refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from stella.linkage.models import CandidateState, LinkCandidate, LinkRun

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_nav_queue_and_candidate_page(world):
    c = _client(world["jc"])
    html = c.get("/").content.decode()
    assert 'href="/dubletten/"' in html and "Dubletten" in html
    r = c.get("/dubletten/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "90 %" in html and 'dir="auto"' in html and f'href="/dubletten/{world["cand"].pk}/"' in html
    assert '<th scope="col">' in html
    r = c.get(f"/dubletten/{world['cand'].pk}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "Aleppo" in html and "Halab" not in html  # the other file's birthplace stays hidden
    assert "<td>Syrien</td>" in html  # the birth country by name, not as code
    assert "kein Zugriff" in html and "spricht stark dafür" in html
    assert "Verschiedene Personen" in html and "Gleiche Person bestätigen" in html
    assert 'name="distinct-version" value="1"' in html


def test_filter_and_bad_filter(world):
    c = _client(world["jc"])
    assert "Keine Prüffälle." in c.get("/dubletten/", {"stand": "distinct"}).content.decode()
    r = c.get("/dubletten/", {"stand": "kaputt"})
    assert r.status_code == 200 and "keine gültige Auswahl" in r.content.decode()


def test_distinct_needs_a_reason_then_succeeds(world):
    c = _client(world["jc"])
    url = f"/dubletten/{world['cand'].pk}/verschieden/"
    r = c.post(url, {"distinct-version": "1", "distinct-note": ""})
    assert r.status_code == 422 and "Bitte begründen Sie die Entscheidung." in r.content.decode()
    r = c.post(url, {"distinct-version": "9", "distinct-note": "Brüder"})
    assert r.status_code == 409 and "inzwischen geändert" in r.content.decode()
    assert LinkCandidate.objects.get().state == CandidateState.OPEN
    r = c.post(url, {"distinct-version": "1", "distinct-note": "Brüder"})
    assert r.status_code == 302
    assert LinkCandidate.objects.get().state == CandidateState.DISTINCT
    assert c.get(url).status_code == 302  # GET only redirects


def test_confirm_without_access_to_the_other_file_waits(world):
    c = _client(world["jc"])
    r = c.post(f"/dubletten/{world['cand'].pk}/gleich/", {"confirm-version": "1", "confirm-note": ""})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert "wartet auf die Zustimmung" in page
    other = _client(world["lra"]).get("/dubletten/").content.decode()
    assert "wartet auf Ihre Behörde" in other


@pytest.mark.parametrize(("kind", "role", "status"), [("AA", "caseworker", 404), ("KT", "caseworker", 404),
                                                      ("JC", "analyst", 403)])
def test_refusals(world, make_user, kind, role, status):
    c = _client(make_user(kind, role))
    assert c.get(f"/dubletten/{world['cand'].pk}/").status_code == status
    assert c.post(f"/dubletten/{world['cand'].pk}/verschieden/",
                  {"distinct-version": "1", "distinct-note": "x"}).status_code in (status, 404)
    assert LinkCandidate.objects.get().state == CandidateState.OPEN
    if kind != "AA":
        assert c.get("/dubletten/").status_code == 403


def test_runs_page_start_and_refusal(world, make_user):
    lead = _client(make_user("JC", "team_lead"))
    html = lead.get("/dubletten/laeufe/").content.decode()
    assert "Lauf für unseren Landkreis starten" in html
    r = lead.post("/dubletten/laeufe/")
    assert r.status_code == 302 and LinkRun.objects.count() == 1
    r = lead.post("/dubletten/laeufe/")
    assert r.status_code == 422 and "bereits ein Dublettenlauf" in r.content.decode()
    worker = _client(world["jc"])
    assert "Lauf für unseren Landkreis starten" not in worker.get("/dubletten/laeufe/").content.decode()
    assert worker.post("/dubletten/laeufe/").status_code == 403
    assert LinkRun.objects.count() == 1


def test_registration_warning_shows_probability_and_evidence(world):
    c = _client(world["jc"])
    r = c.post("/personen/neu/", {"family_name": "Alhassan", "given_names": "Mohamad", "sex": "m",
                                  "birth_date": "17.05.1990", "nationality": "SYR", "birth_date_precision": ""})
    html = r.content.decode()
    assert r.status_code == 200 and "Möglicherweise bereits registriert" in html
    assert "Wahrscheinlichkeit" in html and "Geburtsdatum: gleiches Geburtsdatum" in html
