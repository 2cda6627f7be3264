"""Matching through the API and the web UI: lists with explanations, why-not, bad input and refusals."""

from __future__ import annotations

import os
from datetime import date

import pytest
from django.conf import settings
from django.test import Client

from stella.accounts.services import issue_token
from stella.audit.models import AuditEvent, Outcome
from stella.matching.tests import matching_setup as ms

BASE = "/api/v1"


@pytest.fixture(autouse=True)
def _static_root():
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)


@pytest.fixture
def jc(make_user):
    return make_user("JC", "caseworker")


@pytest.fixture
def anna(jc, district):
    return ms.cook(jc, district)


@pytest.fixture
def offers(district):
    return {"course": ms.offer(district, title="Integrationskurs B1"),
            "cook": ms.offer(district, kind="vacancy", code="29302", title="Koch/Köchin", target_level=""),
            "chef": ms.offer(district, kind="vacancy", min_german_level="B2", title="Küchenchef", target_level="")}


def api(user):
    client = Client()
    headers = {"Authorization": f"Bearer {issue_token(user=user)[1]}"}

    def get(path, **params):
        return client.get(BASE + path, params, headers=headers)

    return get


def web(user):
    client = Client()
    client.force_login(user)
    return client


# --- API -----------------------------------------------------------------------------------------------

def test_api_person_matches(jc, anna, offers) -> None:
    res = api(jc)(f"/persons/{anna.pk}/matches", on="2026-03-02")
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["score_version"] == "2026.1" and body["more"] is False and len(body["matches"]) == 2
    assert [m["offer"]["title"] for m in body["matches"]][0] in {"Koch/Köchin", "Integrationskurs B1"}
    first = body["matches"][0]
    assert first["eligible"] is True and len(first["score"]["parts"]) == 8
    assert all(p["explanation"] and 0 <= p["points"] <= p["max"] for p in first["score"]["parts"])
    assert body["ineligible"] == []
    res = api(jc)(f"/persons/{anna.pk}/matches", on="2026-03-02", include_ineligible="true", kind="vacancy")
    body = res.json()
    assert [m["offer"]["title"] for m in body["matches"]] == ["Koch/Köchin"]
    assert body["ineligible"][0]["failures"][0] == {
        "rule": "level", "label": "Deutschniveau", "message": "Das Angebot setzt Deutsch B2 voraus; erfasst ist A2.",
        "basis": ""}


def test_api_bad_input_and_refusals(jc, anna, make_user) -> None:
    bad = api(jc)(f"/persons/{anna.pk}/matches", kind="kochkurs", limit=0)
    assert bad.status_code == 422
    assert api(jc)(f"/persons/{anna.pk}/matches", on="02.03.2026").status_code == 422
    assert api(jc)("/persons/424242/matches").status_code == 404
    lra = make_user("LRA", "caseworker")
    refused = api(lra)(f"/persons/{anna.pk}/matches")
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(person_id=anna.pk, outcome=Outcome.DENIED, categories=["placement"]).exists()
    assert api(jc)("/offers/424242/matches").status_code == 404


def test_api_offer_matches_and_explanation(jc, anna, offers) -> None:
    cook = offers["cook"]
    res = api(jc)(f"/offers/{cook.pk}/matches", on="2026-03-02")
    assert res.status_code == 200, res.content
    body = res.json()
    assert [m["person_id"] for m in body["matches"]] == [anna.pk] and body["more"] is False
    assert body["matches"][0]["name"] == "Al-Hassan, Mohammed" or body["matches"][0]["name"]
    why = api(jc)(f"/persons/{anna.pk}/matches/{offers['chef'].pk}", on="2026-03-02").json()
    assert why["status"] == "rule_failed" and why["failures"][0]["rule"] == "level" and why["score"] is None
    ok = api(jc)(f"/persons/{anna.pk}/matches/{cook.pk}", on="2026-03-02").json()
    assert ok["status"] == "eligible" and ok["score"]["total"] > 0 and ok["offer"]["free_seats"] == 20


def test_openapi_documents_the_matching_paths(jc) -> None:
    paths = Client().get(BASE + "/openapi.json").json()["paths"]
    assert {"/api/v1/persons/{person_id}/matches", "/api/v1/offers/{offer_id}/matches",
            "/api/v1/persons/{person_id}/matches/{offer_id}"} <= set(paths)


# --- web -----------------------------------------------------------------------------------------------

def test_person_page_lists_offers_with_criteria(jc, anna, offers) -> None:
    res = web(jc).get(f"/personen/{anna.pk}/passende-angebote/", {"stichtag": "02.03.2026"})
    assert res.status_code == 200
    html = res.content.decode()
    assert "Passende Angebote" in html and "Koch/Köchin" in html and "Küchenchef" not in html
    assert "<details class=\"match-explanation\">" in html
    assert "Gleicher Beruf wie in Erfahrung oder Qualifikation (KldB 29302)." in html
    assert '<th scope="row">Beruf</th>' in html
    res = web(jc).get(f"/personen/{anna.pk}/passende-angebote/", {"stichtag": "02.03.2026", "ungeeignete": "on"})
    html = res.content.decode()
    assert "Küchenchef" in html and "Das Angebot setzt Deutsch B2 voraus" in html


def test_person_page_bad_input_and_refusal(jc, anna, make_user) -> None:
    res = web(jc).get(f"/personen/{anna.pk}/passende-angebote/", {"stichtag": "31.02.2026"})
    assert res.status_code == 200 and "Fehler" in res.content.decode()
    lra = make_user("LRA", "caseworker")
    refused = web(lra).get(f"/personen/{anna.pk}/passende-angebote/")
    assert refused.status_code == 403 and "Vermittlung" in refused.content.decode()


def test_offer_page_lists_persons(jc, anna, offers) -> None:
    res = web(jc).get(f"/angebote/{offers['cook'].pk}/passende-personen/", {"stichtag": "02.03.2026"})
    assert res.status_code == 200
    html = res.content.decode()
    assert "Passende Personen" in html and "Al-Hassan" in html and "match-explanation" in html
    assert web(jc).get("/angebote/424242/passende-personen/").status_code == 404


def test_explanation_page(jc, anna, offers) -> None:
    res = web(jc).get(f"/personen/{anna.pk}/passende-angebote/{offers['chef'].pk}/", {"stichtag": "02.03.2026"})
    assert res.status_code == 200
    html = res.content.decode()
    assert "Regel nicht erfüllt" in html and "Deutschniveau" in html
    ok = web(jc).get(f"/personen/{anna.pk}/passende-angebote/{offers['cook'].pk}/", {"stichtag": "02.03.2026"})
    assert "Geeignet:" in ok.content.decode()


def test_pages_need_a_login(anna) -> None:
    assert Client().get(f"/personen/{anna.pk}/passende-angebote/").status_code == 302
    assert Client().get("/angebote/1/passende-personen/").status_code == 302
    assert date(2026, 3, 2) == ms.ON
