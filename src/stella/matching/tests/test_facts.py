"""Bulk loading of matching facts: places, German level, occupations, circumstances, busy periods, waiting."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stella.agencies.models import Municipality
from stella.matching import facts
from stella.matching.facts import Period, load_offer_facts, load_person_facts
from stella.matching.tests import matching_setup as ms
from stella.people.models import LanguageSkill
from stella.tests.factories import make_district, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(make_user):
    return make_user("JC", "caseworker")


def test_facts_of_a_person_with_a_profile(user, district) -> None:
    p = ms.person(user, district)
    ms.german(p, "B1", writing="A2")  # the weakest skill counts
    ms.experience(p, "26212", "2.5")
    ms.experience(p, "26212", "1")
    ms.qualification(p, "26212", "partial")
    ms.qualification(p, "52202", "full")
    ms.licence(p)
    ms.circumstances(p, needs_childcare=True, mobility="municipality")
    ms.circumstances(p, needs_childcare=False, part_time_only=True, mobility="region", residence_obligation=True)
    got = load_person_facts([p.pk], ms.ON)[p.pk]
    home = Municipality.objects.get(name="Ludwigsburg")
    assert (got.municipality_id, got.district_id) == (home.pk, home.landkreis_id)
    assert got.german_level == "A2"
    assert got.occupation_codes == {"26212", "52202"}
    assert got.experience_years == {"26212": 3.5}
    assert got.recognised_codes == {"26212", "52202"} and got.full_recognition == {"52202"}
    assert got.driving_licence is True
    # The newest circumstances row wins.
    assert (got.needs_childcare, got.part_time_only, got.mobility, got.residence_obligation) == \
        (False, True, "region", True)
    assert got.sex == "f" and got.on == ms.ON


def test_an_empty_profile_gives_defaults(user, district) -> None:
    p = ms.person(user, district)
    got = load_person_facts([p.pk, 999999], ms.ON)
    assert list(got) == [p.pk]
    f = got[p.pk]
    assert f.german_level == "" and not f.occupation_codes and f.mobility == "district"
    assert not f.driving_licence and not f.busy and not f.waiting_since


def test_german_level_is_the_profiles_else_a_course_result(user, district) -> None:
    p = ms.person(user, district)
    course = ms.offer(district, target_level="B1")
    ms.enrol(p, course, state="completed", result_level="A2")
    assert load_person_facts([p.pk], ms.ON)[p.pk].german_level == "A2"  # only the course result
    ms.german(p, "B1", on=date(2024, 1, 1))
    ms.german(p, "A2", on=date(2025, 1, 1))  # the newest assessment is the profile's level
    assert load_person_facts([p.pk], ms.ON)[p.pk].german_level == "A2"
    other = ms.person(user, district)
    LanguageSkill.objects.create(person=other, language="de", level="MT")
    assert load_person_facts([other.pk], ms.ON)[other.pk].german_level == "MT"


def test_busy_waiting_and_completed(user, district) -> None:
    p = ms.person(user, district)
    seated = ms.offer(district, title="Kurs A")
    waiting = ms.offer(district, title="Kurs B")
    done = ms.offer(district, kind="measure", starts_on=date(2025, 1, 1), ends_on=date(2025, 6, 30))
    old = ms.offer(district, starts_on=date(2024, 1, 1), ends_on=date(2024, 6, 30))
    ms.enrol(p, seated)
    ms.enrol(p, waiting, state="waiting", requested=date(2026, 1, 20))
    ms.enrol(p, done, state="completed")
    ms.enrol(p, old, state="enrolled")  # ended before the reference date: not busy
    ms.place(p, district["JC"], date(2026, 5, 1))
    ms.place(p, district["JC"], date(2025, 1, 1), date(2025, 12, 31))  # over
    got = load_person_facts([p.pk], ms.ON)[p.pk]
    assert got.busy == (Period(date(2026, 4, 13), date(2026, 9, 30), seated.pk, "Kurs A"),
                        Period(date(2026, 5, 1), None, None, "Betrieb"))
    assert got.waiting_since == {waiting.pk: date(2026, 1, 20)}
    assert got.completed_kinds == {"measure"}


def test_ambiguous_municipality_resolves_to_the_participating_district(user, district) -> None:
    elsewhere = ms.other_district_place("Ludwigsburg")  # the same name in another Landkreis
    p = ms.person(user, district)
    got = load_person_facts([p.pk], ms.ON)[p.pk]
    assert got.municipality_id != elsewhere.pk
    assert got.district_id == district["JC"].landkreis_id


def test_no_address_means_no_place(user, district) -> None:
    from stella.tests.factories import register

    p = register(user)
    got = load_person_facts([p.pk], ms.ON)[p.pk]
    assert got.municipality_id is None and got.district_id is None


def test_loading_many_persons_takes_a_fixed_number_of_queries(user, district) -> None:
    persons = [ms.person(user, district) for _ in range(3)]
    for p in persons:
        ms.german(p, "A2")
        ms.experience(p, "26212")
    more = [ms.person(user, district) for _ in range(5)]
    with CaptureQueriesContext(connection) as few:
        load_person_facts([persons[0].pk, more[0].pk], ms.ON)
    with CaptureQueriesContext(connection) as many:
        got = load_person_facts([p.pk for p in persons + more], ms.ON)
    assert len(got) == 8
    assert len(many.captured_queries) == len(few.captured_queries) <= 16


def test_offer_facts_with_free_seats(user, district) -> None:
    o = ms.offer(district, seats=2, min_german_level="A2", code="26212", childcare=True, part_time=True)
    a, b, c = (ms.person(user, district) for _ in range(3))
    ms.enrol(a, o)
    ms.enrol(b, o, state="waiting")
    ms.enrol(c, o, state="withdrawn")
    got = load_offer_facts([o])[o.pk]
    assert got.free_seats == 1 and got.seats == 2
    assert got.occupation_code == "26212" and got.min_german_level == "A2" and got.target_level == "B1"
    assert got.district_id == district["JC"].landkreis_id
    assert (got.childcare, got.part_time, got.women_only) == (True, True, False)
    assert load_offer_facts([o.pk, 424242]) == {o.pk: got}
    assert facts.level_rank("MT") > facts.level_rank("C2") > facts.level_rank("") == 0


def test_other_district_fixture() -> None:
    other = make_district("OG", "Ortenaukreis")
    assert make_user(other, "JC", "caseworker").agency.landkreis.name == "Ortenaukreis"
