"""Builders for matching tests: persons with a real status history, profile rows, offers, facts by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from stella.accounts.models import User
from stella.agencies.models import Agency, Municipality, Region
from stella.competences.models import (
    Circumstances,
    KldbVersion,
    LanguageAssessment,
    Occupation,
    Qualification,
    Skill,
    WorkExperience,
)
from stella.core.actor import Actor
from stella.journey.services import record_status_event
from stella.matching.facts import OfferFacts, PersonFacts
from stella.offers.models import Enrolment, Offer, Placement
from stella.people.models import Person
from stella.tests.factories import make_municipality, register_housed

#: The reference date of the tests (inside the rules' covered years).
ON = date(2026, 3, 2)

#: Status histories recorded through `journey.services.record_status_event`.
RECOGNISED = [("einreise", date(2015, 8, 20), ""), ("asylgesuch", date(2015, 9, 3), ""),
              ("gestattung", date(2015, 10, 1), ""),
              ("bamf_entscheidung", date(2016, 5, 10), "fluechtlingsschutz"), ("rechtskraft", date(2016, 5, 31), "")]
#: An asylum seeker from a safe country of origin (Albania), entered 2025: no course, no work.
SAFE_COUNTRY = [("einreise", date(2025, 6, 2), ""), ("asylgesuch", date(2025, 6, 3), ""),
                ("gestattung", date(2025, 6, 20), "")]


def occupation(code: str, title: str = "") -> Occupation:
    version = KldbVersion.objects.filter(active=True).first() or KldbVersion.objects.create(
        name="KldB 2010 (Test)", source_file="test", sha256="0" * 64)
    found, _ = Occupation.objects.get_or_create(version=version, code=code,
                                                defaults={"level": len(code), "title": title or f"Beruf {code}"})
    return found


def person(user: User, district: dict[str, Agency], *, history: list[tuple[str, date, str]] | None = None,
           municipality: str = "Ludwigsburg", nationality: str = "SYR", sex: str = "f", **extra: Any) -> Person:
    """A person living in `municipality` since 2015 with the recorded status history (recognised by default)."""
    p = register_housed(user, district, municipality, nationalities=[nationality], sex=sex, **extra)
    actor = Actor.for_user(user)
    for kind, day, outcome in RECOGNISED if history is None else history:
        record_status_event(actor=actor, person_id=p.pk, kind=kind, effective_date=day, outcome=outcome)
    return p


def cook(user: User, district: dict[str, Agency]) -> Person:
    """Recognised refugee in Ludwigsburg, German A2, cook (KldB 29302) with 4 years, mobile in the district."""
    p = person(user, district)
    german(p, "A2")
    experience(p, "29302", "4")
    return p


def german(p: Person, level: str, on: date = date(2025, 1, 10), **skills: str) -> LanguageAssessment:
    values = {"speaking": level, "understanding": level, "reading": level, "writing": level, **skills}
    return LanguageAssessment.objects.create(person=p, language="de", source="certificate", assessed_on=on, **values)


def experience(p: Person, code: str, years: str = "3") -> WorkExperience:
    return WorkExperience.objects.create(person=p, title_as_given="x", occupation=occupation(code),
                                         years=Decimal(years))


def qualification(p: Person, code: str, recognition: str = "full") -> Qualification:
    return Qualification.objects.create(person=p, kind="vocational", title="x", occupation=occupation(code),
                                        recognition=recognition)


def licence(p: Person) -> Skill:
    return Skill.objects.create(person=p, kind="driving_licence", value="B")


def circumstances(p: Person, **values: Any) -> Circumstances:
    return Circumstances.objects.create(person=p, **values)


def offer(district: dict[str, Agency], *, kind: str = "integration_course", municipality: str = "Ludwigsburg",
          starts_on: date = date(2026, 4, 13), ends_on: date | None = date(2026, 9, 30), seats: int = 20,
          code: str = "", **extra: Any) -> Offer:
    place = make_municipality(district, municipality)
    defaults: dict[str, Any] = {"title": f"{kind} in {municipality}", "provider": "Träger"}
    if kind == "integration_course":
        defaults["target_level"] = "B1"
    return Offer.objects.create(kind=kind, owner=district["JC"], municipality=place, starts_on=starts_on,
                                ends_on=ends_on, seats=seats, occupation=occupation(code) if code else None,
                                **{**defaults, **extra})


def enrol(p: Person, o: Offer, state: str = "enrolled", requested: date | None = None, **extra: Any) -> Enrolment:
    at = timezone.make_aware(datetime.combine(requested or date(2026, 1, 5), datetime.min.time()))
    return Enrolment.objects.create(person=p, offer=o, state=state, agency=o.owner, requested_at=at, **extra)


def place(p: Person, agency: Agency, starts_on: date, ends_on: date | None = None) -> Placement:
    return Placement.objects.create(person=p, kind="employment", employer="Betrieb", starts_on=starts_on,
                                    ends_on=ends_on, agency=agency)


def other_district_place(name: str = "Offenburg") -> Municipality:
    region, _ = Region.objects.get_or_create(code="LK-OG", defaults={"kind": "landkreis", "name": "Ortenaukreis"})
    return Municipality.objects.get_or_create(name=name, landkreis=region)[0]


# --- facts by hand (pure tests) ------------------------------------------------------------------------

BASE_PERSON = PersonFacts(person_id=1, on=ON, sex="m", municipality_id=10, district_id=100, german_level="A2",
                          occupation_codes=frozenset(), experience_years={}, recognised_codes=frozenset(),
                          driving_licence=False, needs_childcare=False, women_only=False, part_time_only=False,
                          mobility="district")
BASE_OFFER = OfferFacts(offer_id=7, kind="integration_course", title="Kurs", municipality_id=10, district_id=100,
                        starts_on=date(2026, 4, 13), ends_on=date(2026, 9, 30), seats=20, free_seats=20,
                        min_german_level="", target_level="B1", occupation_code="", childcare=False,
                        women_only=False, part_time=False, requires_driving_licence=False)


def person_facts(**changes: Any) -> PersonFacts:
    return replace(BASE_PERSON, **changes)


def offer_facts(**changes: Any) -> OfferFacts:
    return replace(BASE_OFFER, **changes)
