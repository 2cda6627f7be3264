"""Allocation runs through the services: propose (optimal, deterministic, only eligible pairs, only visible
candidates), override with a reason, confirm into enrolments (once, all or nothing, Conflict on changed seats),
discard; permission refusals and audit. Real facts, rules and scores (matching_setup builds full files)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from stella.audit.models import AuditEvent, Outcome
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.journey.models import Notification
from stella.matching import allocation, flow
from stella.matching.models import AllocationRun, Assignment, RunState
from stella.matching.tests import matching_setup as ms
from stella.offers.models import Enrolment, EnrolmentState
from stella.people.models import Nationality, Person

ON = ms.ON


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """The proposal checks the reference date against today; the tests' data lives around ON."""
    monkeypatch.setattr(allocation, "today", lambda: ON)


@pytest.fixture
def jc(make_user):
    return make_user("JC", "caseworker", username="jc-planer")


@pytest.fixture
def me(jc):
    return Actor.for_user(jc)


def waiting(p: Person, o, day: date, agency=None) -> Enrolment:
    at = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return Enrolment.objects.create(person=p, offer=o, state=EnrolmentState.WAITING, agency=agency or o.owner,
                                    requested_at=at)


@pytest.fixture
def world(jc, district):
    """Two integration courses (1 and 2 seats, no end date) and five waiting persons of the Jobcenter:
    A2 levels fit a B1 course best, long waits earn a bonus; `ben` waits for a course that is not selected
    (same kind, same district); `dora` already has B1 (ineligible: target reached)."""
    lb = ms.offer(district, title="IK Ludwigsburg", seats=1, ends_on=None)
    kw = ms.offer(district, title="IK Kornwestheim", seats=2, ends_on=None, municipality="Kornwestheim")
    other = ms.offer(district, title="IK später", seats=5, ends_on=None, starts_on=date(2026, 6, 1))
    people = {}
    for name, level, since, course, sex, nat in (
            ("anna", "A2", date(2025, 6, 1), lb, "f", "SYR"), ("ben", "A2", date(2025, 9, 1), other, "m", "AFG"),
            ("cem", "A1", date(2026, 2, 1), lb, "m", "SYR"), ("dora", "B1", date(2025, 1, 1), kw, "f", "ERI"),
            ("emil", "", date(2026, 2, 20), kw, "m", "UKR")):
        p = ms.person(jc, district, sex=sex, nationality=nat, family=name.title())
        if level:
            ms.german(p, level)
        waiting(p, course, since)
        people[name] = p
    return {"lb": lb, "kw": kw, "other": other, **people}


def propose(me, world, **kwargs):
    return allocation.propose_run(actor=me, district_id=world["lb"].municipality.landkreis_id,
                                  offer_ids=[world["lb"].pk, world["kw"].pk], reference_date=ON, **kwargs)


def lines(run) -> dict[str, int | None]:
    return {a.person.names.first().family_name.lower(): a.offer_id
            for a in Assignment.objects.filter(run=run).select_related("person")}


def test_proposal_is_optimal_over_eligible_pairs(me, world):
    run = propose(me, world)
    got = lines(run)
    assert set(got) == {"anna", "ben", "cem", "dora", "emil"}  # ben via the same-kind course
    assert got["dora"] is None  # B1 already reached: no eligible pair
    seats = {world["lb"].pk: 1, world["kw"].pk: 2}
    assert sum(1 for o in got.values() if o) == 3 == run.assigned
    for oid, cap in seats.items():
        assert sum(1 for o in got.values() if o == oid) <= cap
    # The stored total is the optimum of the same pairs solved again independently of the database.
    rows = Assignment.objects.filter(run=run)
    assert run.total_score == sum((a.score or 0) + a.bonus for a in rows if a.offer_id)
    assert run.state == RunState.PROPOSED and run.persons == 5 and run.left_out == 0
    assert run.capacities[str(world["lb"].pk)]["free"] == 1 and run.capacities[str(world["kw"].pk)]["eligible"] == 4
    assert len(run.input_sha256) == 64 and run.score_version == "2026.1"
    anna = rows.get(person=world["anna"])
    assert anna.waiting_days == (ON - date(2025, 6, 1)).days and anna.bonus == 90  # 9 full months × 10
    assert anna.waiting == {str(world["lb"].pk): Enrolment.objects.get(person=world["anna"]).pk}
    assert set(run.offers.all()) == {world["lb"], world["kw"]}


