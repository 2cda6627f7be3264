"""Builders of hand-made fact rows for the cube, query and service tests (no histories: the facts directly)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from stella.people.models import Person
from stella.reporting.models import FactEvent, FactSpan, PersonFact

_households = itertools.count(1000)

SPAN_DEFAULTS: dict[str, Any] = {
    "district": "LK-LB", "agency": "JC-LB", "team": "Team 1", "sex": "f", "birth_year": 1990, "origin": "asyl8",
    "status_group": "schutz", "regime": "sgb2", "phase": "integration", "accommodation": "au", "activated": False,
    "single_parent": False, "household": None}
EVENT_FIELDS = ("district", "agency", "team", "sex", "birth_year", "origin", "status_group", "regime",
                "single_parent", "household")


def person(**fact: Any) -> Person:
    p = Person.objects.create(birth_date=date(1990, 1, 1), birth_date_precision="year")
    PersonFact.objects.create(person=p, **fact)
    return p


def span(p: Person, starts_on: date, ends_on: date | None = None, **attrs: Any) -> FactSpan:
    return FactSpan.objects.create(person=p, starts_on=starts_on, ends_on=ends_on, **{**SPAN_DEFAULTS, **attrs})


def event(p: Person, kind: str, on: date, **attrs: Any) -> FactEvent:
    base = {k: SPAN_DEFAULTS[k] for k in EVENT_FIELDS}
    return FactEvent.objects.create(person=p, kind=kind, on=on, **{**base, **attrs})


def client(starts_on: date, ends_on: date | None = None, **attrs: Any) -> Person:
    """A person with one client span."""
    p = person()
    span(p, starts_on, ends_on, **attrs)
    return p


def new_household() -> int:
    return next(_households)


def generate_facts(n: int, *, seed: int = 7, start: date = date(2019, 1, 1), end: date = date(2026, 10, 31)) -> int:
    """`n` persons with about four consecutive client spans each and a dozen events (performance checks of the
    cube; bulk_create, no histories). Returns the number of fact rows written."""
    import random
    from datetime import timedelta

    rnd = random.Random(seed)
    districts = {"LK-LB": ("JC-LB", "AA-LB", "LRA-LB"), "LK-OG": ("JC-OG", "AA-OG", "LRA-OG"),
                 "LK-RT": ("JC-RT", "AA-RT", "LRA-RT"), "LK-TÜ": ("JC-TÜ", "AA-RT", "LRA-TÜ")}
    persons = Person.objects.bulk_create([Person(birth_date=date(1990, 1, 1), birth_date_precision="year")
                                          for _ in range(n)], batch_size=5000)
    facts, spans, events = [], [], []
    days_total = (end - start).days
    for p in persons:
        sex = rnd.choice("fmfm")
        birth_year = rnd.randint(1960, 2006)
        origin = rnd.choice(("asyl8", "asyl8", "ukraine", "other"))
        household = rnd.randint(1, n // 2) if rnd.random() < 0.7 else None
        facts.append(PersonFact(person=p, sex=sex, birth_year=birth_year, origin=origin, household=household))
        day = start + timedelta(days=rnd.randint(0, days_total - 400))
        district = rnd.choice(list(districts))
        attrs: dict[str, Any] = {}
        for i in range(4):
            agency = rnd.choice(districts[district])
            length = rnd.randint(60, 500)
            ends = day + timedelta(days=length)
            attrs = {"district": district, "agency": agency, "team": f"Team {rnd.randint(1, 3)}", "sex": sex,
                     "birth_year": birth_year, "origin": origin,
                     "status_group": rnd.choice(("gestattung", "schutz", "duldung", "ukraine", "sonstige")),
                     "regime": rnd.choice(("asylblg", "sgb2", "sgb3", "keiner")),
                     "phase": rnd.choice(("ankommen", "sprache", "integration")),
                     "accommodation": rnd.choice(("ea", "vu", "au", "private")),
                     "activated": rnd.random() < 0.3, "single_parent": rnd.random() < 0.08, "household": household}
            last = i == 3 or ends >= end
            spans.append(FactSpan(person=p, starts_on=day, ends_on=None if last and rnd.random() < 0.6 else ends,
                                  **attrs))
            if last:
                break
            day = ends + timedelta(days=1)
            if rnd.random() < 0.15:
                district = rnd.choice(list(districts))
        ev = {k: attrs[k] for k in EVENT_FIELDS}
        first = spans[-1].starts_on

        def add(kind: str, on: date, p: Person = p, ev: dict[str, Any] = ev, **extra: Any) -> None:
            if on <= end:
                events.append(FactEvent(person=p, kind=kind, on=on, **{**ev, **extra}))

        add("counselling", first + timedelta(days=rnd.randint(1, 60)), days=rnd.randint(1, 60))
        add("course_start", first + timedelta(days=rnd.randint(30, 200)), days=rnd.randint(30, 200))
        add("course_end", first + timedelta(days=rnd.randint(200, 500)), days=rnd.randint(200, 500),
            detail=rnd.choice(("A2", "B1", "B2", "ohne")))
        add("course_wait", first + timedelta(days=rnd.randint(30, 200)), days=rnd.randint(0, 120))
        add("handover", first + timedelta(days=rnd.randint(100, 700)), days=(d := rnd.randint(0, 60)), flag=d <= 30)
        for k in range(1, 7):
            add("arrival_year", first + timedelta(days=365 * k), bucket=k, flag=rnd.random() < 0.1 * k)
        if rnd.random() < 0.5:
            on = first + timedelta(days=rnd.randint(100, 900))
            add("integration", on, detail=rnd.choice(("employment", "training", "self_employed")),
                flag=rnd.random() < 0.6, flag2=rnd.random() < 0.4)
            add("first_integration", on, days=(on - first).days)
        if rnd.random() < 0.2:
            add("minijob", first + timedelta(days=rnd.randint(100, 900)))
    PersonFact.objects.bulk_create(facts, batch_size=5000)
    FactSpan.objects.bulk_create(spans, batch_size=5000)
    FactEvent.objects.bulk_create(events, batch_size=5000)
    return len(facts) + len(spans) + len(events)
