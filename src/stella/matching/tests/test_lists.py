"""Matching lists: ranked offers for a person, ranked persons for an offer, why (not); access and audit."""

from __future__ import annotations

from datetime import date

import pytest

from stella.audit.models import AuditEvent, Outcome
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.matching import lists
from stella.matching.models import AllocationRun, Assignment, RunState
from stella.matching.score import CRITERIA
from stella.matching.tests import matching_setup as ms

ON = ms.ON


@pytest.fixture
def jc(make_user):
    return make_user("JC", "caseworker")


@pytest.fixture
def me(jc):
    return Actor.for_user(jc)


@pytest.fixture
def anna(jc, district):
    return ms.cook(jc, district)


def test_offers_for_person_ranked_with_explanations(me, anna, district) -> None:
    course = ms.offer(district, target_level="B1", title="Integrationskurs B1")
    far_course = ms.offer(district, target_level="C1", title="Kurs C1", starts_on=date(2026, 8, 3))
    cook = ms.offer(district, kind="vacancy", code="29302", title="Koch/Köchin", target_level="",
                    municipality="Kornwestheim")
    ms.offer(district, kind="vacancy", code="29302", min_german_level="B2", title="Küchenchef", target_level="")
    ms.offer(district, target_level="A2", title="schon erreicht")
    ms.offer(district, kind="vacancy", title="Offenburg", target_level="", municipality="Offenburg")
    got = lists.offers_for_person(actor=me, person_id=anna.pk, on=ON)
    titles = [m.offer.title for m in got.matches]
    assert set(titles) == {"Integrationskurs B1", "Kurs C1", "Koch/Köchin", "Offenburg"}
    totals = [m.score.total for m in got.matches]
    assert totals == sorted(totals, reverse=True)
    assert titles.index("Integrationskurs B1") < titles.index("Kurs C1")  # the next level up fits best
    top = {m.offer.pk: m for m in got.matches}
    assert [p.criterion for p in top[cook.pk].score.parts] == [c for c, _l, _m in CRITERIA]
    assert top[cook.pk].score.parts[0].explanation.startswith("Gleicher Beruf")
    assert all(p.explanation for m in got.matches for p in m.score.parts)
    assert len(got.matches) == 4 and not got.more and got.ineligible == [] and got.on == ON
    assert far_course.pk in top and course.pk in top
    event = AuditEvent.objects.filter(object_type="matching", person_id=anna.pk).latest("seq")
    assert event.action == "read" and event.categories == ["placement"]
    assert event.detail["view"] == "offers_for_person" and event.detail["score_version"] == "2026.1"


def test_ineligible_offers_on_request_with_their_rules(me, anna, district) -> None:
    ms.offer(district, kind="vacancy", code="29302", min_german_level="B2", title="Küchenchef", target_level="")
    ms.offer(district, target_level="A2", title="schon erreicht")
    ms.offer(district, title="Frauenkurs", women_only=True, childcare=True)
    ms.circumstances(anna, mobility="municipality")
    ms.offer(district, title="Nachbarort", municipality="Kornwestheim")
    got = lists.offers_for_person(actor=me, person_id=anna.pk, on=ON, include_ineligible=True)
    by_title = {m.offer.title: [f.rule for f in m.failures] for m in got.ineligible}
    assert by_title["Küchenchef"] == ["level"]
    assert by_title["schon erreicht"] == ["level_reached"]
    assert by_title["Nachbarort"] == ["reachable"]
    assert [m.offer.title for m in got.matches] == ["Frauenkurs"]  # anna is recorded as female
    assert all(not m.eligible for m in got.ineligible) and all(m.eligible for m in got.matches)


def test_prefilter_never_changes_the_answer(me, anna, district) -> None:
    """The SQL pre-filter only saves time: the eligible set equals the one from all open offers."""
    ms.circumstances(anna, needs_childcare=True, part_time_only=True)
    for i, extra in enumerate([{}, {"childcare": True}, {"childcare": True, "part_time": True},
                               {"childcare": True, "part_time": True, "min_german_level": "B1"},
                               {"childcare": True, "part_time": True, "requires_driving_licence": True},
                               {"childcare": True, "part_time": True, "women_only": True},
                               {"childcare": True, "part_time": True, "municipality": "Offenburg"}]):
        ms.offer(district, kind="measure", title=f"M{i}", **extra)
    strict = lists.offers_for_person(actor=me, person_id=anna.pk, on=ON)
    loose = lists.offers_for_person(actor=me, person_id=anna.pk, on=ON, include_ineligible=True)
    assert [m.offer.pk for m in strict.matches] == [m.offer.pk for m in loose.matches]
    assert {m.offer.title for m in strict.matches} == {"M2", "M5", "M6"}
    assert strict.candidates < loose.candidates