def test_proposal_matches_an_independent_optimum(me, world):
    """Brute force over the stored lines' eligible pairs: no other feasible assignment is better."""
    from stella.matching import eligibility
    from stella.matching.facts import load_offer_facts, load_person_facts
    from stella.matching.score import score

    run = propose(me, world)
    persons = load_person_facts([a.person_id for a in run.assignments.all()], ON)
    offers = load_offer_facts([world["lb"].pk, world["kw"].pk])
    bonus = {a.person_id: a.bonus for a in run.assignments.all()}
    pairs = [(p, o, score(persons[p], offers[o]).total + bonus[p]) for p in persons for o in offers
             if not eligibility.failures(persons[p], offers[o])]
    import itertools

    options = {p: [None] + [(o, s) for q, o, s in pairs if q == p] for p in persons}
    best = max(sum(c[1] for c in choice if c) for choice in itertools.product(*options.values())
               if all(sum(1 for c in choice if c and c[0] == o) <= offers[o].free_seats for o in offers))
    assert run.total_score == best


def test_same_input_same_run(me, world):
    first, second = propose(me, world), propose(me, world)
    assert first.input_sha256 == second.input_sha256
    assert lines(first) == lines(second)


def test_protected_characteristics_do_not_change_the_pairs(me, world):
    """Sex (no women-only offer here), nationality and age are read only for the fairness report."""
    before = propose(me, world)
    for p in Person.objects.filter(pk__in=[world[n].pk for n in ("anna", "cem", "emil")]):
        Person.objects.filter(pk=p.pk).update(sex="d", birth_date=date(1950, 1, 1))
        Nationality.objects.filter(person=p).update(country="DEU")
    after = propose(me, world)
    assert after.input_sha256 == before.input_sha256 and lines(after) == lines(before)
    assert after.fairness != before.fairness


def test_waiting_bonus_and_unassigned_cost_parameters(me, world):
    plain = propose(me, world, params={"waiting_bonus_per_month": 0})
    assert all(a.bonus == 0 for a in plain.assignments.all())
    assert plain.input_sha256 != propose(me, world).input_sha256
    costly = propose(me, world, params={"unassigned_cost": 500})
    assert costly.parameters["unassigned_cost"] == 500


def test_quota_reserves_seats_for_local_residents(me, world):
    # Kornwestheim keeps both seats for persons living there: nobody lives there, so nobody gets them.
    run = propose(me, world, params={"quotas": [{"offer_id": world["kw"].pk, "group": "local",
                                                 "reserved_seats": 2}]})
    assert world["kw"].pk not in set(lines(run).values())
    capped = propose(me, world, params={"quotas": [{"offer_id": world["lb"].pk, "group": "long_waiting",
                                                    "max_seats": 0, "min_waiting_days": 200}]})
    assert lines(capped)["anna"] != world["lb"].pk  # anna waited 274 days


def test_overlapping_quotas_of_one_offer_are_refused(me, world):
    both = [{"offer_id": world["lb"].pk, "group": "local", "max_seats": 1},  # everybody lives in Ludwigsburg
            {"offer_id": world["lb"].pk, "group": "long_waiting", "max_seats": 1, "min_waiting_days": 0}]
    with pytest.raises(InvalidInput, match="verschiedene Personen"):
        propose(me, world, params={"quotas": both})
    assert not AllocationRun.objects.exists()


