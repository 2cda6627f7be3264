"""Hard rules of matching: each rule passes and fails; legal access through real status histories."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stella.matching import eligibility
from stella.matching.eligibility import RULE_LABELS, RULES, check_pair, failures
from stella.matching.facts import Period, load_offer_facts, load_person_facts
from stella.matching.legal import LegalAccess
from stella.matching.tests import matching_setup as ms
from stella.matching.tests.matching_setup import offer_facts, person_facts


def rules_of(person, offer) -> list[str]:
    return [f.rule for f in failures(person, offer)]


# --- pure rules (facts by hand, no legal oracle) ---------------------------------------------------------

def test_base_pair_is_eligible() -> None:
    assert failures(person_facts(), offer_facts()) == []
    assert eligibility.eligible(person_facts(), offer_facts())


@pytest.mark.parametrize(("offer", "rule"), [
    ({"state": "closed"}, "dates"),
    ({"state": "cancelled"}, "dates"),
    ({"starts_on": date(2026, 3, 1)}, "dates"),
])
def test_dates(offer, rule) -> None:
    assert rules_of(person_facts(), offer_facts(**offer)) == [rule]
    assert rules_of(person_facts(), offer_facts(starts_on=ms.ON)) == []  # starting on the reference date is fine


def test_level() -> None:
    vacancy = offer_facts(kind="vacancy", target_level="", min_german_level="B1")
    assert rules_of(person_facts(german_level="A2"), vacancy) == ["level"]
    assert rules_of(person_facts(german_level=""), vacancy) == ["level"]
    assert "kein Nachweis" in failures(person_facts(german_level=""), vacancy)[0].message
    assert rules_of(person_facts(german_level="B1"), vacancy) == []
    assert rules_of(person_facts(german_level="MT"), vacancy) == []


def test_language_course_whose_target_is_reached_is_not_suitable() -> None:
    course = offer_facts(kind="deufoev", target_level="B2")
    assert rules_of(person_facts(german_level="B2"), course) == ["level_reached"]
    assert rules_of(person_facts(german_level="C1"), course) == ["level_reached"]
    assert rules_of(person_facts(german_level="B1"), course) == []
    # A measure with a "target level" is not a language course.
    assert rules_of(person_facts(german_level="C1"), offer_facts(kind="measure", target_level="B2")) == []


@pytest.mark.parametrize(("mobility", "obligation", "place", "ok"), [
    ("municipality", False, (10, 100), True),
    ("municipality", False, (11, 100), False),
    ("district", False, (11, 100), True),
    ("district", False, (12, 200), False),
    ("region", False, (12, 200), True),
    ("region", True, (12, 200), False),  # the residence obligation narrows to the Landkreis
    ("region", True, (11, 100), True),
    ("municipality", True, (11, 100), False),  # it never widens the recorded mobility
])
def test_reachable(mobility, obligation, place, ok) -> None:
    person = person_facts(mobility=mobility, residence_obligation=obligation)
    offer = offer_facts(municipality_id=place[0], district_id=place[1])
    assert rules_of(person, offer) == ([] if ok else ["reachable"])
    if not ok and obligation and mobility == "region":
        assert failures(person, offer)[0].basis == "§12a AufenthG"


def test_without_a_place_nothing_is_reachable() -> None:
    assert rules_of(person_facts(municipality_id=None, district_id=None), offer_facts()) == ["reachable"]


def test_childcare() -> None:
    assert rules_of(person_facts(needs_childcare=True), offer_facts()) == ["childcare"]
    assert rules_of(person_facts(needs_childcare=True), offer_facts(childcare=True)) == []
    assert rules_of(person_facts(), offer_facts(childcare=True)) == []


def test_women_only_both_ways() -> None:
    assert rules_of(person_facts(sex="f", women_only=True), offer_facts()) == ["women_only"]
    assert rules_of(person_facts(sex="f", women_only=True), offer_facts(women_only=True)) == []
    assert rules_of(person_facts(sex="f"), offer_facts(women_only=True)) == []
    for sex in ("m", "d", "u"):
        assert rules_of(person_facts(sex=sex), offer_facts(women_only=True)) == ["women_only"]


def test_part_time_and_driving_licence() -> None:
    assert rules_of(person_facts(part_time_only=True), offer_facts()) == ["part_time"]
    assert rules_of(person_facts(part_time_only=True), offer_facts(part_time=True)) == []
    assert rules_of(person_facts(), offer_facts(requires_driving_licence=True)) == ["driving_licence"]
    assert rules_of(person_facts(driving_licence=True), offer_facts(requires_driving_licence=True)) == []


def test_double_booking() -> None:
    offer = offer_facts(starts_on=date(2026, 4, 13), ends_on=date(2026, 9, 30))
    overlapping = Period(date(2026, 9, 1), date(2026, 12, 31), offer_id=99, label="Kurs X")
    before = Period(date(2026, 1, 1), date(2026, 4, 12), offer_id=98)
    job = Period(date(2026, 9, 30), None, label="Betrieb")
    assert rules_of(person_facts(busy=(before,)), offer) == []
    assert rules_of(person_facts(busy=(overlapping,)), offer) == ["double_booking"]
    assert "„Kurs X“" in failures(person_facts(busy=(overlapping,)), offer)[0].message
    assert rules_of(person_facts(busy=(job,)), offer) == ["double_booking"]
    # The person's own seat in this very offer is no double booking.
    assert rules_of(person_facts(busy=(Period(date(2026, 4, 13), None, offer_id=offer.offer_id),)), offer) == []
    open_ended = offer_facts(ends_on=None)
    assert rules_of(person_facts(busy=(Period(date(2030, 1, 1), date(2030, 2, 1)),)), open_ended) == \
        ["double_booking"]


def test_several_failures_in_rule_order() -> None:
    person = person_facts(german_level="", needs_childcare=True, part_time_only=True, mobility="municipality")
    offer = offer_facts(kind="vacancy", target_level="", min_german_level="A2", municipality_id=11, state="closed",
                        requires_driving_licence=True)
    got = rules_of(person, offer)
    assert got == ["dates", "level", "reachable", "childcare", "part_time", "driving_licence"]
    assert got == [r for r in RULES if r in got]
    assert set(RULES) == set(RULE_LABELS)


@given(level=st.sampled_from(["", "A1", "A2", "B1", "B2", "C1", "C2", "MT"]),
       minimum=st.sampled_from(["", "A1", "A2", "B1", "B2", "C1", "C2"]))
def test_level_rule_is_monotone(level, minimum) -> None:
    """Whoever passes a requirement also passes every lower one."""
    from stella.matching.facts import LEVEL_ORDER

    offer = offer_facts(kind="vacancy", target_level="", min_german_level=minimum)
    if not failures(person_facts(german_level=level), offer):
        for lower in LEVEL_ORDER[:LEVEL_ORDER.index(minimum) + 1]:
            assert not failures(person_facts(german_level=level), offer_facts(kind="vacancy", target_level="",
                                                                               min_german_level=lower))


# --- legal access through real status histories ---------------------------------------------------------

@pytest.fixture
def user(make_user):
    return make_user("JC", "caseworker")


def legal_failures(user, district, history, kind, starts_on=date(2026, 4, 13), nationality="SYR"):
    p = ms.person(user, district, history=history, nationality=nationality)
    o = ms.offer(district, kind=kind, starts_on=starts_on, target_level="B1" if kind != "vacancy" else "")
    return [f for f in check_pair(p.pk, o.pk, ms.ON) if f.rule == "legal_access"]


@pytest.mark.parametrize("kind", ["integration_course", "deufoev", "vacancy", "training", "measure"])
def test_recognised_refugee_has_legal_access_to_everything(user, district, kind) -> None:
    assert legal_failures(user, district, ms.RECOGNISED, kind) == []


@pytest.mark.parametrize("kind", ["integration_course", "deufoev", "vacancy", "training"])
def test_asylum_seeker_from_a_safe_country_has_no_access(user, district, kind) -> None:
    got = legal_failures(user, district, ms.SAFE_COUNTRY, kind, nationality="ALB")
    assert len(got) == 1
    assert "13.04.2026" in got[0].message
    if kind == "integration_course":
        assert got[0].message.startswith("Kein Zugang zum Integrationskurs am 13.04.2026: Keine Zulassung")
    if kind == "deufoev":
        assert got[0].basis == "§4 DeuFöV"


def test_measures_have_no_legal_condition(user, district) -> None:
    assert legal_failures(user, district, ms.SAFE_COUNTRY, "measure", nationality="ALB") == []


def test_legal_access_is_judged_on_the_start_date(user, district) -> None:
    """Gestattung since October 2015 (Syria, good prospects): before the 2015 law no course; after, admissible."""
    history = [("einreise", date(2015, 8, 20), ""), ("asylgesuch", date(2015, 9, 3), ""),
               ("gestattung", date(2015, 10, 1), "")]
    p = ms.person(user, district, history=history)
    before = ms.offer(district, starts_on=date(2015, 10, 12))
    after = ms.offer(district, starts_on=date(2015, 11, 2))
    person = load_person_facts([p.pk], date(2015, 10, 1))[p.pk]
    offers = load_offer_facts([before, after])
    assert [f.rule for f in failures(person, offers[before.pk])] == ["legal_access"]
    assert [f.rule for f in failures(person, offers[after.pk])] == []


def test_a_start_outside_the_rules_years_fails_with_the_reason(user, district) -> None:
    got = legal_failures(user, district, ms.RECOGNISED, "vacancy", starts_on=date(2028, 3, 1))
    assert len(got) == 1 and "nicht prüfbar" in got[0].message and "2027" in got[0].message


def test_no_history_and_no_documents_fails_legal_access(user, district) -> None:
    got = legal_failures(user, district, [], "integration_course")
    assert len(got) == 1 and "nicht prüfbar" in got[0].message and "Aufenthaltsstatus" in got[0].message


def test_answers_match_the_legal_assessment_on_every_date(user, district) -> None:
    """The segment cache gives what `derive_inputs` gives on each day (history with a status change)."""
    from stella.journey import assessment

    history = [*ms.RECOGNISED[:3], ("bamf_entscheidung", date(2016, 5, 10), "fluechtlingsschutz"),
               ("rechtskraft", date(2016, 5, 31), "")]
    p = ms.person(user, district, history=history)
    legal = load_person_facts([p.pk], date(2015, 9, 1))[p.pk].legal
    assert isinstance(legal, LegalAccess)
    days = [date(2015, 9, 2), date(2015, 10, 1), date(2016, 1, 4), date(2016, 5, 30), date(2016, 5, 31),
            date(2016, 6, 1), date(2017, 2, 1)]
    for day in [*days, *reversed(days)]:
        fresh = {k: v.value for k, v in assessment.derive_inputs(p, day).items()}
        fresh["reference_date"] = day
        cached = legal.values_on(day)
        assert {k: v for k, v in cached.items() if k != "age"} == {k: v for k, v in fresh.items() if k != "age"}
        for activity in ("employment", "vocational_training"):
            assert legal.answer("work_permission", activity, day) == assessment._work(fresh, activity)
        assert legal.answer("course_access", "course_access", day) == assessment._course(fresh)


def test_check_pair_refuses_unknown_ids(user, district) -> None:
    with pytest.raises(LookupError):
        check_pair(424242, 1, ms.ON)
