"""Admissions and placements checked against the real hard rules of matching (`matching.eligibility`) with
persons whose status history is recorded: the refusal names the rule and its legal basis."""

from __future__ import annotations

from datetime import date

import pytest

from stella.core.errors import InvalidInput
from stella.matching.tests.matching_setup import SAFE_COUNTRY
from stella.matching.tests.matching_setup import person as person_with_history
from stella.offers import services
from stella.offers.models import EnrolmentState
from stella.offers.tests.conftest import act, offer_in

# Fixed dates inside the rules' covered years; no end date, so the offers stay open whatever today is.
START = date(2026, 4, 13)


@pytest.fixture
def course(jc, municipality, real_rules):
    return services.create_offer(actor=act(jc), data=offer_in(municipality, starts_on=START, ends_on=None))


def test_recognised_refugee_is_admitted(course, jc, district):
    p = person_with_history(jc, district)
    enrolment = services.request_enrolment(actor=act(jc), person_id=p.pk, offer_id=course.pk)
    assert services.admit(actor=act(jc), enrolment_id=enrolment.pk).state == EnrolmentState.ENROLLED


def test_asylum_seeker_from_a_safe_country_is_refused_naming_the_rule(course, jc, district):
    p = person_with_history(jc, district, history=SAFE_COUNTRY, nationality="ALB")
    enrolment = services.request_enrolment(actor=act(jc), person_id=p.pk, offer_id=course.pk)
    with pytest.raises(InvalidInput) as exc:
        services.admit(actor=act(jc), enrolment_id=enrolment.pk)
    messages = exc.value.field_errors["rules"]
    assert any("Rechtlicher Zugang" in m and "Rechtsgrundlage" in m and "13.04.2026" in m for m in messages), messages
    with pytest.raises(InvalidInput, match="Rechtlicher Zugang"):
        services.enrol(actor=act(jc), person_id=p.pk, offer_id=course.pk)


def test_placement_from_a_vacancy_checks_the_work_permission(jc, district, municipality, kldb, real_rules):
    vacancy = services.create_offer(actor=act(jc), data=offer_in(
        municipality, kind="vacancy", title="Koch/Köchin", provider="Hotel Krone", target_level="",
        occupation_code="29302", starts_on=START, ends_on=None))
    banned = person_with_history(jc, district, history=SAFE_COUNTRY, nationality="ALB")
    with pytest.raises(InvalidInput) as exc:
        services.record_placement(actor=act(jc), person_id=banned.pk, kind="employment", employer="Hotel Krone",
                                  starts_on=START, offer_id=vacancy.pk)
    assert "Rechtlicher Zugang" in exc.value.field_errors["rules"][0]
    allowed = person_with_history(jc, district, sex="m")
    placement = services.record_placement(actor=act(jc), person_id=allowed.pk, kind="employment",
                                          employer="Hotel Krone", starts_on=START, offer_id=vacancy.pk)
    assert placement.offer_id == vacancy.pk