def test_invisible_waiting_persons_are_left_out_and_counted(me, world, make_user, district):
    aa = make_user("AA", "caseworker")
    stranger = ms.person(aa, district, family="Fremd")
    waiting(stranger, world["lb"], date(2024, 1, 1), agency=district["AA"])
    run = propose(me, world)
    assert run.left_out == 1
    assert not Assignment.objects.filter(run=run, person=stranger).exists()


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"offer_ids": []}, "offer_ids"),
    ({"offer_ids": [999999]}, "offer_ids"),
    ({"district_id": 999999}, "district_id"),
    ({"reference_date": date(2030, 1, 1)}, "reference_date"),
    ({"params": {"waiting_bonus_per_month": -1}}, "waiting_bonus_per_month"),
    ({"params": {"unassigned_cost": "viel"}}, "unassigned_cost"),
    ({"params": {"surprise": 1}}, "params"),
    ({"params": {"same_kind": "ja"}}, "same_kind"),
    ({"params": {"quotas": [{"offer_id": 1, "group": "sex", "max_seats": 1}]}}, "quotas.0"),
    ({"params": {"quotas": [{"offer_id": 1, "group": "local"}]}}, "quotas.0"),
    ({"params": {"quotas": [{"offer_id": 1, "group": "local", "max_seats": -1}]}}, "quotas.0"),
    ({"params": {"quotas": [{"offer_id": 999999, "group": "local", "max_seats": 1}]}}, "params"),
])
def test_bad_proposals_are_refused_and_nothing_is_stored(me, world, kwargs, field):
    args = {"district_id": world["lb"].municipality.landkreis_id, "offer_ids": [world["lb"].pk],
            "reference_date": ON, **kwargs}
    with pytest.raises(InvalidInput) as err:
        allocation.propose_run(actor=me, **args)
    assert field in err.value.field_errors
    assert not AllocationRun.objects.exists()


def test_offer_outside_district_closed_or_started(me, world, district):
    far = ms.offer(district, title="Offenburg", ends_on=None)
    far.municipality = ms.other_district_place()
    far.save()
    closed = ms.offer(district, title="zu", ends_on=None, state="closed")
    started = ms.offer(district, title="läuft", ends_on=None, starts_on=date(2026, 1, 5))
    with pytest.raises(InvalidInput) as err:
        allocation.propose_run(actor=me, district_id=world["lb"].municipality.landkreis_id,
                               offer_ids=[far.pk, closed.pk, started.pk], reference_date=ON)
    text = " ".join(err.value.field_errors["offer_ids"])
    assert "nicht im Landkreis" in text and "geschlossen" in text and "vor dem Stichtag" in text


def test_only_planners_of_the_owning_agency(me, world, make_user, district):
    registrar = Actor.for_user(make_user("JC", "registration"))
    with pytest.raises(AccessDenied, match="Fallbearbeitung und Teamleitung"):
        propose(registrar, world)
    aa = Actor.for_user(make_user("AA", "caseworker"))
    with pytest.raises(AccessDenied, match="verwaltet"):
        propose(aa, world)
    kt = Actor.for_user(make_user("KT", "caseworker"))
    with pytest.raises(AccessDenied):
        allocation.list_runs(actor=kt)
    run = propose(me, world)
    with pytest.raises(NotFound):
        allocation.get_run(actor=aa, run_id=run.pk)
    assert list(allocation.list_runs(actor=aa)) == []
    denied = AuditEvent.objects.filter(outcome=Outcome.DENIED, object_type="allocation_run")
    assert denied.count() >= 4


def test_proposal_is_audited_per_person(me, world):
    run = propose(me, world)
    created = AuditEvent.objects.filter(object_type="allocation_run", object_id=str(run.pk), action="create")
    assert created.filter(person_id__isnull=True).get().detail["sha256"] == run.input_sha256
    assert set(created.filter(person_id__isnull=False).values_list("person_id", flat=True)) == \
        {world[n].pk for n in ("anna", "ben", "cem", "dora", "emil")}
    view = allocation.run_view(actor=me, run_id=run.pk)
    assert len(view.lines) == 5 and view.hidden == 0 and view.assigned == 3
    reads = AuditEvent.objects.filter(object_type="allocation_run", object_id=str(run.pk), action="read")
    assert reads.count() == 5 and all(e.categories == ["placement"] for e in reads)


# --- override -----------------------------------------------------------------------------------------------


def line_of(run, p) -> Assignment:
    return Assignment.objects.get(run=run, person=p)


