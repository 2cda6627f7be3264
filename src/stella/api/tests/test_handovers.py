"""Hand-overs over the API: in/outbox, detail with summary, propose, accept/reject/re-route/complete with
versions (409 when stale), problem details on bad input, and the bulk endpoints incl. the CSV report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from stella.agencies.models import Function
from stella.api.tests.conftest import fields, problem
from stella.journey import bulk
from stella.journey.models import BulkHandOverJob, HandOver
from stella.journey.tests.handover_setup import (
    first_of_this_month,
    recent_final_date,
    recognise,
    record,
    scene,
)
from stella.people.services import AddressIn, add_address
from stella.tests.factories import AgencyFactory


@pytest.fixture
def s(district):
    sc = scene(district)
    from stella.core.actor import Actor

    add_address(actor=Actor.for_user(sc.lra), person_id=sc.person.pk,
                address=AddressIn("Ludwigsburg", date(2016, 1, 1), accommodation="private"))
    return sc


@pytest.fixture
def benefits(s):
    recognise(s.lra, s.person, recent_final_date())
    return HandOver.objects.get(person=s.person, function=Function.BENEFITS_SGB2)


def test_inbox_and_outbox(s, benefits, as_user):
    body = as_user(s.jc).get("/handovers", state="open").json()
    assert body["count"] == 2 and {i["to_agency"] for i in body["items"]} == {"JC-LB"}
    item = next(i for i in body["items"] if i["id"] == benefits.pk)
    assert item["person_name"] == "Al-Hassan, Mohammed" and item["from_agency"] == "LRA-LB"
    assert item["effective_date"] == first_of_this_month().isoformat() and item["version"] == 1
    assert as_user(s.jc).get("/handovers", direction="out").json()["count"] == 0
    assert as_user(s.lra).get("/handovers", direction="out").json()["count"] == 2
    assert fields(problem(as_user(s.jc).get("/handovers", direction="sideways"), 422)) == {"direction"}


def test_detail_has_the_summary_and_the_allowed_actions(s, benefits, as_user, make_user):
    body = as_user(s.jc).get(f"/handovers/{benefits.pk}").json()
    assert body["summary"]["for_agency"] == "JC-LB" and body["summary_complete"]
    assert body["actions"] == {"accept": True, "reject": True, "reroute": True, "complete": False}
    problem(as_user(make_user("STADT", "caseworker")).get(f"/handovers/{benefits.pk}"), 404)
    problem(as_user(s.jc).get("/handovers/999999"), 404)


def test_accept_with_the_read_version_then_stale_is_409(s, benefits, as_user):
    client = as_user(s.jc)
    response = client.post(f"/handovers/{benefits.pk}/accept", {"version": 1})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "accepted" and response.json()["version"] == 2
    body = problem(client.post(f"/handovers/{benefits.pk}/accept", {"version": 1}), 409)
    assert body["current_version"] == 2 and body["changes"][0]["value"] == "accepted"
    done = client.post(f"/handovers/{benefits.pk}/complete", {"version": 2})
    assert done.status_code == 200 and done.json()["state"] == "completed"


def test_refusals_and_bad_input(s, benefits, as_user):
    assert problem(as_user(s.lra).post(f"/handovers/{benefits.pk}/accept", {"version": 1}), 403)["detail"].startswith(
        "Nur die übernehmende Behörde")
    assert fields(problem(as_user(s.jc).post(f"/handovers/{benefits.pk}/reject", {"version": 1, "reason": ""}),
                          422)) == {"reason"}
    assert fields(problem(as_user(s.jc).post(f"/handovers/{benefits.pk}/accept", {}), 422)) == {"version"}
    assert fields(problem(as_user(s.jc).post(f"/handovers/{benefits.pk}/complete", {"version": 1}), 422)) == {"state"}
    assert HandOver.objects.get(pk=benefits.pk).state == "proposed"


def test_reject_and_reroute(s, district, benefits, as_user):
    AgencyFactory(kind="JC", code="JC-ZZ", name="Jobcenter Anderswo")
    body = problem(as_user(s.jc).post(f"/handovers/{benefits.pk}/reroute",
                                      {"version": 1, "to_agency": "JC-ZZ", "reason": "falsch"}), 422)
    assert fields(body) == {"to_agency"} and "nicht für" in body["detail"]
    assert fields(problem(as_user(s.jc).post(f"/handovers/{benefits.pk}/reroute",
                                             {"version": 1, "to_agency": "XX-0", "reason": "x"}), 422)) == {"to_agency"}
    labour = HandOver.objects.get(person=s.person, function=Function.LABOUR_SGB2)
    rejected = as_user(s.jc).post(f"/handovers/{labour.pk}/reject", {"version": 1, "reason": "zieht weg"})
    assert rejected.status_code == 200 and rejected.json()["decision_note"] == "zieht weg"


def test_propose_by_hand(s, district, as_user):
    client = as_user(s.lra)
    good = {"person_id": s.person.pk, "function": "benefits_sgb2", "to_agency": "JC-LB", "reason": "Anerkennung",
            "effective_date": (date.today() + timedelta(days=3)).isoformat()}
    AgencyFactory(kind="JC", code="JC-ZZ", name="Jobcenter Anderswo")
    assert fields(problem(client.post("/handovers", {**good, "to_agency": "JC-ZZ"}), 422)) == {"to_agency"}
    old = (date.today() - timedelta(days=200)).isoformat()
    assert "90 Tage" in problem(client.post("/handovers", {**good, "effective_date": old}), 422)["detail"]
    assert fields(problem(client.post("/handovers", {**good, "effective_date": "2024-02-30"}), 422)) == {
        "effective_date"}
    assert fields(problem(client.post("/handovers", {**good, "extra": 1}), 422)) == {"extra"}
    assert not HandOver.objects.exists()
    created = client.post("/handovers", good)
    assert created.status_code == 201 and created.json()["from_agency"] == "LRA-LB"
    assert fields(problem(client.post("/handovers", good), 422)) == {"function"}  # one open per function


# --- bulk -----------------------------------------------------------------------------------------------

@pytest.fixture
def ukrainians(s, district):
    from stella.journey.tests.handover_setup import make_person

    people = []
    for i in range(3):
        p = make_person(district, s.lra, s.aa, family="Shevchenko", given=f"Taras {i}", arrival=date(2022, 3, 10),
                        nationalities=("UKR",))
        record(s.lra, p, "einreise", date(2022, 3, 10))
        record(s.lra, p, "fiktion", date(2022, 3, 15))
        people.append(p)
    return people


def bulk_body(**extra):
    return {"criteria": {"status": ["fiktion"], "nationality": ["UKR"], "landkreis": "LK-LB"},
            "function": "benefits_sgb2", "to_agency": "JC-LB", "effective_date": first_of_this_month().isoformat(),
            "reason": "Rechtskreiswechsel", "legal_basis": "§74 SGB II", **extra}


def test_bulk_preview_create_progress_items_and_csv(s, ukrainians, as_user):
    client = as_user(s.jc_lead)
    preview = client.post("/handovers/bulk/preview", bulk_body())
    assert preview.json() == {"count": 3, "by_municipality": [{"municipality": "Ludwigsburg", "count": 3}]}
    created = client.post("/handovers/bulk", bulk_body())
    assert created.status_code == 201, created.content
    job = created.json()
    assert job["total"] == 3 and job["counts"]["pending"] == 3 and job["state"] == "queued"
    bulk.process_job(job["id"])
    status = client.get(f"/handovers/bulk/{job['id']}").json()
    assert status["state"] == "done" and status["counts"]["done"] == 3 and status["percent"] == 100
    items = client.get(f"/handovers/bulk/{job['id']}/items", state="done").json()
    assert items["count"] == 3 and items["items"][0]["state_label"] == "erledigt"
    report = client.get(f"/handovers/bulk/{job['id']}/report.csv")
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == ";".join(bulk.REPORT_HEADER) and len(lines) == 4 and "Shevchenko, Taras 0" in text
    assert client.get("/handovers/bulk").json()["count"] == 1


def test_bulk_bad_input_and_rights(s, ukrainians, as_user):
    client = as_user(s.jc_lead)
    body = problem(client.post("/handovers/bulk", bulk_body(criteria={"status": ["duldung_60a"]})), 422)
    assert fields(body) == {"criteria"} and "keine Person" in body["detail"]
    assert not BulkHandOverJob.objects.exists()
    assert "criteria.status" in fields(problem(client.post("/handovers/bulk", bulk_body(
        criteria={"status": ["nix"]})), 422))
    assert fields(problem(client.post("/handovers/bulk", bulk_body(criteria={"farbe": "blau"})), 422)) == {
        "criteria.farbe"}
    problem(as_user(s.jc).post("/handovers/bulk", bulk_body()), 403)
    problem(client.get("/handovers/bulk/424242"), 404)
