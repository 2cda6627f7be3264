"""Merge and unmerge: every row moves with provenance and comes back exactly; refusals change nothing."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from stella.audit.models import AuditEvent
from stella.cases.models import CaseFile, TimelineEntry
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.linkage import merge as m
from stella.linkage.models import CandidateState, LinkCandidate, Merge, MergeMove
from stella.linkage.tests.merge_setup import KINDS, builders, full_snapshot
from stella.people.models import NameKey, Person
from stella.people.services import update_person
from stella.tests.factories import make_municipality, register

EXPECTED_MOVED = {
    "people.PersonName.person", "people.Nationality.person", "people.LanguageSkill.person", "people.Contact.person",
    "people.Address.person", "people.Identifier.person", "people.IdentityDocument.person",
    "people.HouseholdMember.person", "journey.StatusEvent.person", "journey.HandOver.person",
    "journey.BulkHandOverItem.person", "journey.Task.person", "journey.Appointment.person",
    "competences.SchoolEducation.person", "competences.Qualification.person", "competences.WorkExperience.person",
    "competences.Skill.person", "competences.LanguageAssessment.person", "competences.Circumstances.person",
    "offers.Enrolment.person", "offers.Placement.person", "matching.Assignment.person",
    "cases.Participation.case_file", "cases.TimelineEntry.case_file", "cases.Consent.case_file",
}


@pytest.fixture
def world(district, make_user):
    user = make_user("JC", "caseworker")
    municipality = make_municipality(district)
    return {"user": user, "actor": Actor.for_user(user), "district": district,
            "build": builders(district["JC"], user, municipality)}


def _pair(world, **b_extra):
    a = register(world["user"], "Al-Hassan", "Mohammed", date(1990, 1, 1))
    b = register(world["user"], "Alhassan", "Muhammad", date(1990, 1, 1), **b_extra)
    return a, b


# --- the inventory of references ----------------------------------------------------------------------------


def test_every_reference_to_person_or_file_is_moved_or_deliberately_kept():
    """Fails when a new foreign key to Person or CaseFile appears: check that moving it is right (unique
    constraints are handled generically) and add it here, or list it in merge.KEPT with the reason."""
    moved = {r.key for r in m.references()}
    assert moved == EXPECTED_MOVED
    all_refs = set()
    for model in (Person, CaseFile):
        for rel in model._meta.get_fields(include_hidden=True):
            if rel.is_relation and rel.auto_created and not rel.concrete:
                assert not rel.many_to_many, rel
                all_refs.add(f"{rel.field.model._meta.label}.{rel.field.name}")
    assert all_refs == moved | set(m.KEPT)


def test_every_moved_model_has_a_category():
    assert {r.label for r in m.references()} - {"cases.TimelineEntry"} <= set(m.MODEL_CATEGORY)


# --- merge ---------------------------------------------------------------------------------------------------


def test_merge_moves_every_row_with_provenance_and_audits_both(world):
    a, b = _pair(world)
    for kind in KINDS:
        world["build"][kind](b, 0)
    before = full_snapshot([b.pk])
    merge = m.merge_persons(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk, resolution={},
                            reason="gleiche AZR-Nummer im Pass")
    b.refresh_from_db()
    assert b.merged_into_id == a.pk
    moved_rows = {k for k in before if k[0] not in ("people.Person", "cases.CaseFile", "people.NameKey")}
    provenance = m.provenance_for(a.pk)
    assert moved_rows <= set(provenance)
    assert all(provenance[k].pk == merge.pk for k in moved_rows)
    assert MergeMove.objects.filter(merge=merge).count() == len(moved_rows)
    assert m.provenance_text(merge).startswith(f"stammt aus Erfassung #{b.pk}, übernommen am ")
    # the absorbed person keeps nothing but its (empty) file and its name keys are gone
    assert not full_snapshot([b.pk]).keys() - {("people.Person", b.pk), ("cases.CaseFile", b.case_file.pk),
                                               ("people.NameKey", b.pk)}
    assert not NameKey.objects.filter(person=b).exists()
    assert NameKey.objects.filter(person=a, key__isnull=False).exists()
    events = AuditEvent.objects.filter(object_type="merge", object_id=str(merge.pk))
    assert sorted(e.person_id for e in events) == sorted([a.pk, b.pk])
    assert all(e.detail["merge"] == merge.pk and e.detail["moved"] for e in events)
    assert TimelineEntry.objects.filter(case_file__person=a, title__startswith="Erfassungen zusammengeführt").exists()
    assert m.audit_person_ids(a.pk) == [a.pk, b.pk]
    assert m.merged_into_chain(b.pk) == a.pk
    assert [x.pk for x in m.merges_of(a.pk)] == [merge.pk] == [x.pk for x in m.merges_of(b.pk)]


def test_conflicts_need_a_choice_and_the_choice_is_applied(world):
    a, b = _pair(world, sex="f", birth_place="Aleppo")
    with pytest.raises(InvalidInput) as exc:
        m.merge_persons(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk, resolution={}, reason="x")
    assert set(exc.value.field_errors) == {"resolution.sex", "resolution.birth_place"}
    assert Person.objects.get(pk=b.pk).merged_into_id is None
    merge = m.merge_persons(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk,
                            resolution={"sex": "absorbed", "birth_place": "absorbed"}, reason="gleiche Person")
    a.refresh_from_db()
    assert (a.sex, a.birth_place) == ("f", "Aleppo")
    assert merge.resolution["sex"] == {"choice": "absorbed", "from": b.pk, "value": "weiblich"}
    assert merge.survivor_before["sex"] == "u"


@pytest.mark.parametrize("resolution,key", [({"sex": "beide"}, "resolution.sex"),
                                            ({"nickname": "survivor"}, "resolution.nickname")])
def test_bad_resolution_is_refused(world, resolution, key):
    a, b = _pair(world, sex="f")
    with pytest.raises(InvalidInput) as exc:
        m.merge_persons(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk, resolution=resolution, reason="x")
    assert key in exc.value.field_errors
    assert not Merge.objects.exists()


def test_refusals_change_nothing(world):
    a, b = _pair(world)
    c = register(world["user"], "Hassan", "Mohamad", date(1990, 1, 1))
    actor = world["actor"]
    with pytest.raises(InvalidInput, match="mit sich selbst"):
        m.merge_persons(actor=actor, survivor_id=a.pk, absorbed_id=a.pk, resolution={}, reason="x")
    with pytest.raises(InvalidInput) as exc:
        m.merge_persons(actor=actor, survivor_id=a.pk, absorbed_id=b.pk, resolution={}, reason="  ")
    assert "reason" in exc.value.field_errors
    with pytest.raises(NotFound):
        m.merge_persons(actor=actor, survivor_id=a.pk, absorbed_id=999999, resolution={}, reason="x")
    with pytest.raises(Conflict) as conflict:
        m.merge_persons(actor=actor, survivor_id=a.pk, absorbed_id=b.pk, resolution={}, reason="x",
                        versions=(a.version, b.version - 1))
    assert {"person_id": b.pk, "version": b.version} in conflict.value.changes
    assert not Merge.objects.exists() and not MergeMove.objects.exists()
    m.merge_persons(actor=actor, survivor_id=a.pk, absorbed_id=b.pk, resolution={}, reason="x",
                    versions=(a.version, b.version))
    for survivor, absorbed, key in ((c.pk, b.pk, "absorbed"), (b.pk, c.pk, "survivor")):
        with pytest.raises(InvalidInput) as exc:
            m.merge_persons(actor=actor, survivor_id=survivor, absorbed_id=absorbed, resolution={}, reason="x")
        assert "bereits in Person" in exc.value.field_errors[key][0]
    assert Merge.objects.count() == 1


def test_stale_version_after_an_edit(world):
    a, b = _pair(world)
    seen = (a.version, b.version)
    update_person(actor=world["actor"], person_id=b.pk, version=b.version, changes={"birth_place": "Homs"})
    with pytest.raises(Conflict):
        m.merge_persons(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk,
                        resolution={"birth_place": "absorbed"}, reason="x", versions=seen)
    assert Person.objects.get(pk=b.pk).merged_into_id is None


def test_other_agency_file_is_refused_naming_the_lead_agency(world, make_user):
    lra = make_user("LRA", "caseworker")
    a = register(world["user"], "Al-Hassan", "Mohammed", date(1990, 1, 1))
    b = register(lra, "Alhassan", "Muhammad", date(1990, 1, 1))
    with pytest.raises(AccessDenied) as exc:
        m.merge_persons(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk, resolution={}, reason="x")
    assert world["district"]["LRA"].name in exc.value.reason
    assert f"Person #{b.pk}" in exc.value.reason
    assert AuditEvent.objects.filter(person_id=b.pk, outcome="denied", object_type="merge").exists()
    assert not Merge.objects.exists()
    # the preview shows what may be read and says why merging is refused
    preview = m.merge_preview(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk)
    assert not preview.may_merge and world["district"]["LRA"].name in preview.refusal
    assert "identity" not in preview.absorbed.sections and "identity" in preview.absorbed.refusals
    # a course provider cannot even find the persons: answered like missing
    provider = Actor.for_user(make_user("KT", "caseworker"))
    with pytest.raises(NotFound):
        m.merge_persons(actor=provider, survivor_id=a.pk, absorbed_id=b.pk, resolution={}, reason="x")


def test_a_unique_collision_must_be_settled_first(world):
    from stella.offers.models import Enrolment

    a, b = _pair(world)
    e = world["build"]["enrolments"](a, 0)
    Enrolment.objects.create(offer=e.offer, person=b, agency=e.agency)
    preview = m.merge_preview(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk)
    assert preview.blocking and not preview.may_merge
    with pytest.raises(InvalidInput) as exc:
        m.merge_persons(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk, resolution={}, reason="x")
    assert "Teilnahme" in exc.value.field_errors["blocking"][0]
    assert Enrolment.objects.filter(person=b).count() == 1 and not Merge.objects.exists()
    Enrolment.objects.filter(person=b).update(state="withdrawn")  # settled: both rows are kept
    m.merge_persons(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk, resolution={}, reason="x")
    assert Enrolment.objects.filter(person=a).count() == 2


def test_candidate_becomes_merged_then_distinct(world):
    a, b = _pair(world)
    cand = LinkCandidate.objects.create(person_a=a, person_b=b, probability=0.97, match_weight=9.0)
    other = register(world["user"], "Hassan", "Ali", date(1980, 1, 1))
    wrong = LinkCandidate.objects.create(person_a=a, person_b=other, probability=0.5, match_weight=1.0)
    with pytest.raises(InvalidInput):
        m.merge_persons(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk, resolution={}, reason="x",
                        candidate_id=wrong.pk)
    merge = m.merge_persons(actor=world["actor"], survivor_id=b.pk, absorbed_id=a.pk, resolution={}, reason="x",
                            candidate_id=cand.pk)
    cand.refresh_from_db()
    assert (cand.state, cand.merge_id, cand.decided_by_id) == (CandidateState.MERGED, merge.pk, world["user"].pk)
    m.unmerge(actor=world["actor"], merge_id=merge.pk, reason="doch Brüder")
    cand.refresh_from_db()
    assert cand.state == CandidateState.DISTINCT and cand.note == "doch Brüder"


def test_unmerge_without_candidate_records_a_cannot_link(world):
    a, b = _pair(world)
    merge = m.merge_persons(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk, resolution={}, reason="x")
    m.unmerge(actor=world["actor"], merge_id=merge.pk, reason="verschieden")
    cand = LinkCandidate.objects.get(person_a=min(a.pk, b.pk), person_b=max(a.pk, b.pk))
    assert cand.state == CandidateState.DISTINCT


# --- unmerge -------------------------------------------------------------------------------------------------


def _new_rows(before, after):
    return {k for k in after if k not in before}


def test_unmerge_restores_both_exactly(world):
    a, b = _pair(world, sex="f")
    for kind in KINDS:
        world["build"][kind](a, 1)
        world["build"][kind](b, 0)
    before = full_snapshot([a.pk, b.pk])
    merge = m.merge_persons(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk, resolution={"sex": "absorbed"},
                            reason="x")
    undone = m.unmerge(actor=world["actor"], merge_id=merge.pk, reason="Irrtum")
    after = full_snapshot([a.pk, b.pk])
    added = _new_rows(before, after)
    assert {k[0] for k in added} == {"cases.TimelineEntry"} and len(added) == 2  # the two notes about it
    assert {k: after[k] for k in before} == before
    assert undone.undone_at is not None and undone.undo_reason == "Irrtum"
    assert m.provenance_for(a.pk) == {}
    assert m.audit_person_ids(a.pk) == [a.pk]
    assert AuditEvent.objects.filter(object_type="unmerge", object_id=str(merge.pk)).count() == 2


def test_rows_added_after_the_merge_stay_with_the_survivor(world):
    a, b = _pair(world)
    merge = m.merge_persons(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk, resolution={}, reason="x")
    late = world["build"]["contacts"](a, 0)
    m.unmerge(actor=world["actor"], merge_id=merge.pk, reason="Irrtum")
    late.refresh_from_db()
    assert late.person_id == a.pk


def test_unmerge_refusals(world):
    a, b = _pair(world, sex="f")
    c = register(world["user"], "Hassan", "Mohamad", date(1990, 1, 1))
    actor = world["actor"]
    with pytest.raises(NotFound):
        m.unmerge(actor=actor, merge_id=424242, reason="x")
    world["build"]["contacts"](b, 0)
    first = m.merge_persons(actor=actor, survivor_id=a.pk, absorbed_id=b.pk, resolution={"sex": "survivor"},
                            reason="x")
    with pytest.raises(InvalidInput):
        m.unmerge(actor=actor, merge_id=first.pk, reason="")
    # the survivor was merged on into another person: that comes first
    second = m.merge_persons(actor=actor, survivor_id=c.pk, absorbed_id=a.pk, resolution={}, reason="y")
    with pytest.raises(Conflict, match=f"Zusammenführung #{second.pk}"):
        m.unmerge(actor=actor, merge_id=first.pk, reason="z")
    assert m.audit_person_ids(c.pk) == [c.pk, a.pk, b.pk]
    assert m.merged_into_chain(b.pk) == c.pk
    m.unmerge(actor=actor, merge_id=second.pk, reason="z")
    # a field the merge resolved was edited afterwards
    a.refresh_from_db()
    update_person(actor=actor, person_id=a.pk, version=a.version, changes={"sex": "m"})
    with pytest.raises(Conflict, match="Geschlecht"):
        m.unmerge(actor=actor, merge_id=first.pk, reason="z")
    a.refresh_from_db()
    update_person(actor=actor, person_id=a.pk, version=a.version, changes={"sex": "u"})
    m.unmerge(actor=actor, merge_id=first.pk, reason="z")
    with pytest.raises(InvalidInput, match="bereits"):
        m.unmerge(actor=actor, merge_id=first.pk, reason="z")


def test_unmerge_refused_while_a_later_merge_holds_the_rows(world):
    a, b = _pair(world)
    c = register(world["user"], "Hassan", "Mohamad", date(1990, 1, 1))
    world["build"]["contacts"](b, 0)
    first = m.merge_persons(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk, resolution={}, reason="x")
    # a wrongly built chain: the survivor's rows (incl. b's contact) go on to c
    second = m.merge_persons(actor=world["actor"], survivor_id=c.pk, absorbed_id=a.pk, resolution={}, reason="x")
    assert m._later_merges(first) == [second.pk]


def test_unmerge_access_follows_the_restored_participations(world, make_user):
    a, b = _pair(world)
    merge = m.merge_persons(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk, resolution={}, reason="x")
    registration = Actor.for_user(make_user("JC", "team_lead"))
    with pytest.raises(AccessDenied):
        m.unmerge(actor=registration, merge_id=merge.pk, reason="x")
    assert Merge.objects.get(pk=merge.pk).undone_at is None


def test_system_actor_merges_automatically(world):
    a, b = _pair(world)
    merge = m.merge_persons(actor=Actor.system("Dublettenlauf"), survivor_id=a.pk, absorbed_id=b.pk, resolution={},
                            reason="Wahrscheinlichkeit 0,999")
    assert merge.automatic and merge.merged_by_id is None


def test_preview_shows_conflicts_with_sources_and_counts(world):
    a, b = _pair(world, birth_place="Aleppo")
    world["build"]["contacts"](b, 0)
    world["build"]["enrolments"](b, 0)
    preview = m.merge_preview(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk)
    (conflict,) = preview.conflicts
    assert conflict.field == "birth_place" and conflict.absorbed.display == "Aleppo"
    assert conflict.absorbed.source.startswith(f"Erfassung #{b.pk}, erfasst von ")
    counts = {x.key: x for x in preview.moves}
    assert counts["people.Contact.person"].absorbed == 1
    assert counts["offers.Enrolment.person"].absorbed == 1
    assert counts["cases.Participation.case_file"].absorbed == 1
    assert preview.may_merge and not preview.refusal
    assert AuditEvent.objects.filter(object_type="merge_preview", person_id=b.pk).exists()
    with pytest.raises(InvalidInput):
        m.merge_preview(actor=world["actor"], survivor_id=a.pk, absorbed_id=a.pk)


# --- the round trip, for generated persons -----------------------------------------------------------------

kinds_strategy = st.dictionaries(st.sampled_from(KINDS), st.integers(min_value=0, max_value=2), max_size=len(KINDS))
fields_strategy = st.fixed_dictionaries({
    "sex": st.sampled_from(["f", "m", "u"]),
    "birth_place": st.sampled_from(["", "Aleppo", "Halab", "Kabul"]),
    "birth_country": st.sampled_from(["", "SYR", "AFG"]),
})


@pytest.mark.django_db
@hsettings(max_examples=12, deadline=None)
@given(survivor_rows=kinds_strategy, absorbed_rows=kinds_strategy, survivor_fields=fields_strategy,
       absorbed_fields=fields_strategy, pick=st.lists(st.sampled_from(m.CHOICES), min_size=4, max_size=4))
def test_unmerge_of_merge_restores_both_persons_exactly(world, survivor_rows, absorbed_rows, survivor_fields,
                                                       absorbed_fields, pick):
    a = register(world["user"], "Al-Hassan", "Mohammed", date(1990, 1, 1), **survivor_fields)
    b = register(world["user"], "الحسن", "محمد", date(1990, 1, 1), **absorbed_fields)
    for person, rows in ((a, survivor_rows), (b, absorbed_rows)):
        for kind, n in rows.items():
            for i in range(n):
                world["build"][kind](person, i)
    before = full_snapshot([a.pk, b.pk])
    absorbed_rows_before = {k for k in full_snapshot([b.pk])
                            if k[0] not in ("people.Person", "cases.CaseFile", "people.NameKey")}
    conflicts = m.conflicts_between(a, b)
    resolution = {c.field: choice for c, choice in zip(conflicts, pick, strict=False)}
    merge = m.merge_persons(actor=world["actor"], survivor_id=a.pk, absorbed_id=b.pk, resolution=resolution,
                            reason="Test")
    assert set(m.provenance_for(a.pk)) == absorbed_rows_before
    assert not {k for k in full_snapshot([b.pk]) if k[0] not in ("people.Person", "cases.CaseFile", "people.NameKey")}
    m.unmerge(actor=world["actor"], merge_id=merge.pk, reason="Test")
    after = full_snapshot([a.pk, b.pk])
    assert {k: after[k] for k in before} == before
    assert {k[0] for k in set(after) - set(before)} <= {"cases.TimelineEntry"}


def test_the_survivors_registered_name_stays_the_file_heading(make_user):
    """The older absorbed record's registered name becomes a further spelling; the unmerge turns it back."""
    from stella.core.actor import Actor
    from stella.linkage.merge import merge_persons, unmerge
    from stella.people.models import Person, PersonName
    from stella.tests.factories import register

    user = make_user("JC", "caseworker")
    older = register(user, "Al-Hassan", "Mohammed", date(1990, 1, 1))
    newer = register(user, "Alhasan", "Muhammad", date(1990, 1, 1))
    actor = Actor.for_user(user)
    merge = merge_persons(actor=actor, survivor_id=newer.pk, absorbed_id=older.pk, resolution={}, reason="gleich")
    survivor = Person.objects.get(pk=newer.pk)
    assert str(survivor) == "Alhasan, Muhammad"
    moved = PersonName.objects.get(family_name="Al-Hassan")
    assert moved.person_id == newer.pk and moved.kind == "alias" and merge.relabelled_names == [moved.pk]
    unmerge(actor=actor, merge_id=merge.pk, reason="doch verschieden")
    moved.refresh_from_db()
    assert moved.person_id == older.pk and moved.kind == "registered"
    assert str(Person.objects.get(pk=older.pk)) == "Al-Hassan, Mohammed"
