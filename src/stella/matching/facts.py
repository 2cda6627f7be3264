"""What matching may know about persons and offers, loaded in bulk (a few queries for many persons).

`PersonFacts` deliberately carries no nationality, religion, health or age: those are never inputs to the
score. `sex` is present only for the women-only hard rule (an offer's legal/organisational condition),
never for the score; `tests/test_score.py` proves the score ignores it.

INTERFACE (used by offers.services for the enrolment check and by matching.allocation):
    load_person_facts(person_ids, on) -> dict[int, PersonFacts]
    load_offer_facts(offers_or_ids)   -> dict[int, OfferFacts]
    eligibility.failures(person: PersonFacts, offer: OfferFacts) -> list[Failure]   # [] = eligible
    score.score(person: PersonFacts, offer: OfferFacts) -> Score                   # int total + parts
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Failure:
    """A hard rule the pair breaks: stable code, German message, legal basis where there is one."""

    rule: str  # e.g. "legal_access", "level", "dates", "reachable", "childcare", "women_only", "double_booking"
    message: str
    basis: str = ""


@dataclass(frozen=True)
class Period:
    starts_on: date
    ends_on: date | None
    offer_id: int | None = None


@dataclass(frozen=True)
class PersonFacts:
    person_id: int
    on: date
    sex: str  # only for the women-only hard rule
    municipality_id: int | None
    district_id: int | None
    german_level: str  # best proven/assessed CEFR level in German, "" if none
    occupation_codes: frozenset[str]  # KldB codes (level 5) from confirmed experience and qualifications
    experience_years: dict[str, float]  # KldB code -> years
    recognised_codes: frozenset[str]  # KldB codes with full/partial recognition
    driving_licence: bool
    needs_childcare: bool
    women_only: bool
    part_time_only: bool
    mobility: str  # competences.models.Mobility value
    busy: tuple[Period, ...] = ()  # enrolled courses and placements (no double booking)
    waiting_since: dict[int, date] = field(default_factory=dict)  # offer id -> date on the waiting list
    completed_kinds: frozenset[str] = frozenset()  # offer kinds completed (e.g. integration course)


@dataclass(frozen=True)
class OfferFacts:
    offer_id: int
    kind: str
    title: str
    municipality_id: int
    district_id: int
    starts_on: date
    ends_on: date | None
    seats: int
    free_seats: int
    min_german_level: str
    target_level: str
    occupation_code: str
    childcare: bool
    women_only: bool
    part_time: bool
    requires_driving_licence: bool
