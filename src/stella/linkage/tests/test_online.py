"""The online duplicate check: candidates from the name-key index, scored by the engine, shown only as far
as the access policy allows, audited; registration records open review candidates."""

from __future__ import annotations

from datetime import date

import pytest

from stella.audit.models import AuditEvent
from stella.core.actor import Actor
from stella.linkage import online
from stella.linkage.models import CandidateState, LinkCandidate
from stella.linkage.records import record_from_input
from stella.people.models import NameKey, Person
from stella.people.services import NameIn, PersonIn, register_person

pytestmark = pytest.mark.django_db


def _register(user, family, given, birth, **extra):
    data = PersonIn(names=[NameIn(family_name=family, given_names=given)], birth_date=birth, **extra)
    return register_person(actor=Actor.for_user(user), data=data)


@pytest.fixture
def jc(make_user):
    return make_user("JC", "caseworker")


@pytest.fixture
def mohammed(jc):
    return _register(jc, "Al-Hassan", "Mohammed", date(1990, 5, 17), sex="m", nationalities=["SYR"],
                     birth_place="Aleppo")


def _rec(given, family, birth, **kw):
    return record_from_input("new", [(given, family)], birth_date=birth, **kw)


@pytest.mark.parametrize(("given", "family"), [
    ("Muhammad", "Alhasan"), ("Mohamad", "Hassan"), ("Hassan", "Mohammed"), ("محمد", "الحسن"),
])
def test_transliteration_variants_are_found(mohammed, given, family):
    pairs = online.find_candidates(_rec(given, family, date(1990, 5, 17), sex="m", nationality="SYR"))
    assert [int(p.right_id) for p in pairs] == [mohammed.pk]
    assert pairs[0].probability >= online.show_threshold()
    assert {e["field"] for e in pairs[0].evidence} >= {"name", "birth_date"}


def test_year_off_by_one_and_day_month_swap_are_candidates(mohammed):
    assert mohammed.pk in online.candidate_ids(_rec("Muhammad", "Al Hasan", date(1991, 5, 17)))
    assert mohammed.pk in online.candidate_ids(_rec("Muhammad", "Al Hasan", date(1990, 1, 1)))


def test_unrelated_persons_are_not_candidates(mohammed, jc):
    _register(jc, "Schmidt", "Anna", date(1970, 3, 2), sex="f")
    assert online.find_candidates(_rec("Anna", "Schmidt", date(1990, 5, 17))) == []
    assert online.find_candidates(_rec("Fatima", "Yousef", date(1990, 5, 17))) == []
    assert online.candidate_ids(_rec("Muhammad", "Alhasan", date(1960, 5, 17))) == []  # 30 years apart


def test_same_birth_date_and_one_shared_key_is_a_candidate(mohammed):
    # the family name changed completely (father's name as family name): one key, identical birth date
    assert mohammed.pk in online.candidate_ids(_rec("Mohammed", "Ibrahim", date(1990, 5, 17)))
    assert mohammed.pk not in online.candidate_ids(_rec("Mohammed", "Ibrahim", date(1990, 5, 18)))


def test_merged_persons_and_the_person_itself_are_excluded(mohammed, jc):
    other = _register(jc, "Alhasan", "Muhammad", date(1990, 5, 17))
    record = _rec("Mohammed", "Al-Hassan", date(1990, 5, 17))
    assert {int(p.right_id) for p in online.find_candidates(record)} == {mohammed.pk, other.pk}
    assert {int(p.right_id) for p in online.find_candidates(record, exclude_person=other.pk)} == {mohammed.pk}
    Person.objects.filter(pk=other.pk).update(merged_into=mohammed)
    assert {int(p.right_id) for p in online.find_candidates(record)} == {mohammed.pk}


def test_frequent_name_on_placeholder_birthday_is_capped(jc, monkeypatch):
    person = _register(jc, "Al-Hassan", "Mohammed", date(1990, 1, 1))
    # 30 more persons with the same keys and year: the index query stops at the cap
    rows = [NameKey(person=Person.objects.create(birth_date=date(1990, 1, 1), birth_date_precision="year"),
                    key=k, birth_year=1990) for _ in range(30) for k in ("mhmd", "hsn")]
    NameKey.objects.bulk_create(rows)
    ids = online.candidate_ids(_rec("Mohammed", "Alhassan", date(1990, 1, 1)), cap=10)
    assert len(ids) == 10
    assert person.pk in online.candidate_ids(_rec("Mohammed", "Alhassan", date(1990, 1, 1)), cap=200)


def test_no_birth_date_needs_every_key(mohammed):
    assert online.candidate_ids(_rec("Muhammad", "Alhasan", None)) == [mohammed.pk]
    assert online.candidate_ids(_rec("Muhammad", "Schmidt", None)) == []


def test_no_name_keys_no_candidates(mohammed):
    assert online.candidate_ids(_rec("", "---", date(1990, 5, 17))) == []


# --- the service: access and audit -----------------------------------------------------------------------

