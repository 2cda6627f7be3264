"""Hand-built histories for the fact tests: direct model rows with known dates (no services, no audit), so
that every expected span and event can be worked out by hand."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from stella.agencies.models import Agency, Municipality
from stella.cases.models import CaseFile, EntryKind, Participation, ParticipationRole, TimelineEntry
from stella.journey.models import Appointment, HandOver, HandOverState, StatusEvent
from stella.offers.models import Enrolment, Offer, OfferKind, Placement
from stella.people.models import Address, Household, HouseholdMember, Nationality, Person

BERLIN = ZoneInfo("Europe/Berlin")
_seq = itertools.count(1)


def at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=BERLIN)


class Builder:
    """One person's history, written row by row."""

    def __init__(self, registered: date, *, sex: str = "f", birth: date | None = date(1990, 5, 1),
                 nationality: str | None = "SYR") -> None:
        self.person = Person.objects.create(sex=sex, birth_date=birth, created_at=at(registered))
        self.file = CaseFile.objects.create(person=self.person, opened_at=at(registered))
        if nationality:
            Nationality.objects.create(person=self.person, country=nationality)

    @property
    def pk(self) -> int:
        return self.person.pk

    def lead(self, agency: Agency, since: date, until: date | None = None, team: str = "") -> Builder:
        Participation.objects.create(case_file=self.file, agency=agency, role=ParticipationRole.LEAD, since=since,
                                     until=until, legal_basis="test", team=team)
        return self

    def status(self, kind: str, on: date, outcome: str = "") -> Builder:
        StatusEvent.objects.create(person=self.person, kind=kind, effective_date=on, outcome=outcome)
        return self

    def lives(self, municipality: str, since: date, until: date | None = None, accommodation: str = "vu") -> Builder:
        Address.objects.create(person=self.person, municipality=municipality, accommodation=accommodation,
                               valid_from=since, valid_until=until)
        return self

    def placement(self, kind: str, starts: date, ends: date | None = None, agency: Agency | None = None,
                  **extra: Any) -> Placement:
        agency = agency or Agency.objects.order_by("pk").first()
        return Placement.objects.create(person=self.person, kind=kind, employer="Firma", starts_on=starts,
                                        ends_on=ends, agency=agency, **extra)

    def enrol(self, offer: Offer, state: str, requested: date, enrolled: date | None = None,
              ended: date | None = None, level: str = "") -> Enrolment:
        return Enrolment.objects.create(offer=offer, person=self.person, state=state, requested_at=at(requested),
                                        enrolled_on=enrolled, ended_on=ended, result_level=level,
                                        agency=offer.owner)

    def appointment(self, agency: Agency, on: date, cancelled: bool = False) -> Appointment:
        return Appointment.objects.create(person=self.person, agency=agency, starts_at=at(on), ends_at=at(on, 11),
                                          place="Amt", purpose="Beratung",
                                          cancelled_at=at(on, 8) if cancelled else None)

    def contact(self, on: date) -> TimelineEntry:
        return TimelineEntry.objects.create(case_file=self.file, kind=EntryKind.CONTACT, category="counselling",
                                            title="Gespräch", occurred_at=at(on))

    def handover(self, from_agency: Agency, to_agency: Agency, effective: date, completed: date) -> HandOver:
        return HandOver.objects.create(person=self.person, function="labour_sgb2", from_agency=from_agency,
                                       to_agency=to_agency, reason="Anerkennung", effective_date=effective,
                                       state=HandOverState.COMPLETED, completed_at=at(completed))


def offer(owner: Agency, municipality: Municipality, kind: str = OfferKind.INTEGRATION_COURSE,
          starts: date = date(2023, 3, 1), ends: date | None = date(2023, 8, 31), seats: int = 20) -> Offer:
    return Offer.objects.create(kind=kind, title=f"Kurs {next(_seq)}", provider="VHS", owner=owner,
                                municipality=municipality, starts_on=starts, ends_on=ends, seats=seats)


def household(*members: tuple[Builder, str, date, date | None]) -> Household:
    hh = Household.objects.create(label="Familie")
    for b, relationship, since, until in members:
        HouseholdMember.objects.create(household=hh, person=b.person, relationship=relationship, since=since,
                                       until=until)
    return hh
