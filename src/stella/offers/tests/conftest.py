"""Fixtures for offers tests: users of the pilot district, a municipality, a person and a course.

The hard rules of matching need a full file (status history, address, languages) to allow anything; most
tests here are about seats, states and access, so `rules_allow` replaces the rule check with "no rule fails".
Tests of the rule refusal set their own failures, and `test_rules_real.py` uses the real rules.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stella.core.actor import Actor
from stella.offers import services
from stella.tests.factories import make_municipality, register


def allow_all_rules(monkeypatch) -> None:
    """Replace the hard-rule checks of admissions and placements with "no rule fails" (also used by the API
    and web tests of offers)."""
    monkeypatch.setattr(services, "rule_failures", lambda person_id, offer: [])
    monkeypatch.setattr(services, "placement_rule_failures", lambda person_id, offer, starts_on: [])


@pytest.fixture(autouse=True)
def rules_allow(request, monkeypatch):
    if "real_rules" not in request.fixturenames:
        allow_all_rules(monkeypatch)


@pytest.fixture
def real_rules():
    """Request this fixture to check the real hard rules of matching."""


@pytest.fixture
def municipality(district):
    return make_municipality(district)


@pytest.fixture
def jc(make_user):
    return make_user("JC", "caseworker", username="jc-anna")


@pytest.fixture
def jc2(make_user):
    return make_user("JC", "caseworker", username="jc-ben")


@pytest.fixture
def aa(make_user):
    return make_user("AA", "caseworker", username="aa-nina")


@pytest.fixture
def kt(make_user):
    """A caseworker of the district's Kursträger (the provider of `course`)."""
    return make_user("KT", "caseworker", username="kt-olga")


@pytest.fixture
def person(jc):
    return register(jc)


@pytest.fixture
def person2(jc):
    return register(jc, family="Haidari", given="Zahra", birth=None)


@pytest.fixture
def person3(jc):
    return register(jc, family="Tesfay", given="Selam", birth=None)


def soon(days: int = 30):
    return timezone.localdate() + timedelta(days=days)


def offer_in(municipality, **changes) -> services.OfferIn:
    data = {"kind": "integration_course", "title": "Integrationskurs Allgemein", "provider": "VHS Ludwigsburg",
            "municipality_id": municipality.pk, "starts_on": soon(), "ends_on": soon(200), "seats": 2,
            "target_level": "B1", "module": "Basissprachkurs"}
    data.update(changes)
    return services.OfferIn(**data)


@pytest.fixture
def course(jc, municipality, district):
    """An integration course with two seats, run by the district's Kursträger, starting in 30 days."""
    return services.create_offer(actor=Actor.for_user(jc), data=offer_in(
        municipality, provider_agency_id=district["KT"].pk))


def act(user) -> Actor:
    return Actor.for_user(user)
