"""The duplicates API: runs, queue, candidate detail, decisions, problem details; the duplicate warning in
the persons API (probability and evidence, shapes kept)."""

from __future__ import annotations

import pytest

from stella.api.tests.conftest import fields, problem
from stella.linkage.models import CandidateState, LinkCandidate, LinkRun

pytestmark = pytest.mark.django_db


def test_queue_detail_and_decisions(world, as_user):
    jc = as_user(world["jc"])
    r = jc.get("/duplicates/candidates")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 1 and body["items"][0]["id"] == world["cand"].pk
    item = body["items"][0]
    assert item["probability"] == 0.9 and item["person_a"]["id"] == world["a"].pk and item["version"] == 1
    assert item["person_b"]["agencies"]
    d = jc.get(f"/duplicates/candidates/{world['cand'].pk}").json()
    b_fields = {f["label"]: f["value"] for f in d["b"]["fields"]}
    assert b_fields["Geburtsort"] is None and b_fields["Geburtsdatum"] == "17.05.1990"
    assert {e["field"] for e in d["evidence"] if e["hidden"]} == {"birth_place", "sex"}
    r = jc.post(f"/duplicates/candidates/{world['cand'].pk}/confirm", {"version": 1, "note": "gleiche AZR"})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "confirmed" and r.json()["version"] == 2
    lra = as_user(world["lra"])
    assert lra.get("/duplicates/candidates").json()["items"][0]["waiting_for_you"] is True
    r = lra.post(f"/duplicates/candidates/{world['cand'].pk}/distinct", {"version": 2, "note": "anderer Vater"})
    assert r.json()["state"] == "distinct"


def test_decision_problems(world, as_user):
    jc = as_user(world["jc"])
    url = f"/duplicates/candidates/{world['cand'].pk}/distinct"
    assert "note" in fields(problem(jc.post(url, {"version": 1, "note": ""}), 422))
    assert "version" in fields(problem(jc.post(url, {"note": "x"}), 422))
    problem(jc.post(url, {"version": 1, "note": "x", "extra": 1}), 422)
    body = problem(jc.post(url, {"version": 5, "note": "x"}), 409)
    assert body["current_version"] == 1
    problem(jc.get("/duplicates/candidates", state="kaputt"), 422)
    problem(jc.get("/duplicates/candidates/999999"), 404)
    assert LinkCandidate.objects.get().state == CandidateState.OPEN


@pytest.mark.parametrize(("kind", "role"), [("AA", "caseworker"), ("KT", "caseworker"), ("JC", "analyst")])
def test_others_see_nothing(world, as_user, make_user, kind, role):
    client = as_user(make_user(kind, role))
    assert client.get("/duplicates/candidates").json()["count"] == 0
    problem(client.get(f"/duplicates/candidates/{world['cand'].pk}"), 404)
    problem(client.post(f"/duplicates/candidates/{world['cand'].pk}/confirm", {"version": 1}), 404)


def test_runs(world, as_user, make_user):
    lead = as_user(make_user("JC", "team_lead"))
    r = lead.post("/duplicates/runs", {})
    assert r.status_code == 201, r.content
    run = r.json()
    assert run["district"] == "LK-LB" and run["state"] == "queued"
    assert lead.get("/duplicates/runs").json()["items"][0]["id"] == run["id"]
    assert lead.get(f"/duplicates/runs/{run['id']}").json()["state_label"] == "wartet"
    assert "district" in fields(problem(lead.post("/duplicates/runs", {}), 422))  # already in work
    problem(lead.post("/duplicates/runs", {"district": "LK-NIRGENDS"}), 422)
    problem(as_user(world["jc"]).post("/duplicates/runs", {}), 403)
    problem(as_user(make_user("KT", "caseworker")).get(f"/duplicates/runs/{run['id']}"), 404)
    assert LinkRun.objects.count() == 1


def test_anonymous_is_refused(anonymous):
    assert anonymous.get("/duplicates/candidates").status_code == 401


def test_similar_and_registration_answer_with_probability_and_evidence(world, as_user):
    jc = as_user(world["jc"])
    r = jc.get("/persons/similar", family_name="Alhassan", given_names="Mohamad", birth_date="1990-05-17",
               sex="m", nationality="SYR")
    assert r.status_code == 200, r.content
    hits = r.json()
    assert {h["id"] for h in hits} == {world["a"].pk, world["b"].pk}
    assert all({"display_name", "names", "probability", "evidence"} <= set(h) for h in hits)
    assert hits[0]["probability"] >= hits[-1]["probability"]
    b = next(h for h in hits if h["id"] == world["b"].pk)
    assert {e["field"] for e in b["evidence"] if e["hidden"]} == {"birth_place", "sex"}
    problem(jc.get("/persons/similar", family_name="X", birth_date="17.05.1990"), 422)
    r = jc.post("/persons", {"names": [{"family_name": "Alhassan", "given_names": "Mohamad"}],
                             "birth_date": "1990-05-17", "sex": "m", "nationalities": ["SYR"]})
    assert r.status_code == 201, r.content
    new = r.json()
    assert {h["id"] for h in new["similar"]} == {world["a"].pk, world["b"].pk}
    assert LinkCandidate.objects.filter(person_b_id=new["id"]).exists()  # queued for review