def test_order_is_deterministic_ties_by_offer_id(me, anna, district) -> None:
    same = [ms.offer(district, kind="measure", title=f"gleich {i}") for i in range(4)]
    got = lists.offers_for_person(actor=me, person_id=anna.pk, on=ON, kind="measure")
    assert [m.offer.pk for m in got.matches] == sorted(o.pk for o in same)
    assert len({m.score.total for m in got.matches}) == 1
    assert lists.offers_for_person(actor=me, person_id=anna.pk, on=ON, kind="measure", limit=2).matches == \
        got.matches[:2]


def test_legal_access_filters_the_list(me, jc, district) -> None:
    safe = ms.person(jc, district, history=ms.SAFE_COUNTRY, nationality="ALB")
    ms.offer(district, title="Kurs")
    ms.offer(district, kind="vacancy", title="Stelle", target_level="")
    ms.offer(district, kind="measure", title="Maßnahme")
    got = lists.offers_for_person(actor=me, person_id=safe.pk, on=ON, include_ineligible=True)
    assert [m.offer.title for m in got.matches] == ["Maßnahme"]
    assert {m.offer.title: [f.rule for f in m.failures] for m in got.ineligible} == \
        {"Kurs": ["legal_access"], "Stelle": ["legal_access"]}


def test_bad_input_is_refused(me, anna) -> None:
    with pytest.raises(InvalidInput) as bad:
        lists.offers_for_person(actor=me, person_id=anna.pk, kind="kochkurs", limit=0)
    assert set(bad.value.field_errors) == {"kind", "limit"}


def test_access_refusals_are_audited(anna, make_user) -> None:
    provider = Actor.for_user(make_user("KT", "caseworker"))  # a Kursträger may not even find the person
    with pytest.raises(NotFound):
        lists.offers_for_person(actor=provider, person_id=anna.pk)
    assert AuditEvent.objects.filter(person_id=anna.pk, outcome=Outcome.DENIED).exists()
    # The LRA finds every person but has no legal basis for "Vermittlung" (and no participation here).
    lra = Actor.for_user(make_user("LRA", "caseworker"))
    with pytest.raises(AccessDenied):
        lists.offers_for_person(actor=lra, person_id=anna.pk)
    denied = AuditEvent.objects.filter(person_id=anna.pk, outcome=Outcome.DENIED).latest("seq")
    assert denied.categories == ["placement"]
    with pytest.raises(AccessDenied):
        lists.why_not(actor=lra, person_id=anna.pk, offer_id=1)


def test_persons_for_offer(me, jc, anna, district) -> None:
    vacancy = ms.offer(district, kind="vacancy", code="29302", title="Koch", target_level="", seats=1)
    ben = ms.person(jc, district, sex="m")
    ms.german(ben, "B1")
    clara = ms.person(jc, district)
    ms.german(clara, "A2")
    ms.enrol(clara, vacancy, state="waiting", requested=date(2025, 10, 1))
    dora = ms.person(jc, district, history=ms.SAFE_COUNTRY, nationality="ALB")
    seated = ms.person(jc, district)
    ms.enrol(seated, vacancy)
    got = lists.persons_for_offer(actor=me, offer_id=vacancy.pk, on=ON)
    ids = [m.person.pk for m in got.matches]
    assert ids[0] == anna.pk  # a cook
    assert set(ids) == {anna.pk, ben.pk, clara.pk}  # dora has no work permission; `seated` has the seat
    clara_match = next(m for m in got.matches if m.person.pk == clara.pk)
    assert clara_match.waiting_since == date(2025, 10, 1)
    assert {p.criterion: p.points for p in clara_match.score.parts}["waiting"] > 0
    assert got.more is False
    with_refused = lists.persons_for_offer(actor=me, offer_id=vacancy.pk, on=ON, include_ineligible=True)
    assert [(m.person.pk, [f.rule for f in m.failures]) for m in with_refused.ineligible] == \
        [(dora.pk, ["legal_access"])]
    reads = AuditEvent.objects.filter(object_type="matching", detail__view="persons_for_offer",
                                      object_id=str(vacancy.pk))
    assert {e.person_id for e in reads} >= {anna.pk, ben.pk, clara.pk}
    top = lists.persons_for_offer(actor=me, offer_id=vacancy.pk, on=ON, limit=1)
    assert [m.person.pk for m in top.matches] == [anna.pk] and top.more is True