def test_override_moves_and_is_counted(me, world):
    run = propose(me, world)
    holder = Assignment.objects.filter(run=run, offer=world["kw"]).order_by("person_id").first()
    out = allocation.override(actor=me, assignment_id=holder.pk, offer_id=None, reason_code="declined")
    assert out.offer_id is None and out.score is None and out.proposed_offer_id == world["kw"].pk
    assert out.override_reason == "declined" and out.overridden_by_id == me.user_id and out.overridden_at
    waiting_line = Assignment.objects.filter(run=run, offer__isnull=True).exclude(
        person__in=[world["dora"], holder.person]).get()
    moved = allocation.override(actor=me, assignment_id=waiting_line.pk, offer_id=world["kw"].pk,
                                reason_code="other", note="aus der Beratung bekannt")
    assert moved.offer_id == world["kw"].pk and moved.score is not None and moved.override_note
    assert allocation.override_counts(run) == {"declined": 1, "other": 1}
    run.refresh_from_db()
    assert run.version == 3 and run.assigned == 3 and run.fairness["assigned"] == 3
    event = AuditEvent.objects.filter(object_type="allocation_assignment", object_id=str(holder.pk)).get()
    assert event.person_id == holder.person_id and event.categories == ["placement"]
    assert event.detail == {"run": run.pk, "from": world["kw"].pk, "to": None, "reason": "declined", "score": None}


def test_override_refusals(me, world, make_user):
    run = propose(me, world)
    dora, anna = line_of(run, world["dora"]), line_of(run, world["anna"])
    with pytest.raises(InvalidInput) as err:
        allocation.override(actor=me, assignment_id=dora.pk, offer_id=world["lb"].pk, reason_code="known_fit")
    assert "Zielniveau" in " ".join(err.value.field_errors["offer_id"])  # the rule that fails, by name
    with pytest.raises(InvalidInput, match="Grund"):
        allocation.override(actor=me, assignment_id=anna.pk, offer_id=None, reason_code="")
    with pytest.raises(InvalidInput, match="Vermerk"):
        allocation.override(actor=me, assignment_id=anna.pk, offer_id=None, reason_code="other")
    with pytest.raises(InvalidInput, match="gehört nicht"):
        allocation.override(actor=me, assignment_id=anna.pk, offer_id=world["other"].pk, reason_code="care")
    with pytest.raises(InvalidInput, match="bereits"):
        allocation.override(actor=me, assignment_id=anna.pk, offer_id=anna.offer_id, reason_code="care")
    # Full: Ludwigsburg has one seat; move another person there while it is taken.
    holder = Assignment.objects.get(run=run, offer_id=world["lb"].pk)
    other = Assignment.objects.filter(run=run).exclude(pk=holder.pk).exclude(person=world["dora"]).first()
    with pytest.raises(InvalidInput, match="freien Plätze"):
        allocation.override(actor=me, assignment_id=other.pk, offer_id=world["lb"].pk, reason_code="care")
    aa = Actor.for_user(make_user("AA", "caseworker"))
    with pytest.raises(NotFound):
        allocation.override(actor=aa, assignment_id=anna.pk, offer_id=None, reason_code="care")
    assert allocation.override_counts(run) == {}
    run.refresh_from_db()
    assert run.version == 1


# --- confirm and discard -----------------------------------------------------------------------------------


def test_confirm_enrols_notifies_and_happens_once(me, world, make_user, district):
    colleague = make_user("JC", "caseworker", username="jc-kollegin")
    aa_user = make_user("AA", "caseworker", username="aa-beratung")
    run = propose(Actor.for_user(colleague), world)
    assigned = {a.person_id: a.offer_id for a in run.assignments.all() if a.offer_id}
    # One assigned person was put on the waiting list by the Agentur: it hears about the seat.
    Enrolment.objects.filter(person_id=min(assigned)).update(agency=district["AA"])
    done = allocation.confirm(actor=me, run_id=run.pk)
    assert done.state == RunState.CONFIRMED and done.decided_by_id == me.user_id
    for pid, oid in assigned.items():
        e = Enrolment.objects.get(person_id=pid, offer_id=oid, state=EnrolmentState.ENROLLED)
        assert Assignment.objects.get(run=run, person_id=pid).enrolment_id == e.pk
    # A waiting entry on the assigned offer was admitted, not duplicated.
    assert Enrolment.objects.filter(person=world["anna"]).count() == 1 or world["anna"].pk not in assigned
    assert Notification.objects.filter(user=colleague, kind="allocation").exists()  # the run's author
    told = Notification.objects.get(user=aa_user, kind="allocation")
    assert "1 von Ihrer Behörde angemeldete Person(en)" in told.text and told.link == f"/zuteilung/{run.pk}/"
    names = [p.names.first().family_name for p in Person.objects.all()]
    assert not any(name in n.text for n in Notification.objects.all() for name in names)  # no personal data
    with pytest.raises(InvalidInput, match="bereits bestätigt"):
        allocation.confirm(actor=me, run_id=run.pk)
    with pytest.raises(InvalidInput, match="bereits bestätigt"):
        allocation.discard(actor=me, run_id=run.pk)
    with pytest.raises(InvalidInput, match="nicht mehr möglich"):
        allocation.override(actor=me, assignment_id=run.assignments.first().pk, offer_id=None, reason_code="care")
    assert AuditEvent.objects.filter(object_type="allocation_run", object_id=str(run.pk), action="update",
                                     outcome=Outcome.ALLOWED).get().detail["enrolled"] == len(assigned)


