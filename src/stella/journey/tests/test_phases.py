"""The phases Sprache, Qualifizierung and Ausbildung/Arbeit follow from enrolments and placements."""

from datetime import date

import pytest

from stella.core.actor import Actor
from stella.journey import services as journey
from stella.journey.services import Phase, Step, phase_of
from stella.journey.status import Situation, State
from stella.offers.models import (
    Enrolment,
    EnrolmentState,
    Offer,
    OfferKind,
    Placement,
    PlacementKind,
)
from stella.tests.factories import make_municipality, register_housed

LEGAL = Situation(state=State.PROTECTED)


def step(phase, start, end=None, completed=False):
    return Step(phase, start, end, completed, phase)


def test_without_steps_the_phase_is_the_legal_one():
    assert phase_of(LEGAL, [], date(2020, 1, 1)) == Phase.LEISTUNGSBEZUG


def test_the_furthest_running_step_decides():
    steps = [step(Phase.SPRACHE, date(2020, 1, 1), date(2020, 12, 31)),
             step(Phase.AUSBILDUNG_ARBEIT, date(2020, 6, 1))]
    assert phase_of(LEGAL, steps, date(2020, 3, 1)) == Phase.SPRACHE
    assert phase_of(LEGAL, steps, date(2020, 7, 1)) == Phase.AUSBILDUNG_ARBEIT


def test_a_completed_course_keeps_its_phase_an_ended_job_does_not():
    steps = [step(Phase.SPRACHE, date(2020, 1, 1), date(2020, 6, 30), completed=True),
             step(Phase.AUSBILDUNG_ARBEIT, date(2020, 8, 1), date(2020, 10, 31))]
    assert phase_of(LEGAL, steps, date(2020, 7, 15)) == Phase.SPRACHE
    assert phase_of(LEGAL, steps, date(2020, 11, 15)) == Phase.SPRACHE
    assert phase_of(LEGAL, steps, date(2019, 12, 31)) == Phase.LEISTUNGSBEZUG


def test_departure_ends_the_journey_whatever_runs():
    departed = Situation(state=State.DEPARTED)
    assert phase_of(departed, [step(Phase.SPRACHE, date(2020, 1, 1))], date(2020, 2, 1)) == Phase.AUSGEREIST


@pytest.mark.django_db
def test_journey_timeline_shows_course_and_job(make_user, district):
    jc = make_user("JC", "caseworker")
    person = register_housed(jc, district)
    place = make_municipality(district)
    course = Offer.objects.create(kind=OfferKind.INTEGRATION_COURSE, title="Integrationskurs B1", target_level="B1",
                                  provider="VHS", owner=district["JC"], municipality=place,
                                  starts_on=date(2016, 9, 1), ends_on=date(2017, 3, 31), seats=20)
    Enrolment.objects.create(offer=course, person=person, state=EnrolmentState.COMPLETED, agency=district["JC"],
                             enrolled_on=date(2016, 9, 1), ended_on=date(2017, 3, 31), result_level="B1")
    Placement.objects.create(person=person, kind=PlacementKind.EMPLOYMENT, employer="Bäckerei Maier",
                             starts_on=date(2017, 6, 1), agency=district["JC"])
    data = journey.journey(actor=Actor.for_user(jc), person_id=person.pk)
    by_date = {p.on: p for p in data["points"]}
    assert by_date[date(2016, 9, 1)].phase == Phase.SPRACHE
    assert "Beginn: Integrationskurs B1" in by_date[date(2016, 9, 1)].cause
    assert by_date[date(2017, 4, 1)].phase == Phase.SPRACHE  # completed course keeps the phase
    assert by_date[date(2017, 6, 1)].phase == Phase.AUSBILDUNG_ARBEIT
    assert data["phase"] == Phase.AUSBILDUNG_ARBEIT


@pytest.mark.django_db
def test_handover_summary_lists_courses_placements_and_occupations(make_user, district):
    from stella.competences.models import WorkExperience
    from stella.journey.summary import build_summary

    jc = make_user("JC", "caseworker")
    person = register_housed(jc, district)
    course = Offer.objects.create(kind=OfferKind.INTEGRATION_COURSE, title="Integrationskurs B1", target_level="B1",
                                  provider="VHS", owner=district["JC"], municipality=make_municipality(district),
                                  starts_on=date(2016, 9, 1), seats=20)
    Enrolment.objects.create(offer=course, person=person, state=EnrolmentState.COMPLETED, agency=district["JC"],
                             enrolled_on=date(2016, 9, 1), result_level="B1")
    Enrolment.objects.create(offer=course, person=person, state=EnrolmentState.WITHDRAWN, agency=district["JC"])
    Placement.objects.create(person=person, kind=PlacementKind.TRAINING, employer="Autohaus Kurz",
                             starts_on=date(2017, 9, 1), agency=district["JC"])
    WorkExperience.objects.create(person=person, title_as_given="خياط", years=4)
    summary = build_summary(person.pk, district["JC"])
    titles = [m["title"] for m in summary["measures"]]
    assert titles[0].endswith("Autohaus Kurz") and "B1" in titles[1] and len(titles) == 2  # withdrawn: no seat
    assert summary["competences"]["occupations"] == [{"code": "", "title": "خياط", "as_given": "خياط", "years": 4.0}]


def test_regime_outside_the_rules_years_is_not_called_none():
    from stella.journey.services import _regime_label, regime_on

    protected = Situation(state=State.PROTECTED, outcome="fluechtlingsschutz", decision_final_date=date(2016, 5, 25))
    assert protected.rules_status is not None
    assert regime_on(protected, date(2027, 2, 1)) is None
    assert _regime_label(protected, None, date(2027, 2, 1)) == "nicht bestimmbar (Regelsatz 2015–2026)"
    assert _regime_label(Situation(), None, date(2020, 1, 1)) == "keiner"
    assert _regime_label(protected, regime_on(protected, date(2020, 1, 1)), date(2020, 1, 1)).startswith("SGB II")
