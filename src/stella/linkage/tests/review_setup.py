"""Shared setup of the review tests: two agencies of one district that each registered the same man."""

from __future__ import annotations

from datetime import date

import pytest

from stella.core.actor import Actor
from stella.linkage.models import LinkCandidate
from stella.people.services import NameIn, PersonIn, register_person


def register(user, family, given, birth=date(1990, 5, 17), **extra):
    data = PersonIn(names=[NameIn(family_name=family, given_names=given)], birth_date=birth, **extra)
    return register_person(actor=Actor.for_user(user), data=data)


@pytest.fixture
def world(make_user):
    """JC registered Mohammed Al-Hassan (a), the Landratsamt registered Muhammad Alhasan (b): a candidate."""
    jc = make_user("JC", "caseworker")
    lra = make_user("LRA", "caseworker")
    a = register(jc, "Al-Hassan", "Mohammed", sex="m", nationalities=["SYR"], birth_place="Aleppo",
                 birth_country="SYR")
    b = register(lra, "Alhasan", "Muhammad", sex="m", nationalities=["SYR"], birth_place="Halab")
    cand = LinkCandidate.objects.create(person_a=a, person_b=b, probability=0.9, match_weight=8.0, evidence=[
        {"field": "name", "label": "gleiche Namen", "level": "strong_for", "weight": 6.0},
        {"field": "birth_place", "label": "Geburtsort verschieden", "level": "against", "weight": -2.0},
        {"field": "sex", "label": "gleiches Geschlecht", "level": "for", "weight": 0.8}])
    return {"jc": jc, "lra": lra, "a": a, "b": b, "cand": cand}
