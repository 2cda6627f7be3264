"""Shared scenario for hand-over tests (services, bulk, API, web): one district with its responsibility
table, staff of the Landratsamt, the Agentur and the Jobcenter, and a person in provisional
accommodation whose file the Landratsamt (benefits) and the Agentur (labour) lead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from stella.accounts.models import User
from stella.agencies.models import Agency
from stella.cases import services as cases
from stella.cases.models import Participation
from stella.core.actor import Actor
from stella.journey import services as journey
from stella.people.models import Person
from stella.people.services import AddressIn, add_address
from stella.tests.factories import make_municipality, make_user, register

ARRIVAL = date(2015, 9, 3)


@dataclass
class Scene:
    district: dict[str, Agency]
    lra: User
    aa: User
    jc: User
    jc_benefits: User
    jc_lead: User
    person: Person

    def actor(self, user: User) -> Actor:
        return Actor.for_user(user)


def first_of_this_month() -> date:
    return timezone.localdate().replace(day=1)


def recent_final_date() -> date:
    """A final decision last month: the regime switch (first of this month) is in the past or today."""
    return first_of_this_month() - timedelta(days=10)


def make_person(scene_district: dict[str, Agency], lra: User, aa: User, *, family: str = "Al-Hassan",
                given: str = "Mohammed", municipality: str = "Ludwigsburg", arrival: date = ARRIVAL,
                nationalities: tuple[str, ...] = ("SYR",)) -> Person:
    person = register(lra, family=family, given=given, nationalities=list(nationalities))
    add_address(actor=Actor.for_user(lra), person_id=person.pk,
                address=AddressIn(municipality, arrival, accommodation="vu"))
    cases.add_participation(actor=Actor.for_user(aa), person_id=person.pk, role="lead", legal_basis="§39a SGB III")
    # Both agencies have led the file since the arrival (registration writes today's date).
    Participation.objects.filter(case_file__person=person).update(since=arrival)
    return person


def scene(district: dict[str, Agency]) -> Scene:
    make_municipality(district)
    lra = make_user(district, "LRA", "caseworker")
    aa = make_user(district, "AA", "caseworker")
    jc = make_user(district, "JC", "caseworker")
    jc.email = "jc@example.org"
    jc.save()
    jc_benefits = make_user(district, "JC", "benefits")
    jc_lead = make_user(district, "JC", "team_lead")
    return Scene(district, lra, aa, jc, jc_benefits, jc_lead, make_person(district, lra, aa))


def record(user: User, person: Person, kind: str, day: date, outcome: str = ""):
    return journey.record_status_event(actor=Actor.for_user(user), person_id=person.pk, kind=kind,
                                       effective_date=day, outcome=outcome)


def recognise(user: User, person: Person, final: date, outcome: str = "fluechtlingsschutz",
              arrival: date = ARRIVAL):
    """Asylgesuch on arrival, Gestattung a month later, the BAMF decision two weeks before `final`."""
    record(user, person, "asylgesuch", arrival)
    record(user, person, "gestattung", arrival + timedelta(days=28))
    record(user, person, "bamf_entscheidung", final - timedelta(days=14), outcome)
    return record(user, person, "rechtskraft", final)
