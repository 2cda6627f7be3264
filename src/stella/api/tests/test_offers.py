"""/api/v1/offers, /enrolments, /persons/{id}/enrolments|placements, /placements: round trips, problem details,
access (Kursträger, other agencies) and audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stella.api.tests.conftest import fields, problem
from stella.audit.models import AuditEvent
from stella.competences.models import LanguageAssessment
from stella.matching.facts import Failure
from stella.offers import services
from stella.offers.tests.conftest import allow_all_rules
from stella.rules.dates import add_months
from stella.tests.factories import make_municipality, register


def day(offset: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


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
def jc(make_user):
    return make_user("JC", "caseworker", username="jc-anna")


def course_body(place, **changes):
    body = {"kind": "integration_course", "title": "Integrationskurs Abend", "provider": "VHS Ludwigsburg",
            "municipality_id": place.pk, "starts_on": day(-10), "ends_on": day(150), "seats": 1,
            "target_level": "B1", "provider_agency": "KT-LB", "childcare": True}
    body.update(changes)
    return body


def test_offer_round_trip(as_user, jc, place):
    api = as_user(jc)
    created = api.post("/offers", course_body(place))
    assert created.status_code == 201, created.content
    offer = created.json()
    assert offer["owner"] == "JC-LB" and offer["provider_agency"] == "KT-LB" and offer["free_seats"] == 1
    assert offer["district"] == "Ludwigsburg" and offer["kind_label"] == "Integrationskurs"
    listed = api.get("/offers", childcare="true", text="abend").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == offer["id"]
    assert api.get("/offers", kind="vacancy").json()["count"] == 0
    changed = api._send("put", f"/offers/{offer['id']}", {**course_body(place, seats=3), "version": 1})
    assert changed.status_code == 200, changed.content
    assert changed.json()["seats"] == 3 and changed.json()["version"] == 2
    stale = api._send("put", f"/offers/{offer['id']}", {**course_body(place), "version": 1})
    body = problem(stale, 409)
    assert body["current_version"] == 2 and body["changes"][0]["fields"] == ["seats"]
    closed = api.post(f"/offers/{offer['id']}/close")
    assert closed.json()["state"] == "closed"
    assert api.get("/offers").json()["count"] == 0 and api.get("/offers", state="all").json()["count"] == 1


def test_offer_validation_problems(as_user, jc, place):
    api = as_user(jc)
    body = problem(api.post("/offers", course_body(place, target_level="MT", seats=0, provider_agency="AA-LB",
                                                   ends_on=day(-20))), 422)
    assert {"seats"} <= fields(body)  # schema check first (ge=1)
    body = problem(api.post("/offers", course_body(place, target_level="MT", provider_agency="AA-LB",
                                                   ends_on=day(-20))), 422)
    assert fields(body) == {"target_level", "provider_agency_id", "ends_on"}
    assert problem(api.post("/offers", course_body(place, kind="cooking")), 422)["errors"][0]["field"] == "kind"
    assert problem(api.post("/offers", {**course_body(place), "colour": "red"}), 422)
    assert problem(api.post("/offers", course_body(place, kind="vacancy", target_level="")), 422)


def test_offer_create_refused_for_kurstraeger(as_user, kt, place):
    body = problem(as_user(kt).post("/offers", course_body(place)), 403)
    assert "Angebote legen" in body["detail"]


def test_enrolment_flow_over_the_api(as_user, jc, kt, place):
    api = as_user(jc)
    offer = api.post("/offers", course_body(place)).json()
    first, second = register(jc), register(jc, family="Haidari", given="Zahra", birth=None)
    direct = api.post(f"/offers/{offer['id']}/enrolments", {"person_id": first.pk, "direct": True})
    assert direct.status_code == 201, direct.content
    assert direct.json()["state"] == "enrolled" and direct.json()["waiting_position"] is None
    waiting = api.post(f"/offers/{offer['id']}/enrolments", {"person_id": second.pk}).json()
    assert waiting["state"] == "waiting" and waiting["waiting_position"] == 1
    full = problem(api.post(f"/enrolments/{waiting['id']}/admit", {}), 422)
    assert full["errors"][0]["field"] == "offer" and full["detail"].startswith("Das Angebot ist voll (1 von 1")
    roster = api.get(f"/offers/{offer['id']}/enrolments").json()
    assert [r["enrolment"]["person_id"] for r in roster["enrolled"]] == [first.pk]
    assert roster["waiting"][0]["waiting_position"] == 1 and roster["hidden"] == 0
    eid = direct.json()["id"]
    provider = as_user(kt)
    att = provider.post(f"/enrolments/{eid}/attendance", {"day": day(0), "present": True})
    assert att.status_code == 201, att.content
    assert problem(provider.post(f"/enrolments/{eid}/attendance", {"day": day(0), "present": False}), 422)
    assert problem(provider.post(f"/enrolments/{waiting['id']}/admit", {}), 403)
    assert provider.get(f"/enrolments/{eid}/attendance").json()[0]["present"] is True
    done = api.post(f"/enrolments/{eid}/complete", {"ended_on": day(0), "result_level": "B1",
                                                    "result_note": "DTZ B1"})
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "completed" and done.json()["attendance"]["present"] == 1
    assert LanguageAssessment.objects.filter(person=first, speaking="B1").exists()
    admitted = api.post(f"/enrolments/{waiting['id']}/admit", {})
    assert admitted.json()["state"] == "enrolled"
    dropped = api.post(f"/enrolments/{waiting['id']}/drop", {"reason": "Umzug"})
    assert dropped.json()["state"] == "dropped" and dropped.json()["reason"] == "Umzug"
    mine = api.get(f"/persons/{second.pk}/enrolments").json()
    assert [e["state"] for e in mine] == ["dropped"]


def test_rule_refusal_over_the_api(as_user, jc, place, monkeypatch):
    api = as_user(jc)
    offer = api.post("/offers", course_body(place)).json()
    person = register(jc)
    monkeypatch.setattr(services, "rule_failures", lambda person_id, offer: [
        Failure("legal_access", "Kein Zugang zum Integrationskurs.", basis="§44 Abs. 4 AufenthG")])
    body = problem(api.post(f"/offers/{offer['id']}/enrolments", {"person_id": person.pk, "direct": True}), 422)
    assert body["errors"][0]["field"] == "rules" and "§44 Abs. 4 AufenthG" in body["detail"]
    assert api.get(f"/persons/{person.pk}/enrolments").json() == []


def test_other_agency_and_kurstraeger_get_404(as_user, jc, kt, make_user, place):
    offer = as_user(jc).post("/offers", course_body(place, provider_agency=None)).json()
    person = register(jc)
    eid = as_user(jc).post(f"/offers/{offer['id']}/enrolments", {"person_id": person.pk}).json()["id"]
    problem(as_user(kt).get(f"/enrolments/{eid}"), 404)
    problem(as_user(kt).get(f"/persons/{person.pk}/enrolments"), 404)
    aa = make_user("AA", "caseworker")
    problem(as_user(aa).get(f"/enrolments/{eid}"), 404)
    assert as_user(aa).get(f"/offers/{offer['id']}/enrolments").json()["hidden"] == 1
    assert AuditEvent.objects.filter(outcome="denied", object_type="enrolment", object_id=str(eid)).exists()


def test_placement_round_trip(as_user, jc, kldb):
    api = as_user(jc)
    person = register(jc)
    start = add_months(timezone.localdate(), -7).isoformat()
    created = api.post(f"/persons/{person.pk}/placements", {"kind": "employment", "employer": "Hotel Krone",
                                                            "starts_on": start, "occupation_code": "29302"})
    assert created.status_code == 201, created.content
    p = created.json()
    assert p["occupation_code"] == "29302" and p["outcome_6m_due"] <= day(0) < p["outcome_12m_due"]
    early = problem(api.post(f"/placements/{p['id']}/outcome", {"months": 12, "outcome": "employed"}), 422)
    assert "kann erst ab dem" in early["detail"]
    assert problem(api.post(f"/placements/{p['id']}/outcome", {"months": 9, "outcome": "employed"}), 422)
    ok = api.post(f"/placements/{p['id']}/outcome", {"months": 6, "outcome": "employed"})
    assert ok.status_code == 200 and ok.json()["outcome_6m"] == "employed"
    ended = api.post(f"/placements/{p['id']}/end", {"ends_on": day(-1), "reason": "Probezeit"})
    assert ended.json()["ends_on"] == day(-1)
    assert [x["id"] for x in api.get(f"/persons/{person.pk}/placements").json()] == [p["id"]]
    bad = problem(api.post(f"/persons/{person.pk}/placements", {"kind": "employment", "employer": "X",
                                                                "starts_on": start, "occupation_code": "12"}), 422)
    assert fields(bad) == {"occupation_code"}
