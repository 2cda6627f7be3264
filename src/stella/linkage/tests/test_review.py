"""The review queue: who sees which candidates, in which order; the side-by-side view never shows more than
the policy allows; decisions with reasons, optimistic locking and refusals (nothing changed)."""

from __future__ import annotations

import pytest

from stella.audit.models import AuditEvent
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.linkage import review
from stella.linkage.models import CandidateState, LinkCandidate
from stella.linkage.tests.review_setup import register
from stella.people.models import Person

pytestmark = pytest.mark.django_db
A = Actor.for_user


def test_queue_shows_pairs_of_files_the_agency_takes_part_in(world, make_user):
    assert list(review.queue(A(world["jc"]))) == [world["cand"]]
    assert list(review.queue(A(world["lra"]))) == [world["cand"]]
    for kind, role in (("AA", "caseworker"), ("KT", "caseworker"), ("MB", "caseworker"), ("JC", "analyst"),
                       ("JC", "dpo")):
        assert list(review.queue(A(make_user(kind, role)))) == [], (kind, role)


def test_queue_is_audited_and_ordered_by_probability(world, make_user):
    jc = world["jc"]
    c = register(jc, "Alhassan", "Mohamad", sex="m")
    low = LinkCandidate.objects.create(person_a=world["a"], person_b=c, probability=0.55, match_weight=1.0)
    high = LinkCandidate.objects.create(person_a=world["b"], person_b=c, probability=0.97, match_weight=9.0)
    assert list(review.queue(A(jc))) == [high, world["cand"], low]
    assert AuditEvent.objects.filter(object_type="link_queue", username=jc.username).exists()


def test_confirmed_pairs_wait_first_in_the_other_agencys_queue(world):
    jc, lra = A(world["jc"]), A(world["lra"])
    c = register(world["lra"], "Alhassan", "Mohamad", sex="m")
    higher = LinkCandidate.objects.create(person_a=world["b"], person_b=c, probability=0.99, match_weight=9.0)
    cand = review.confirm_same(actor=jc, candidate_id=world["cand"].pk, note="Gleiche AZR-Akte", version=1)
    assert cand.state == CandidateState.CONFIRMED and cand.confirmed_by_agency_id == jc.agency_id
    assert list(review.queue(lra))[:2] == [cand, higher]
    rows = review.queue_rows(lra, list(review.queue(lra)))
    assert rows[0].waiting_for_us and not rows[1].waiting_for_us
    assert review.queue_rows(jc, [cand])[0].waiting_for_us is False
    # the second agency agrees: the first stays recorded, the note keeps both
    cand = review.confirm_same(actor=lra, candidate_id=cand.pk, note="Einverstanden", version=2)
    assert cand.confirmed_by_agency_id == jc.agency_id and "Einverstanden" in cand.note and cand.version == 3


def test_queue_filters(world, make_user):
    jc = A(world["jc"])
    assert list(review.queue(jc, state="distinct")) == []
    assert list(review.queue(jc, state="all")) == [world["cand"]]
    assert list(review.queue(jc, district="LK-LB")) == [world["cand"]]
    with pytest.raises(InvalidInput) as exc:
        review.queue(jc, state="kaputt")
    assert "state" in exc.value.field_errors
    with pytest.raises(InvalidInput):
        review.queue(jc, district="LK-NIRGENDS")
    Person.objects.filter(pk=world["b"].pk).update(merged_into=world["a"])
    assert list(review.queue(jc)) == []  # merged elsewhere: no longer open


def test_detail_shows_the_other_file_only_as_far_as_policy_allows(world):
    view = review.candidate_detail(actor=A(world["jc"]), candidate_id=world["cand"].pk)
    a, b = dict(view.a.fields), dict(view.b.fields)
    assert view.a.identity_readable and a["Geburtsort"] == "Aleppo" and a["Geschlecht"] == "männlich"
    assert not view.b.identity_readable and b["Geburtsort"] is None and b["Geschlecht"] is None
    assert b["Geburtsdatum"] == "17.05.1990" and b["Namen"]  # base identity: public bodies may find anyone
    hidden = {e["field"] for e in view.evidence if e["hidden"]}
    assert hidden == {"birth_place", "sex"}
    assert all(e["weight"] == 0.0 and e["label"] == "kein Zugriff" for e in view.evidence if e["hidden"])
    assert view.may_decide and view.a.writable and not view.b.writable
    assert [r[0] for r in view.rows][:3] == ["Namen", "Geburtsdatum", "Staatsangehörigkeit"]
    reads = AuditEvent.objects.filter(object_type="link_candidate", action="read", username=world["jc"].username)
    assert {e.person_id for e in reads} == {world["a"].pk, world["b"].pk}