def test_confirm_refused_when_seats_changed_nothing_written(me, jc, world, district):
    run = propose(me, world)
    newcomer = ms.person(jc, district, family="Neu")
    Enrolment.objects.create(person=newcomer, offer=world["kw"], state=EnrolmentState.ENROLLED,
                             agency=district["JC"], enrolled_on=ON)
    before = Enrolment.objects.filter(state=EnrolmentState.ENROLLED).count()
    with pytest.raises(Conflict) as err:
        allocation.confirm(actor=me, run_id=run.pk)
    assert "IK Kornwestheim" in err.value.message and err.value.changes[0]["field"] == f"offer:{world['kw'].pk}"
    assert Enrolment.objects.filter(state=EnrolmentState.ENROLLED).count() == before
    run.refresh_from_db()
    assert run.state == RunState.PROPOSED
    assert not Assignment.objects.filter(run=run, enrolment__isnull=False).exists()


def test_confirm_refused_when_a_waiting_entry_was_withdrawn(me, world):
    run = propose(me, world)
    line = Assignment.objects.filter(run=run, offer__isnull=False).order_by("person_id").first()
    Enrolment.objects.filter(person_id=line.person_id, state=EnrolmentState.WAITING).update(
        state=EnrolmentState.WITHDRAWN)
    with pytest.raises(Conflict, match="Warteliste"):
        allocation.confirm(actor=me, run_id=run.pk)
    assert not Enrolment.objects.filter(state=EnrolmentState.ENROLLED).exists()


def test_team_lead_proposes_but_may_not_confirm(world, make_user):
    lead = Actor.for_user(make_user("JC", "team_lead"))
    run = propose(lead, world)
    with pytest.raises(AccessDenied, match="Vermittlung"):
        allocation.confirm(actor=lead, run_id=run.pk)
    run.refresh_from_db()
    assert run.state == RunState.PROPOSED and not Enrolment.objects.filter(state="enrolled").exists()
    assert AuditEvent.objects.filter(outcome=Outcome.DENIED, object_type="allocation_run").exists()


def test_confirm_rechecks_the_hard_rules(me, world):
    run = propose(me, world)
    line = Assignment.objects.filter(run=run, offer__isnull=False).order_by("person_id").first()
    ms.german(Person.objects.get(pk=line.person_id), "C1", on=date(2026, 2, 1))  # now beyond the course target
    with pytest.raises(InvalidInput) as err:
        allocation.confirm(actor=me, run_id=run.pk)
    assert "Regeln" in err.value.message and err.value.field_errors["assignments"]
    assert not Enrolment.objects.filter(state=EnrolmentState.ENROLLED).exists()


def test_discard(me, world):
    run = propose(me, world)
    with pytest.raises(InvalidInput):
        allocation.discard(actor=me, run_id=run.pk, reason="x" * 301)
    done = allocation.discard(actor=me, run_id=run.pk, reason="Kurs verschoben")
    assert done.state == RunState.DISCARDED
    with pytest.raises(InvalidInput, match="verworfen"):
        allocation.confirm(actor=me, run_id=run.pk)
    assert not Enrolment.objects.filter(state=EnrolmentState.ENROLLED).exists()


def test_fingerprint_is_canonical():
    a = allocation.fingerprint({"b": [1, 2], "a": date(2026, 1, 1)})
    assert a == allocation.fingerprint({"a": date(2026, 1, 1), "b": [1, 2]})
    assert a != allocation.fingerprint({"a": date(2026, 1, 2), "b": [1, 2]})


