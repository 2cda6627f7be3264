"""Hand-overs: proposals from status changes (dates around month ends and leap years), the state machine
accept / reject / re-route / complete with its refusals, permission changes, audit and notifications."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail

from stella.agencies.models import Agency, AgencyKind, Function, Municipality, Responsibility
from stella.audit.models import AuditEvent, Outcome
from stella.audit.service import verify_chain
from stella.authz.policy import Action, Category, decide
from stella.cases import services as cases
from stella.cases.access import file_context
from stella.cases.models import Participation
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.journey import handovers as ho
from stella.journey.models import HandOver, HandOverState, Notification, StatusEvent, Task
from stella.journey.tests.handover_setup import (
    first_of_this_month,
    make_person,
    recent_final_date,
    recognise,
    record,
    scene,
)
from stella.people.services import AddressIn, add_address
from stella.tests.factories import AgencyFactory


@pytest.fixture
def s(district):
    return scene(district)


def A(user):
    return Actor.for_user(user)


def proposals(person):
    return {h.function: h for h in HandOver.objects.filter(person=person)}


# --- proposals from status changes ---------------------------------------------------------------

@pytest.mark.parametrize(("final", "first_sgb2"), [
    (date(2024, 1, 31), date(2024, 2, 1)),   # month end
    (date(2024, 2, 29), date(2024, 3, 1)),   # leap day
    (date(2023, 2, 28), date(2023, 3, 1)),   # February of a common year
    (date(2016, 12, 31), date(2017, 1, 1)),  # year end
    (date(2024, 3, 1), date(2024, 4, 1)),    # first of a month: the whole month stays AsylbLG
])
def test_final_recognition_proposes_benefits_and_labour_to_the_jobcenter(s, final, first_sgb2):
    event = recognise(s.lra, s.person, final)
    found = proposals(s.person)
    assert set(found) == {Function.BENEFITS_SGB2, Function.LABOUR_SGB2}
    benefits, labour = found[Function.BENEFITS_SGB2], found[Function.LABOUR_SGB2]
    assert (benefits.from_agency, benefits.to_agency) == (s.district["LRA"], s.district["JC"])
    assert (labour.from_agency, labour.to_agency) == (s.district["AA"], s.district["JC"])
    for h in (benefits, labour):
        assert h.effective_date == first_sgb2
        assert h.state == HandOverState.PROPOSED and h.trigger == event and h.version == 1
        assert "§1 Abs. 3 AsylbLG" in h.legal_basis
        assert h.created_by_id == s.lra.pk
    assert benefits.reason.startswith(f"Anerkennung rechtskräftig seit {final:%d.%m.%Y}")


def test_negative_or_not_yet_final_decisions_propose_nothing(s):
    record(s.lra, s.person, "asylgesuch", date(2015, 9, 3))
    record(s.lra, s.person, "gestattung", date(2015, 10, 1))
    record(s.lra, s.person, "bamf_entscheidung", date(2016, 5, 10), "abgelehnt")
    assert not HandOver.objects.exists()
    record(s.lra, s.person, "rechtskraft", date(2016, 6, 1))
    assert not HandOver.objects.exists()


@pytest.mark.parametrize(("entry", "permit", "first_sgb2"), [
    (date(2022, 3, 10), date(2022, 4, 20), date(2022, 6, 1)),    # before the switch: 01.06.2022
    (date(2022, 3, 10), date(2022, 5, 31), date(2022, 6, 1)),
    (date(2022, 7, 1), date(2022, 8, 15), date(2022, 9, 1)),     # later: first of the next month
    (date(2023, 12, 1), date(2023, 12, 31), date(2024, 1, 1)),
])
def test_residence_permit_24_hands_over_from_june_2022(s, district, entry, permit, first_sgb2):
    person = make_person(district, s.lra, s.aa, family="Kovalenko", given="Olena", arrival=entry,
                         nationalities=("UKR",))
    record(s.lra, person, "einreise", entry)
    record(s.lra, person, "ae_24", permit)
    found = proposals(person)
    assert {h.effective_date for h in found.values()} == {first_sgb2}
    assert found[Function.BENEFITS_SGB2].to_agency == district["JC"]
    assert "§74 SGB II" in found[Function.BENEFITS_SGB2].legal_basis


def test_no_responsible_agency_gives_the_recording_agency_a_task_instead(s, district):
    person = make_person(district, s.lra, s.aa, family="Nowhere", municipality="Atlantis")
    recognise(s.lra, person, date(2024, 1, 31))
    assert not HandOver.objects.filter(person=person).exists()
    tasks = Task.objects.filter(person=person, source_key__startswith="uebergabe-pruefen")
    assert {t.source_key.rsplit(":", 1)[1] for t in tasks} == {Function.BENEFITS_SGB2, Function.LABOUR_SGB2}
    assert all(t.agency == district["LRA"] and "keine zuständige Behörde" in t.reason for t in tasks)


def test_receiver_already_leading_gets_no_second_proposal(s):
    recognise(s.lra, s.person, date(2024, 1, 31))
    assert HandOver.objects.count() == 2
    record(s.lra, s.person, "ae_25_2", date(2024, 3, 1))  # the permit itself moves nothing again
    assert HandOver.objects.count() == 2


def test_summary_holds_only_what_the_jobcenter_may_read(s):
    cases.add_entry(actor=A(s.lra), person_id=s.person.pk, kind="note", category="health", title="Attest")
    cases.add_entry(actor=A(s.aa), person_id=s.person.pk, kind="contact", category="placement",
                    title="Maßnahme PerF angetreten")
    recognise(s.lra, s.person, date(2024, 1, 31))
    summary = proposals(s.person)[Function.BENEFITS_SGB2].summary
    assert summary["for_agency"] == "JC-LB"
    assert "health" in summary["withheld"] and "health" not in summary["entries"]
    assert {"identity", "residence", "benefits", "competences", "placement", "counselling"} <= set(summary["categories"])
    assert summary["residence"]["state"] == "protected"
    assert [e["kind"] for e in summary["residence"]["history"]] == ["asylgesuch", "gestattung", "bamf_entscheidung",
                                                                      "rechtskraft"]
    assert summary["residence"]["address"]["municipality"] == "Ludwigsburg"
    assert summary["measures"][0]["title"] == "Maßnahme PerF angetreten"
    assert summary["identity"]["nationalities"] == [{"code": "SYR", "name": "Syrian Arab Republic"}]
    assert {p["agency"] for p in summary["participations"]} == {"LRA-LB", "AA-LB"}


def test_new_proposal_notifies_the_jobcenter_in_app_and_by_mail(s, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        recognise(s.lra, s.person, date(2024, 1, 31))
    users = set(Notification.objects.filter(kind="handover").values_list("user_id", flat=True))
    assert users == {s.jc.pk, s.jc_benefits.pk, s.jc_lead.pk}
    assert [m.to for m in mail.outbox] == [["jc@example.org"]] * 2
    assert "Al-Hassan" not in mail.outbox[0].body and "/uebergaben/" in mail.outbox[0].body


# --- the state machine ---------------------------------------------------------------------------

@pytest.fixture
def proposed(s):
    recognise(s.lra, s.person, recent_final_date())
    return proposals(s.person)[Function.BENEFITS_SGB2]


def test_accept_then_complete_moves_the_lead_and_narrows_the_old_agency(s, private_home, proposed):
    person, lra, jc = s.person, s.district["LRA"], s.district["JC"]
    effective = first_of_this_month()
    assert proposed.effective_date == effective
    assert not decide(A(s.jc_benefits), Action.WRITE, Category.BENEFITS, file_context(A(s.jc_benefits), person.pk))
    accepted = ho.accept_handover(actor=A(s.jc), handover_id=proposed.pk, version=1)
    assert (accepted.state, accepted.version, accepted.decided_by) == (HandOverState.ACCEPTED, 2, s.jc)
    lead = Participation.objects.get(case_file__person=person, agency=jc)
    assert (lead.role, lead.since, lead.until, lead.legal_basis) == ("lead", effective, None, "§§19 ff. SGB II")
    # The new lead can write benefits data at once (the effective date has come).
    cases.add_entry(actor=A(s.jc_benefits), person_id=person.pk, kind="note", category="benefits",
                    title="Antrag auf Bürgergeld")
    done = ho.complete_handover(actor=A(s.jc), handover_id=proposed.pk, version=2)
    assert done.state == HandOverState.COMPLETED and done.completed_at is not None
    parts = {(p.role, p.since, p.until) for p in Participation.objects.filter(case_file__person=person, agency=lra)}
    window_end = max(effective, date.today()) + timedelta(days=89)
    assert parts == {("lead", date(2015, 9, 3), effective - timedelta(days=1)),
                     ("contributing", effective, window_end)}
    # The Landratsamt still reads benefits data in the hand-over window (final AsylbLG month,
    # reimbursement), and loses the file once it has passed.
    assert file_context(A(s.lra), person.pk).participation == "contributing"
    after = file_context(A(s.lra), person.pk, on=window_end + timedelta(days=1))
    assert after.participation is None
    assert not decide(A(s.lra), Action.READ, Category.BENEFITS, after)
    assert file_context(A(s.jc), person.pk, on=window_end + timedelta(days=1)).participation == "lead"


def test_labour_handover_keeps_the_agentur_for_a_shorter_window(s):
    recognise(s.lra, s.person, recent_final_date())
    labour = proposals(s.person)[Function.LABOUR_SGB2]
    ho.accept_handover(actor=A(s.jc), handover_id=labour.pk, version=1)
    ho.complete_handover(actor=A(s.jc), handover_id=labour.pk, version=2)
    aa = Participation.objects.get(case_file__person=s.person, agency=s.district["AA"], role="contributing")
    assert aa.until == max(labour.effective_date, date.today()) + timedelta(days=29)


def test_old_agency_still_running_provisional_accommodation_keeps_a_participation(s, proposed):
    # The person lives in provisional accommodation of the Landratsamt (vu): the LRA stays involved.
    ho.accept_handover(actor=A(s.jc), handover_id=proposed.pk, version=1)
    ho.complete_handover(actor=A(s.lra), handover_id=proposed.pk, version=2)
    contributing = Participation.objects.get(case_file__person=s.person, agency=s.district["LRA"],
                                             role="contributing")
    assert contributing.until is None and "FlüAG" in contributing.legal_basis


@pytest.fixture
def private_home(s):
    add_address(actor=A(s.lra), person_id=s.person.pk,
                address=AddressIn("Ludwigsburg", date(2016, 1, 1), accommodation="private"))


def test_reject_keeps_everything_and_gives_the_proposer_a_task(s, private_home, proposed):
    before = set(Participation.objects.values_list("pk", "role", "until"))
    with pytest.raises(InvalidInput) as exc:
        ho.reject_handover(actor=A(s.jc), handover_id=proposed.pk, version=1, reason="  ")
    assert "reason" in exc.value.field_errors
    rejected = ho.reject_handover(actor=A(s.jc), handover_id=proposed.pk, version=1,
                                  reason="Person ist nach Stuttgart verzogen")
    assert (rejected.state, rejected.decision_note) == (HandOverState.REJECTED, "Person ist nach Stuttgart verzogen")
    assert set(Participation.objects.values_list("pk", "role", "until")) == before
    task = Task.objects.get(source_key=f"uebergabe-abgelehnt:{proposed.pk}")
    assert (task.agency, task.assignee, task.source) == (s.district["LRA"], s.lra, "handover")
    assert AuditEvent.objects.filter(object_type="task", object_id=str(task.pk), action="create").exists()
    assert Notification.objects.filter(user=s.lra, link=f"/uebergaben/{proposed.pk}/").exists()
    assert HandOver.objects.filter(pk=proposed.pk).exists()  # nothing lost: stays as history
    with pytest.raises(Conflict):
        ho.accept_handover(actor=A(s.jc), handover_id=proposed.pk, version=1)
    with pytest.raises(InvalidInput, match="abgelehnt"):
        ho.accept_handover(actor=A(s.jc), handover_id=proposed.pk, version=2)


def test_reroute_cancels_with_a_link_and_proposes_to_the_right_agency(s, district, proposed):
    other_jc = AgencyFactory(kind=AgencyKind.JC, code="JC-LB2", name="Jobcenter Ludwigsburg Nord",
                             landkreis=district["JC"].landkreis)
    nord = Municipality.objects.create(name="Kornwestheim", landkreis=district["JC"].landkreis)
    Responsibility.objects.create(municipality=nord, function=Function.BENEFITS_SGB2, agency=other_jc)
    # The person's municipality is served by JC-LB only: re-routing to JC-LB2 is refused, nothing changes.
    with pytest.raises(InvalidInput, match="nicht für „Leistungen nach SGB II“ in der Gemeinde Ludwigsburg"):
        ho.reroute_handover(actor=A(s.jc), handover_id=proposed.pk, version=1, to_agency_id=other_jc.pk,
                            reason="falsches Jobcenter")
    assert HandOver.objects.get(pk=proposed.pk).state == HandOverState.PROPOSED
    add_address(actor=A(s.lra), person_id=s.person.pk,
                address=AddressIn("Kornwestheim", date(2016, 1, 1), accommodation="private"))
    new = ho.reroute_handover(actor=A(s.jc), handover_id=proposed.pk, version=1, to_agency_id=other_jc.pk,
                              reason="Person wohnt in Kornwestheim")
    old = HandOver.objects.get(pk=proposed.pk)
    assert old.state == HandOverState.CANCELLED and old.version == 2 and "Kornwestheim" in old.decision_note
    assert (new.rerouted_from, new.to_agency, new.state, new.trigger) == (old, other_jc, "proposed", old.trigger)
    assert new.summary["for_agency"] == "JC-LB2"


def test_complete_only_after_acceptance_and_from_the_effective_date(s, private_home, district):
    h = ho.propose_handover(actor=A(s.lra), person_id=s.person.pk, function=Function.BENEFITS_SGB2,
                            to_agency_id=district["JC"].pk, reason="Anerkennung, Bescheid liegt vor",
                            effective_date=date.today() + timedelta(days=20))
    with pytest.raises(InvalidInput, match="angenommen"):
        ho.complete_handover(actor=A(s.jc), handover_id=h.pk, version=1)
    ho.accept_handover(actor=A(s.jc), handover_id=h.pk, version=1)
    with pytest.raises(InvalidInput, match="erst ab dem"):
        ho.complete_handover(actor=A(s.jc), handover_id=h.pk, version=2)
    # Accepted for a future date: the Jobcenter leads only from then on.
    assert file_context(A(s.jc), s.person.pk).participation is None
    assert file_context(A(s.jc), s.person.pk, on=h.effective_date).participation == "lead"


def test_only_the_receiving_agency_decides_and_refusals_are_audited(s, proposed, make_user):
    for user in (s.lra, make_user("JC", "registration"), make_user("STADT", "caseworker")):
        with pytest.raises((AccessDenied, NotFound)):
            ho.accept_handover(actor=A(user), handover_id=proposed.pk, version=1)
    assert AuditEvent.objects.filter(object_type="handover", object_id=str(proposed.pk),
                                     outcome=Outcome.DENIED).count() == 3
    assert HandOver.objects.get(pk=proposed.pk).state == HandOverState.PROPOSED
    with pytest.raises(NotFound):
        ho.handover_detail(actor=A(make_user("STADT", "caseworker")), handover_id=proposed.pk)


def test_stale_version_is_a_conflict_and_writes_nothing(s, proposed):
    with pytest.raises(Conflict) as exc:
        ho.accept_handover(actor=A(s.jc), handover_id=proposed.pk, version=7)
    assert exc.value.current_version == 1
    assert not Participation.objects.filter(agency=s.district["JC"]).exists()


def test_every_step_is_audited(s, private_home, proposed):
    ho.accept_handover(actor=A(s.jc), handover_id=proposed.pk, version=1)
    ho.complete_handover(actor=A(s.jc), handover_id=proposed.pk, version=2)
    ho.handover_detail(actor=A(s.jc), handover_id=proposed.pk)
    events = AuditEvent.objects.filter(object_type="handover", object_id=str(proposed.pk)).order_by("seq")
    assert [(e.action, e.detail.get("state")) for e in events] == [
        ("create", None), ("update", "accepted"), ("update", "completed"), ("read", None)]
    assert events[2].detail["participations"]
    assert verify_chain().ok


# --- manual proposals and bad input ----------------------------------------------------------------

def test_manual_proposal_refuses_bad_input_and_changes_nothing(s, district):
    other = AgencyFactory(kind=AgencyKind.JC, code="JC-XY", name="Jobcenter Anderswo")
    good = {"actor": A(s.lra), "person_id": s.person.pk, "function": Function.BENEFITS_SGB2,
            "to_agency_id": district["JC"].pk, "reason": "Anerkennung", "effective_date": date.today()}
    cases_ = [
        ({"to_agency_id": other.pk}, "to_agency", "nicht für „Leistungen nach SGB II“"),
        ({"effective_date": date.today() - timedelta(days=ho.CORRECTION_WINDOW_DAYS + 1)}, "effective_date",
         "mehr als 90 Tage zurück"),
        ({"effective_date": date.today() + timedelta(days=400)}, "effective_date", "Zukunft"),
        ({"effective_date": None}, "effective_date", "fehlt"),
        ({"function": "benefits_sgb12"}, "function", "Unbekannte Aufgabe"),
        ({"reason": ""}, "reason", "Anlass"),
        ({"to_agency_id": 999999}, "to_agency", "Unbekannte Behörde"),
    ]
    for change, field, message in cases_:
        with pytest.raises(InvalidInput) as exc:
            ho.propose_handover(**{**good, **change})
        assert message in exc.value.field_errors[field][0], (change, exc.value.field_errors)
    assert not HandOver.objects.exists()
    h = ho.propose_handover(**{**good, "effective_date": date.today() - timedelta(days=ho.CORRECTION_WINDOW_DAYS)})
    assert h.from_agency == district["LRA"]
    with pytest.raises(InvalidInput, match="bereits eine offene Übergabe"):
        ho.propose_handover(**good)


def test_agencies_not_in_the_file_cannot_propose(s, district, make_user):
    stranger = make_user("STADT", "caseworker")
    with pytest.raises(AccessDenied):
        ho.propose_handover(actor=A(stranger), person_id=s.person.pk, function=Function.BENEFITS_SGB2,
                            to_agency_id=district["JC"].pk, reason="x", effective_date=date.today())
    assert AuditEvent.objects.filter(object_type="handover", outcome=Outcome.DENIED).exists()


# --- lists -----------------------------------------------------------------------------------------

def test_inbox_outbox_and_team_view(s, district, proposed):
    incoming = list(ho.handovers_for(actor=A(s.jc), direction="in", state="open"))
    assert {h.function for h in incoming} == {Function.BENEFITS_SGB2, Function.LABOUR_SGB2}
    assert set(ho.handovers_for(actor=A(s.lra), direction="out")) == set(HandOver.objects.all())
    assert list(ho.handovers_for(actor=A(s.jc), direction="out")) == []
    team = ho.team_open_handovers(actor=A(s.jc_lead))
    assert len(team) == 2
    with pytest.raises(AccessDenied):
        ho.team_open_handovers(actor=A(s.jc))
    stale = HandOver.objects.get(pk=proposed.pk)
    assert ho.is_overdue(stale, on=date.today() + timedelta(days=ho.RESPONSE_DAYS))
    assert not ho.is_overdue(stale, on=date.today())
    assert list(ho.person_handovers(actor=A(s.jc), person_id=s.person.pk))


def test_detail_shows_the_sender_only_what_it_may_read(s, proposed, make_user):
    cases.add_entry(actor=A(make_user("LRA", "benefits")), person_id=s.person.pk, kind="note", category="benefits",
                    title="AsylbLG")
    labour = proposals(s.person)[Function.LABOUR_SGB2]
    aa_view = ho.handover_detail(actor=A(s.aa), handover_id=labour.pk)  # the Agentur reads no benefits
    assert not aa_view.summary_complete and "benefits" not in aa_view.summary["entries"]
    assert aa_view.may_reroute and not aa_view.may_accept
    jc_view = ho.handover_detail(actor=A(s.jc), handover_id=labour.pk)
    assert "benefits" in jc_view.summary["entries"]  # a snapshot: the later note is not counted
    assert jc_view.summary_complete and jc_view.may_accept and not jc_view.may_complete


def test_status_event_history_is_unchanged_by_hooks(s):
    recognise(s.lra, s.person, date(2024, 1, 31))
    assert StatusEvent.objects.filter(person=s.person).count() == 4


def test_proposals_per_agency_kind_map(district):
    # Every function a hand-over can give has a kind, a category and (for its kind) a legal basis.
    for function in Function.values:
        assert function in ho.FUNCTION_KIND and function in ho.FUNCTION_CATEGORY
        agency = Agency(kind=ho.FUNCTION_KIND[function], code="X", name="X")
        assert ho.lead_basis(agency, function)


def test_correcting_the_final_decision_withdraws_and_reproposes_with_the_new_date(s):
    from stella.journey.services import correct_status_event

    event = recognise(s.lra, s.person, date(2024, 1, 31))
    old = proposals(s.person)
    correct_status_event(actor=A(s.lra), person_id=s.person.pk, event_id=event.pk, effective_date=date(2024, 2, 29),
                         reason="Rechtskraft laut Bescheid")
    for h in old.values():
        h.refresh_from_db()
        assert h.state == HandOverState.CANCELLED and "berichtigt" in h.decision_note
    open_ = HandOver.objects.filter(person=s.person, state=HandOverState.PROPOSED)
    assert {h.effective_date for h in open_} == {date(2024, 3, 1)} and open_.count() == 2
    assert AuditEvent.objects.filter(object_type="handover", detail__reason="status_event_corrected").count() == 2


def test_voiding_the_final_decision_withdraws_without_a_new_proposal(s):
    from stella.journey.services import correct_status_event

    event = recognise(s.lra, s.person, date(2024, 1, 31))
    correct_status_event(actor=A(s.lra), person_id=s.person.pk, event_id=event.pk, void=True, reason="irrtümlich")
    assert not HandOver.objects.filter(person=s.person, state=HandOverState.PROPOSED).exists()
    assert HandOver.objects.filter(person=s.person, state=HandOverState.CANCELLED).count() == 2
