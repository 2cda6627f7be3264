"""factory_boy factories and small builders for tests (agencies, users with roles, persons)."""

from __future__ import annotations

import itertools
from datetime import date

import factory

from stella.accounts.models import RoleAssignment, User
from stella.agencies.models import Agency, AgencyKind, Region, RegionKind
from stella.core.actor import Actor
from stella.people.services import IdentifierIn, NameIn, PersonIn, register_person

PASSWORD = "Test-Passwort-2026!"
_seq = itertools.count(1)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    kind = RegionKind.LANDKREIS
    code = factory.Sequence(lambda n: f"LK-{n}")
    name = factory.Sequence(lambda n: f"Landkreis {n}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    kind = AgencyKind.JC
    code = factory.Sequence(lambda n: f"AG-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.kind} {o.code}")
    landkreis = factory.SubFactory(RegionFactory)


def make_district(code: str = "LB", name: str = "Ludwigsburg") -> dict[str, Agency]:
    """One Landkreis with one agency of every kind, keyed by kind (e.g. district['JC'])."""
    lk = RegionFactory(code=f"LK-{code}", name=name, kind=RegionKind.LANDKREIS)
    ab = RegionFactory(code=f"AB-{code}", name=name, kind=RegionKind.AGENTURBEZIRK)
    return {
        kind.value: AgencyFactory(kind=kind, code=f"{kind.value}-{code}", name=f"{kind.label} {name}",
                                  landkreis=lk, agenturbezirk=ab)
        for kind in AgencyKind
    }


def make_user(district: dict[str, Agency], kind: str, *roles: str, username: str | None = None,
              password: str = PASSWORD) -> User:
    username = username or f"{kind.lower()}-{'-'.join(roles)}-{next(_seq)}"
    user = User(username=username, agency=district[kind])
    user.set_password(password)
    user.save()
    RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=r) for r in roles])
    return user


def register(user: User, family: str = "Al-Hassan", given: str = "Mohammed", birth: date | None = date(1990, 5, 17),
             **extra):
    """Register a person as `user` (whose agency then participates in the file)."""
    data = PersonIn(names=[NameIn(family_name=family, given_names=given)], birth_date=birth, **extra)
    return register_person(actor=Actor.for_user(user), data=data)


__all__ = ["PASSWORD", "AgencyFactory", "IdentifierIn", "RegionFactory", "make_district", "make_user", "register"]


def make_municipality(district: dict[str, Agency], name: str = "Ludwigsburg"):
    """A municipality of the district's Landkreis with the usual responsibility table."""
    from stella.agencies.models import Function, Municipality, Responsibility

    municipality, _ = Municipality.objects.get_or_create(name=name, landkreis=district["JC"].landkreis)
    table = {Function.BENEFITS_ASYLBLG: "LRA", Function.ACCOMMODATION_VU: "LRA", Function.RESIDENCE: "ABH",
             Function.BENEFITS_SGB2: "JC", Function.LABOUR_SGB2: "JC", Function.LABOUR_SGB3: "AA",
             Function.ACCOMMODATION_AU: "STADT"}
    for function, kind in table.items():
        Responsibility.objects.get_or_create(municipality=municipality, function=function,
                                             defaults={"agency": district[kind]})
    return municipality


def register_housed(user: User, district: dict[str, Agency], municipality: str = "Ludwigsburg",
                    accommodation: str = "vu", since: date = date(2015, 9, 20), **extra):
    """A registered person living in a municipality with a responsibility table (journey tests)."""
    from stella.people.services import AddressIn, add_address

    make_municipality(district, municipality)
    person = register(user, **extra)
    add_address(actor=Actor.for_user(user), person_id=person.pk,
                address=AddressIn(municipality, since, accommodation=accommodation))
    return person
