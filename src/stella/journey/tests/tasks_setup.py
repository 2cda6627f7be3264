"""Helpers for the task, appointment and letter tests: users with teams, persons with participations."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from stella.cases import services as files
from stella.cases.models import Participation
from stella.core.actor import Actor
from stella.tests.factories import make_district, register
from stella.tests.factories import make_user as _make_user

BASIS = {"JC": "§50 SGB II", "AA": "§35 SGB III", "LRA": "§1 AsylbLG", "STADT": "§18 FlüAG BW", "ABH": "§86 AufenthG"}


def user(district, kind: str, *roles: str, team: str = "", username: str | None = None, email: str = ""):
    u = _make_user(district, kind, *(roles or ("caseworker",)), username=username)
    if team or email:
        u.team, u.email = team, email
        u.save(update_fields=["team", "email"])
    return u


def actor(u) -> Actor:
    return Actor.for_user(u)


def join(u, person, role: str = "contributing", since: date | None = None) -> Participation:
    """The user's agency takes part in the person's file (optionally since a past date)."""
    kind = u.agency.kind
    part = files.add_participation(actor=actor(u), person_id=person.pk, role=role, legal_basis=BASIS.get(kind, "x"))
    if since is not None:
        Participation.objects.filter(pk=part.pk).update(since=since)
    return part


def backdate(person, since: date) -> None:
    """Let every participation in the person's file start at `since` (scans on past dates)."""
    Participation.objects.filter(case_file__person=person).update(since=since)


def at(days: int, hour: int = 10, minute: int = 0) -> datetime:
    """A Berlin time `days` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


__all__ = ["actor", "at", "backdate", "join", "make_district", "register", "user"]