def test_persons_for_offer_only_among_readable_files(anna, make_user, district) -> None:
    vacancy = ms.offer(district, kind="vacancy", title="Stelle", target_level="")
    aa = Actor.for_user(make_user("AA", "caseworker"))  # no participation in anna's file
    assert lists.persons_for_offer(actor=aa, offer_id=vacancy.pk, on=ON).matches == []
    with pytest.raises(NotFound):
        lists.persons_for_offer(actor=aa, offer_id=424242)


def test_why_not_rule_failed(me, anna, district) -> None:
    chef = ms.offer(district, kind="vacancy", min_german_level="B2", title="Küchenchef", target_level="")
    got = lists.why_not(actor=me, person_id=anna.pk, offer_id=chef.pk, on=ON)
    assert got.status == "rule_failed" and [f.rule for f in got.failures] == ["level"]
    assert got.message.startswith("Regel nicht erfüllt – Deutschniveau: Das Angebot setzt Deutsch B2 voraus")
    assert AuditEvent.objects.filter(object_type="matching", detail__view="why_not", person_id=anna.pk).exists()


def test_why_not_seats_went_to_better_fits(me, jc, anna, district) -> None:
    vacancy = ms.offer(district, kind="vacancy", code="29302", title="Koch", target_level="", seats=1)
    free = lists.why_not(actor=me, person_id=anna.pk, offer_id=vacancy.pk, on=ON)
    assert free.status == "eligible" and free.score is not None and "1 Platz" in free.message
    weaker = ms.person(jc, district)
    ms.enrol(weaker, vacancy)
    got = lists.why_not(actor=me, person_id=anna.pk, offer_id=vacancy.pk, on=ON)
    assert got.status == "seats_taken" and got.cutoff_source == "enrolled"
    assert got.cutoff is not None and got.score is not None and got.score.total > got.cutoff
    assert f"niedrigste zugelassene Punktzahl {got.cutoff}" in got.message
    # A stronger seated person: the seat went to a better fit.
    other = ms.offer(district, kind="vacancy", code="29302", title="Koch 2", target_level="", seats=1)
    stronger = ms.person(jc, district)
    ms.german(stronger, "C1")
    ms.experience(stronger, "29302", "9")
    ms.enrol(stronger, other)
    lost = lists.why_not(actor=me, person_id=anna.pk, offer_id=other.pk, on=ON)
    assert lost.message.startswith("Die Plätze gingen an besser passende Personen: niedrigste zugelassene "
                                   f"Punktzahl {lost.cutoff}")
    assert lost.score.total < lost.cutoff


def test_why_not_uses_the_confirmed_allocation_run(me, jc, anna, district) -> None:
    vacancy = ms.offer(district, kind="vacancy", title="Stelle", target_level="", seats=1)
    winner = ms.person(jc, district)
    ms.enrol(winner, vacancy)
    run = AllocationRun.objects.create(agency=district["JC"], district=district["JC"].landkreis,
                                       reference_date=date(2026, 2, 1), state=RunState.CONFIRMED,
                                       score_version="2026.1", input_sha256="0" * 64, created_by=jc)
    run.offers.add(vacancy)
    Assignment.objects.create(run=run, person=winner, proposed_offer=vacancy, offer=vacancy, score=987)
    got = lists.why_not(actor=me, person_id=anna.pk, offer_id=vacancy.pk, on=ON)
    assert got.cutoff == 987 and got.cutoff_source == "allocation_run"
    assert "im Zuteilungslauf vom 01.02.2026" in got.message


def test_why_not_for_a_seated_person(me, anna, district) -> None:
    course = ms.offer(district)
    ms.enrol(anna, course)
    assert lists.why_not(actor=me, person_id=anna.pk, offer_id=course.pk, on=ON).status == "enrolled"
    # A seat held is no suggestion; a place on the waiting list is (with its waiting time).
    waiting = ms.offer(district, title="Warteliste", starts_on=date(2026, 10, 5), ends_on=date(2026, 12, 18))
    ms.enrol(anna, waiting, state="waiting", requested=date(2025, 12, 1))
    got = lists.offers_for_person(actor=me, person_id=anna.pk, on=ON, include_ineligible=True)
    assert course.pk not in {m.offer.pk for m in [*got.matches, *got.ineligible]}
    entry = next(m for m in got.matches if m.offer.pk == waiting.pk)
    assert entry.waiting_since == date(2025, 12, 1)