def test_public_body_without_participation_sees_base_identity_only(mohammed, make_user, actor_for):
    aa = actor_for(make_user("AA", "caseworker"))
    result = online.check_person(actor=aa, record=_rec("Muhammad", "Alhasan", date(1990, 5, 17), birth_place="Halab"))
    (hit,) = result.hits
    assert hit.person.pk == mohammed.pk and not hit.identity_readable
    hidden = {e["field"] for e in hit.evidence if e.get("hidden")}
    assert hidden == {"birth_place", "sex"}
    assert all(e["weight"] == 0.0 and e["level"] == "hidden" for e in hit.evidence if e.get("hidden"))
    event = AuditEvent.objects.filter(action="search", username=aa.username).latest("seq")
    assert event.detail["duplicate_check"] is True and event.detail["hits"] == [mohammed.pk]


def test_participating_caseworker_sees_all_evidence(mohammed, jc, actor_for):
    (hit,) = online.check_person(actor=actor_for(jc), record=_rec("Muhammad", "Alhasan", date(1990, 5, 17))).hits
    assert hit.identity_readable and not any(e.get("hidden") for e in hit.evidence)


@pytest.mark.parametrize(("kind", "role"), [("KT", "caseworker"), ("MB", "caseworker"), ("JC", "analyst")])
def test_course_provider_non_public_body_and_non_case_roles_see_nothing(mohammed, make_user, actor_for, kind, role):
    actor = actor_for(make_user(kind, role))
    result = online.check_person(actor=actor, record=_rec("Muhammad", "Alhasan", date(1990, 5, 17)))
    assert result.hits == []
    assert [int(p.right_id) for p in result.pairs] == [mohammed.pk]  # known to the system, not shown


def test_record_candidates_queues_open_pairs_and_keeps_decisions(mohammed, jc, actor_for):
    actor = actor_for(jc)
    new = _register(jc, "Alhasan", "Muhammad", date(1990, 5, 17), sex="m", nationalities=["SYR"])
    result = online.check_and_record(actor=actor, person=new)
    assert [h.person.pk for h in result.hits] == [mohammed.pk]
    cand = LinkCandidate.objects.get()
    assert (cand.person_a_id, cand.person_b_id) == (mohammed.pk, new.pk)
    assert cand.state == CandidateState.OPEN and cand.run is None and cand.evidence
    LinkCandidate.objects.filter(pk=cand.pk).update(state=CandidateState.DISTINCT, probability=0.1)
    online.check_and_record(actor=actor, person=new)
    cand.refresh_from_db()
    assert cand.state == CandidateState.DISTINCT and cand.probability == 0.1  # a decision is never overwritten
    assert LinkCandidate.objects.count() == 1


def test_below_queue_threshold_nothing_is_recorded(mohammed, jc, actor_for, settings):
    settings.STELLA_LINKAGE_QUEUE_THRESHOLD = 1.01
    new = _register(jc, "Alhasan", "Muhammad", date(1990, 5, 17))
    online.check_and_record(actor=actor_for(jc), person=new)
    assert not LinkCandidate.objects.exists()


def test_at_the_cap_the_same_birth_year_comes_before_a_neighbouring_one(jc):
    """Frequent names: the cap keeps the persons of the record's own birth year (most shared keys first)."""
    neighbours = [Person.objects.create(birth_date=date(1991, 1, 1), birth_date_precision="year") for _ in range(5)]
    NameKey.objects.bulk_create([NameKey(person=p, key=k, birth_year=1991) for p in neighbours for k in ("mhmd", "hsn")])
    same_year = _register(jc, "Al-Hassan", "Mohammed", date(1990, 1, 1))
    ids = online.candidate_ids(_rec("Mohammed", "Alhassan", date(1990, 1, 1)), cap=3)
    assert ids[0] == same_year.pk and len(ids) == 3


def test_records_by_id_are_the_records_of_the_full_reader(jc):
    """The online check's three-query reader gives exactly what `records_of` gives (names in every script,
    registered first; nationality; unknown precision → no date), in the order asked, without merged persons."""
    from stella.linkage.records import records_by_id, records_of

    a = _register(jc, "Al-Hassan", "Mohammed", date(1990, 5, 17))
    b = _register(jc, "Alhasan", "Muhammad", date(1991, 1, 1))
    c = _register(jc, "Hassan", "Mohamed", date(1992, 3, 4))
    Person.objects.filter(pk=c.pk).update(merged_into=a)
    full = {r.record_id: r for r in records_of(Person.objects.filter(pk__in=[a.pk, b.pk]))}
    assert records_by_id([b.pk, a.pk, c.pk]) == [full[str(b.pk)], full[str(a.pk)]]


def test_persons_without_birth_date_come_after_those_with_the_year(jc):
    undated = _register(jc, "Al-Hassan", "Mohammed", None)
    dated = _register(jc, "Alhasan", "Muhammad", date(1990, 1, 1))
    assert online.candidate_ids(_rec("Mohammed", "Al-Hassan", date(1990, 1, 1))) == [dated.pk, undated.pk]