def test_params_round_trip():
    p = allocation.Params.from_mapping({"quotas": [{"offer_id": 3, "group": "local", "max_seats": 2}]})
    assert allocation.Params.from_mapping(p.to_dict()) == p
    assert p.bonus(59) == 10 and p.bonus(10_000) == 200
    assert isinstance(flow.reservation(1, {1}, 1, 2, {1, 2}), flow.Quota)


# --- API ------------------------------------------------------------------------------------------------------


def api_client(user):
    from stella.api.tests.conftest import ApiClient, token_for

    return ApiClient(token_for(user))


def test_api_round_trip(jc, world, make_user):
    api = api_client(jc)
    body = {"district_id": world["lb"].municipality.landkreis_id, "offer_ids": [world["lb"].pk, world["kw"].pk],
            "reference_date": ON.isoformat(), "params": {"waiting_bonus_per_month": 5}}
    created = api.post("/allocation/runs", body)
    assert created.status_code == 201, created.content
    run = created.json()
    assert run["state"] == "proposed" and run["persons"] == 5 and run["assigned"] == 3
    assert run["parameters"]["waiting_bonus_per_month"] == 5 and len(run["input_sha256"]) == 64
    assert {o["id"] for o in run["offers"]} == {world["lb"].pk, world["kw"].pk}
    assert run["link"] == f"/zuteilung/{run['id']}/"
    assert api.get("/allocation/runs").json()["count"] == 1
    assert api.get(f"/allocation/runs/{run['id']}").json()["id"] == run["id"]
    page = api.get(f"/allocation/runs/{run['id']}/assignments", limit=2).json()
    assert page["count"] == 5 and len(page["items"]) == 2 and page["hidden"] == 0
    assert page["items"][0]["person_name"] and page["items"][0]["person_id"] < page["items"][1]["person_id"]
    line = next(x for x in api.get(f"/allocation/runs/{run['id']}/assignments").json()["items"] if x["offer_id"])
    changed = api.post(f"/assignments/{line['id']}/override", {"offer_id": None, "reason_code": "care"})
    assert changed.status_code == 200 and changed.json()["override_reason_label"] == "Betreuungspflichten"
    assert api.get(f"/allocation/runs/{run['id']}").json()["overrides"] == {"care": 1}
    bad = api.post(f"/assignments/{line['id']}/override", {"offer_id": None, "reason_code": "weil"})
    assert bad.status_code == 422
    fair = api.get(f"/allocation/runs/{run['id']}/fairness").json()
    assert [d["key"] for d in fair["dimensions"]] == ["sex", "nationality", "age", "district", "disability"]
    done = api.post(f"/allocation/runs/{run['id']}/confirm")
    assert done.status_code == 200 and done.json()["state"] == "confirmed"
    assert api.post(f"/allocation/runs/{run['id']}/confirm").status_code == 422
    assert api.post(f"/allocation/runs/{run['id']}/discard", {"reason": "zu spät"}).status_code == 422


def test_api_refusals_and_conflict(jc, world, make_user, district):
    api = api_client(jc)
    body = {"district_id": world["lb"].municipality.landkreis_id, "offer_ids": [world["kw"].pk]}
    assert api.post("/allocation/runs", {**body, "offer_ids": []}).status_code == 422
    assert api.post("/allocation/runs", {**body, "surprise": 1}).status_code == 422
    assert api.post("/allocation/runs", {**body, "reference_date": 20260302}).status_code == 422
    registrar = api_client(make_user("JC", "registration"))
    assert registrar.post("/allocation/runs", body).status_code == 403
    assert registrar.get("/allocation/runs").status_code == 403
    run = api.post("/allocation/runs", {**body, "reference_date": ON.isoformat()}).json()
    other = api_client(make_user("AA", "caseworker"))
    assert other.get(f"/allocation/runs/{run['id']}").status_code == 404
    assert other.post(f"/allocation/runs/{run['id']}/confirm").status_code == 404
    Enrolment.objects.create(person=ms.person(jc, district, family="Neu"), offer=world["kw"],
                             state=EnrolmentState.ENROLLED, agency=district["JC"], enrolled_on=ON)
    conflict = api.post(f"/allocation/runs/{run['id']}/confirm")
    assert conflict.status_code == 409 and conflict.json()["changes"]
    assert api.post(f"/allocation/runs/{run['id']}/discard", {}).json()["state"] == "discarded"