def test_detail_computes_missing_evidence(world):
    LinkCandidate.objects.filter(pk=world["cand"].pk).update(evidence=[])
    view = review.candidate_detail(actor=A(world["jc"]), candidate_id=world["cand"].pk)
    assert {e["field"] for e in view.evidence} >= {"name", "birth_date", "birth_place"}
    assert LinkCandidate.objects.get(pk=world["cand"].pk).evidence == []  # reading writes nothing


@pytest.mark.parametrize(("kind", "role"), [("AA", "caseworker"), ("KT", "caseworker"), ("JC", "analyst")])
def test_detail_of_a_pair_without_participation_is_not_found_and_audited(world, make_user, kind, role):
    user = make_user(kind, role)
    with pytest.raises(NotFound):
        review.candidate_detail(actor=A(user), candidate_id=world["cand"].pk)
    assert AuditEvent.objects.filter(outcome="denied", object_type="link_candidate", username=user.username).exists()
    with pytest.raises(NotFound):
        review.candidate_detail(actor=A(user), candidate_id=999999)


def test_distinct_needs_a_reason_and_the_current_version(world):
    jc, cand = A(world["jc"]), world["cand"]
    with pytest.raises(InvalidInput) as exc:
        review.decide_distinct(actor=jc, candidate_id=cand.pk, note="  ", version=1)
    assert "note" in exc.value.field_errors
    with pytest.raises(InvalidInput) as exc:
        review.decide_distinct(actor=jc, candidate_id=cand.pk, note="x" * 2001, version=1)
    with pytest.raises(InvalidInput) as exc:
        review.decide_distinct(actor=jc, candidate_id=cand.pk, note="Brüder", version="1")
    assert "version" in exc.value.field_errors
    with pytest.raises(Conflict) as conflict:
        review.decide_distinct(actor=jc, candidate_id=cand.pk, note="Brüder", version=7)
    assert conflict.value.current_version == 1
    cand.refresh_from_db()
    assert cand.state == CandidateState.OPEN and cand.version == 1  # nothing changed
    done = review.decide_distinct(actor=jc, candidate_id=cand.pk, note="Brüder, anderer Vater", version=1)
    assert done.state == CandidateState.DISTINCT and done.version == 2 and done.decided_by_id == world["jc"].pk
    assert AuditEvent.objects.filter(object_type="link_candidate", action="update").count() == 2  # both persons
    # decided: a late decision on the old version conflicts, on the new one it is refused
    with pytest.raises(Conflict):
        review.confirm_same(actor=A(world["lra"]), candidate_id=cand.pk, note="", version=1)
    with pytest.raises(InvalidInput):
        review.confirm_same(actor=A(world["lra"]), candidate_id=cand.pk, note="", version=2)


def test_same_agency_cannot_confirm_twice(world):
    jc = A(world["jc"])
    review.confirm_same(actor=jc, candidate_id=world["cand"].pk, note="", version=1)
    with pytest.raises(InvalidInput):
        review.confirm_same(actor=jc, candidate_id=world["cand"].pk, note="", version=2)
    # the other agency may still say "different": one 'different' outweighs a 'same'
    done = review.decide_distinct(actor=A(world["lra"]), candidate_id=world["cand"].pk, note="Anderer Vater",
                                  version=2)
    assert done.state == CandidateState.DISTINCT


def test_decisions_need_write_access_to_one_of_the_files(world, make_user):
    lead = make_user("JC", "team_lead")  # sees the queue, may not write identity
    with pytest.raises(AccessDenied):
        review.decide_distinct(actor=A(lead), candidate_id=world["cand"].pk, note="x", version=1)
    with pytest.raises(NotFound):  # benefits staff do not work the queue
        review.decide_distinct(actor=A(make_user("JC", "benefits")), candidate_id=world["cand"].pk, note="x",
                               version=1)
    stranger = make_user("AA", "caseworker")
    with pytest.raises(NotFound):
        review.confirm_same(actor=A(stranger), candidate_id=world["cand"].pk, note="", version=1)
    assert LinkCandidate.objects.get(pk=world["cand"].pk).version == 1


def test_may_confirm_alone_only_with_write_access_to_both(world):
    cand = world["cand"]
    assert not review.may_confirm_alone(A(world["jc"]), cand)
    from stella.cases.models import CaseFile, Participation

    Participation.objects.create(case_file=CaseFile.objects.get(person=world["b"]), agency=world["jc"].agency,
                                 role="contributing", since="2020-01-01", legal_basis="§50 SGB II")
    assert review.may_confirm_alone(A(world["jc"]), cand)
