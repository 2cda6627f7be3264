"""Persons with residence documents, addresses and households for the legal-assessment tests
(service, web UI and API share them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from stella.accounts.models import User
from stella.core.actor import Actor
from stella.people.models import Person
from stella.people.services import AddressIn, DocumentIn, MemberIn, create_household
from stella.tests.factories import register

#: The example of the issue: asylum request 03.09.2015, Syrian, outside the reception centre.
GESTATTUNG_2015 = DocumentIn(kind="gestattung", number="G-1", issued_on=date(2015, 9, 3),
                             valid_until=date(2017, 9, 2), issuing_authority="BAMF")


def syrian_asylum_seeker(user: User, *, documents: list[DocumentIn] | None = None,
                         address: AddressIn | None = None, nationalities: list[str] | None = None,
                         **extra: Any) -> Person:
    """Registered by `user` (whose agency then leads the file): Gestattung since 03.09.2015, living in a
    Gemeinschaftsunterkunft of the district since 01.10.2015, Syrian, born 17.05.1990."""
    return register(
        user, documents=[GESTATTUNG_2015] if documents is None else documents,
        address=address or AddressIn(municipality="Ludwigsburg", valid_from=date(2015, 10, 1), accommodation="vu"),
        nationalities=["SYR"] if nationalities is None else nationalities, **extra)


def household(user: User, members: list[tuple[Person, str]], since: date = date(2015, 1, 1)) -> None:
    create_household(actor=Actor.for_user(user), members=[MemberIn(p.pk, rel, since) for p, rel in members],
                     label="Familie")