# --- web UI ---------------------------------------------------------------------------------------------------


@pytest.fixture
def browser_client(jc):
    from django.test import Client

    client = Client()
    client.force_login(jc)
    return client


def test_web_new_run_review_and_confirm(browser_client, world, monkeypatch):
    from stella.web.views import allocation as views

    # The form offers only offers starting from today; the tests' data lives around ON.
    monkeypatch.setattr(allocation, "candidate_offers", lambda actor, district_id=None: allocation.Offer.objects
                        .filter(pk__in=[world["lb"].pk, world["kw"].pk]).select_related("municipality"))
    page = browser_client.get("/zuteilung/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Neuer Lauf" in html and "IK Ludwigsburg" in html and 'type="checkbox"' in html
    empty = browser_client.post("/zuteilung/", {"landkreis": world["lb"].municipality.landkreis_id,
                                               "wartebonus": 10, "wartebonus_max": 200, "kosten": 0})
    assert empty.status_code == 422 and "Angebote" in empty.content.decode()
    made = browser_client.post("/zuteilung/", {
        "landkreis": world["lb"].municipality.landkreis_id, "angebote": [world["lb"].pk, world["kw"].pk],
        "stichtag": ON.strftime("%d.%m.%Y"), "wartebonus": 10, "wartebonus_max": 200, "kosten": 0,
        "gleichartige": "on"})
    assert made.status_code == 302
    run = AllocationRun.objects.get()
    assert made["Location"] == f"/zuteilung/{run.pk}/"
    html = browser_client.get(made["Location"]).content.decode()
    for text in ("Vorschlag", "Fairnessbericht", "Vier-Fünftel", "Änderungen je Grund", "Lauf bestätigen",
                 "Wartetage", "nicht erfasst", "Angebote und Plätze"):
        assert text in html, text
    assert '<th scope="row">' in html and "<caption" in html
    line = Assignment.objects.filter(run=run, offer__isnull=False).order_by("person_id").first()
    refused = browser_client.post(f"/zuteilung/zeilen/{line.pk}/aendern/",
                                  {"run": run.pk, f"z{line.pk}-angebot": "", f"z{line.pk}-grund": ""})
    assert refused.status_code == 302 and refused["Location"].endswith(f"#zeile-{line.pk}")
    line.refresh_from_db()
    assert line.offer_id is not None
    ok = browser_client.post(f"/zuteilung/zeilen/{line.pk}/aendern/",
                             {"run": run.pk, f"z{line.pk}-angebot": "", f"z{line.pk}-grund": "transport"},
                             follow=True)
    assert "Die Zeile wurde geändert" in ok.content.decode()
    line.refresh_from_db()
    assert line.offer_id is None and line.override_reason == "transport"
    confirmed = browser_client.post(f"/zuteilung/{run.pk}/bestaetigen/", follow=True)
    assert "Der Lauf ist bestätigt" in confirmed.content.decode()
    run.refresh_from_db()
    assert run.state == RunState.CONFIRMED
    again = browser_client.post(f"/zuteilung/{run.pk}/bestaetigen/")
    assert again.status_code == 422 and "bereits bestätigt" in again.content.decode()
    assert views.DOMAIN_LABELS


def test_web_refusals(make_user, world, jc, browser_client):
    from django.test import Client

    run = propose(Actor.for_user(jc), world)
    registrar = Client()
    registrar.force_login(make_user("JC", "registration"))
    assert registrar.get("/zuteilung/").status_code == 403
    outsider = Client()
    outsider.force_login(make_user("AA", "caseworker"))
    assert outsider.get(f"/zuteilung/{run.pk}/").status_code == 404
    assert outsider.post(f"/zuteilung/{run.pk}/verwerfen/").status_code == 404
    assert browser_client.post(f"/zuteilung/{run.pk}/verwerfen/", {"verwerfen-grund": "neu planen"}).status_code == 302
    run.refresh_from_db()
    assert run.state == RunState.DISCARDED
