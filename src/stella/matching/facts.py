"""What matching may know about persons and offers, loaded in bulk (a few queries for many persons).

`PersonFacts` deliberately carries no nationality, religion, health or age: those are never inputs to the
score. `sex` is present only for the women-only hard rule (an offer's legal/organisational condition),
never for the score; `tests/test_score.py` proves the score ignores it. Legal access is not a fact but an
oracle (`legal`, see `legal.py`) that asks the rules package on the offer's start date, lazily and cached.

INTERFACE (used by offers.services for the enrolment check and by matching.allocation):
    load_person_facts(person_ids, on) -> dict[int, PersonFacts]
    load_offer_facts(offers_or_ids)   -> dict[int, OfferFacts]
    eligibility.failures(person: PersonFacts, offer: OfferFacts) -> list[Failure]   # [] = eligible
    score.score(person: PersonFacts, offer: OfferFacts) -> Score                   # int total + parts

German level: the profile's level (`competences.profile.german_level`: newest assessment, weakest skill; else
the master data), or without one the best result of a completed language course. "MT" ranks above C2.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from stella.agencies.models import Municipality
from stella.cases.models import Participation
from stella.competences.models import (
    Circumstances,
    Mobility,
    Qualification,
    Recognition,
    Skill,
    SkillKind,
    WorkExperience,
)
from stella.competences.profile import german_levels
from stella.journey.models import StatusEvent
from stella.matching.legal import LegalAccess, change_points, coming_of_age, day_after
from stella.offers.models import (
    LANGUAGE_KINDS,
    Enrolment,
    EnrolmentState,
    Offer,
    OfferState,
    Placement,
)
from stella.people.models import Address, HouseholdMember, IdentityDocument, Person

#: CEFR levels in order; "" (nothing known) ranks 0 and "MT" (mother tongue) above C2.
LEVEL_ORDER = ("", "A1", "A2", "B1", "B2", "C1", "C2", "MT")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVEL_ORDER)}
#: Enrolment states that hold a seat (an offer's free seats are its seats minus these).
SEATED_STATES = (EnrolmentState.ENROLLED,)


def level_rank(level: str) -> int:
    return LEVEL_RANK.get(level, 0)


#: German names of the hard rules (codes: see `eligibility.RULES`).
RULE_LABELS = {
    "dates": "Termin",
    "legal_access": "Rechtlicher Zugang",
    "level": "Deutschniveau",
    "level_reached": "Zielniveau bereits erreicht",
    "reachable": "Erreichbarkeit",
    "childcare": "Kinderbetreuung",
    "women_only": "Angebot für Frauen",
    "part_time": "Teilzeit",
    "driving_licence": "Führerschein",
    "double_booking": "Doppelbelegung",
}


@dataclass(frozen=True)
class Failure:
    """A hard rule the pair breaks: stable code, German message, legal basis where there is one."""

    rule: str  # e.g. "legal_access", "level", "dates", "reachable", "childcare", "women_only", "double_booking"
    message: str
    basis: str = ""

    @property
    def label(self) -> str:
        return RULE_LABELS.get(self.rule, self.rule)


@dataclass(frozen=True)
class Period:
    starts_on: date
    ends_on: date | None
    offer_id: int | None = None
    label: str = ""  # German, for the double-booking message (e.g. the offer's title or the employer)


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
    residence_obligation: bool = False  # Wohnsitzauflage: reachable only within the district
    full_recognition: frozenset[str] = frozenset()  # subset of recognised_codes with full recognition
    #: Rule answers on any date (None only for facts built by hand in tests: the legal rule is then skipped).
    legal: LegalAccess | None = field(default=None, compare=False, repr=False)


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
    state: str = OfferState.OPEN


# --- persons -------------------------------------------------------------------------------------------

def load_person_facts(person_ids: Iterable[int], on: date) -> dict[int, PersonFacts]:
    """Facts of many persons on `on`: about fifteen queries whatever their number (unknown ids are left out)."""
    ids = sorted(set(person_ids))
    persons = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    ids = list(persons)
    if not ids:
        return {}
    # Every address of these persons, newest first: the current one gives the place, all give change points.
    addresses = list(Address.objects.filter(person_id__in=ids).order_by("person_id", "-valid_from", "-id")
                     .values_list("person_id", "municipality", "valid_from", "valid_until"))
    places = _places(ids, on, addresses)
    german = _german_levels(ids)
    occupations = _occupations(ids)
    licences = set(Skill.objects.filter(person_id__in=ids, kind=SkillKind.DRIVING_LICENCE, ended_at__isnull=True)
                   .values_list("person_id", flat=True))
    circumstances: dict[int, Circumstances] = {}
    for c in Circumstances.objects.filter(person_id__in=ids, ended_at__isnull=True).order_by("created_at", "id"):
        circumstances[c.person_id] = c  # the newest row wins
    busy, waiting, completed = _enrolments(ids, on)
    points = _change_points(ids, addresses)
    result: dict[int, PersonFacts] = {}
    for pid in ids:
        circ = circumstances.get(pid)
        codes, years, recognised, full = occupations.get(pid, (frozenset(), {}, frozenset(), frozenset()))
        municipality_id, district_id = places.get(pid, (None, None))
        result[pid] = PersonFacts(
            person_id=pid, on=on, sex=persons[pid].sex, municipality_id=municipality_id, district_id=district_id,
            german_level=german.get(pid, ""), occupation_codes=codes, experience_years=years,
            recognised_codes=recognised, driving_licence=pid in licences,
            needs_childcare=bool(circ and circ.needs_childcare), women_only=bool(circ and circ.women_only),
            part_time_only=bool(circ and circ.part_time_only),
            mobility=circ.mobility if circ else Mobility.DISTRICT,
            busy=tuple(busy.get(pid, ())), waiting_since=waiting.get(pid, {}),
            completed_kinds=frozenset(completed.get(pid, ())),
            residence_obligation=bool(circ and circ.residence_obligation), full_recognition=full,
            legal=LegalAccess(persons[pid], points.get(pid, ())))
    return result


def _places(ids: Sequence[int], on: date, addresses: Sequence[tuple[int, str, date, date | None]]
            ) -> dict[int, tuple[int | None, int | None]]:
    """(municipality id, Landkreis id) of each person's address on `on`.

    Like `journey.services.municipality_on` the address names the Gemeinde; a name that exists in several
    Landkreise is resolved to the one where an agency participating in the file sits.
    """
    current: dict[int, str] = {}
    for pid, name, start, end in addresses:  # newest first per person
        if start <= on and (end is None or end >= on):
            current.setdefault(pid, name)
    by_name: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for mid, name, lk in Municipality.objects.filter(name__in=set(current.values())).order_by("id") \
            .values_list("id", "name", "landkreis_id"):
        by_name[name].append((mid, lk))
    ambiguous = [pid for pid, name in current.items() if len(by_name.get(name, ())) > 1]
    landkreise: dict[int, set[int]] = defaultdict(set)
    if ambiguous:
        # Participations that have not ended by `on` (a file registered after `on` still tells the district).
        for pid, lk in (Participation.objects.filter(Q(until__isnull=True) | Q(until__gte=on),
                                                     case_file__person_id__in=ambiguous)
                        .values_list("case_file__person_id", "agency__landkreis_id")):
            landkreise[pid].add(lk)
    result: dict[int, tuple[int | None, int | None]] = {}
    for pid, name in current.items():
        candidates = by_name.get(name, [])
        if not candidates:
            result[pid] = (None, None)
            continue
        chosen = next((c for c in candidates if c[1] in landkreise.get(pid, ())), candidates[0])
        result[pid] = chosen
    return result


def _german_levels(ids: Sequence[int]) -> dict[int, str]:
    """The profile's German level (`competences.profile.german_levels`); without one, the best result of a
    completed language course (recorded there only when the course was completed with competence rights)."""
    levels = german_levels(ids)
    missing = [pid for pid in ids if pid not in levels]
    if missing:
        for pid, level in (Enrolment.objects.filter(person_id__in=missing, state=EnrolmentState.COMPLETED,
                                                    offer__kind__in=LANGUAGE_KINDS).exclude(result_level="")
                           .values_list("person_id", "result_level")):
            if level_rank(level) > level_rank(levels.get(pid, "")):
                levels[pid] = level
    return levels


_Occupations = tuple[frozenset[str], dict[str, float], frozenset[str], frozenset[str]]


def _occupations(ids: Sequence[int]) -> dict[int, _Occupations]:
    """Confirmed KldB codes (experience and qualifications), years per code, recognised codes."""
    codes: dict[int, set[str]] = defaultdict(set)
    years: dict[int, dict[str, float]] = defaultdict(dict)
    recognised: dict[int, set[str]] = defaultdict(set)
    full: dict[int, set[str]] = defaultdict(set)
    for pid, code, value in (WorkExperience.objects.filter(person_id__in=ids, ended_at__isnull=True,
                                                           occupation__isnull=False)
                             .values_list("person_id", "occupation__code", "years")):
        codes[pid].add(code)
        years[pid][code] = years[pid].get(code, 0.0) + float(value or Decimal(0))
    for pid, code, state in (Qualification.objects.filter(person_id__in=ids, ended_at__isnull=True,
                                                          occupation__isnull=False)
                             .values_list("person_id", "occupation__code", "recognition")):
        codes[pid].add(code)
        if state in (Recognition.FULL, Recognition.PARTIAL):
            recognised[pid].add(code)
        if state == Recognition.FULL:
            full[pid].add(code)
    return {pid: (frozenset(codes[pid]), years.get(pid, {}), frozenset(recognised.get(pid, ())),
                  frozenset(full.get(pid, ()))) for pid in codes}


def _enrolments(ids: Sequence[int], on: date) -> tuple[dict[int, list[Period]], dict[int, dict[int, date]],
                                                       dict[int, set[str]]]:
    """Busy periods (seats held, placements running), waiting-list entries and completed offer kinds."""
    busy: dict[int, list[Period]] = defaultdict(list)
    waiting: dict[int, dict[int, date]] = defaultdict(dict)
    completed: dict[int, set[str]] = defaultdict(set)
    rows = (Enrolment.objects.filter(person_id__in=ids, state__in=[EnrolmentState.ENROLLED, EnrolmentState.WAITING,
                                                                   EnrolmentState.COMPLETED])
            .order_by("id").values_list("person_id", "state", "offer_id", "offer__kind", "offer__title",
                                        "offer__starts_on", "offer__ends_on", "enrolled_on", "ended_on",
                                        "requested_at"))
    for pid, state, offer_id, kind, title, starts, ends, enrolled_on, ended_on, requested_at in rows:
        if state == EnrolmentState.COMPLETED:
            completed[pid].add(kind)
        elif state == EnrolmentState.WAITING:
            waiting[pid][offer_id] = timezone.localdate(requested_at)
        else:
            end = ended_on or ends
            if end is None or end >= on:
                busy[pid].append(Period(max(starts, enrolled_on or starts), end, offer_id, title))
    for pid, offer_id, starts, ends, employer in (Placement.objects.filter(person_id__in=ids)
                                                  .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
                                                  .order_by("starts_on", "id")
                                                  .values_list("person_id", "offer_id", "starts_on", "ends_on",
                                                               "employer")):
        busy[pid].append(Period(starts, ends, offer_id, employer))
    return busy, waiting, completed


def _change_points(ids: Sequence[int], addresses: Sequence[tuple[int, str, date, date | None]]
                   ) -> dict[int, tuple[date, ...]]:
    """Dates on which the inputs of the legal assessment may change, per person (see `legal.py`)."""
    dates: dict[int, list[date | None]] = defaultdict(list)
    for pid, day in StatusEvent.objects.filter(person_id__in=ids).values_list("person_id", "effective_date"):
        dates[pid].append(day)
    for pid, _name, start, end in addresses:
        dates[pid] += [start, day_after(end)]
    for pid, issued, until in IdentityDocument.objects.filter(person_id__in=ids) \
            .values_list("person_id", "issued_on", "valid_until"):
        dates[pid] += [issued, day_after(until)]
    households: dict[int, set[int]] = defaultdict(set)
    for pid, hid in HouseholdMember.objects.filter(person_id__in=ids).values_list("person_id", "household_id"):
        households[hid].add(pid)
    if households:
        for hid, since, until, birth in (HouseholdMember.objects.filter(household_id__in=list(households))
                                         .values_list("household_id", "since", "until", "person__birth_date")):
            for pid in households[hid]:
                dates[pid] += [since, day_after(until), coming_of_age(birth)]
    return {pid: change_points(days) for pid, days in dates.items()}


# --- offers --------------------------------------------------------------------------------------------

_OFFER_COLUMNS = ("id", "kind", "title", "municipality_id", "municipality__landkreis_id", "starts_on", "ends_on",
                  "seats", "min_german_level", "target_level", "occupation__code", "childcare", "women_only",
                  "part_time", "requires_driving_licence", "state")


def offer_rows(qs: QuerySet[Offer]) -> list[OfferFacts]:
    """OfferFacts for every offer of a query set, with free seats, in two queries (in the query set's order).

    The seats taken are counted in their own grouped query over the enrolments of these offers: a COUNT joined
    to thousands of offers would group every offer row.
    """
    rows = list(qs.values_list(*_OFFER_COLUMNS))
    seated: dict[int, int] = {}
    if rows:
        seated = dict(Enrolment.objects.filter(state__in=SEATED_STATES, offer__in=qs.order_by().values("pk"))
                      .order_by().values("offer_id").annotate(n=Count("id")).values_list("offer_id", "n"))
    return [_offer_facts(row, seated.get(row[0], 0)) for row in rows]


_OFFER_FIELDS = tuple(f.name for f in fields(OfferFacts))


def _offer_facts(row: tuple[Any, ...], seated: int) -> OfferFacts:
    (oid, kind, title, mid, lk, starts, ends, seats, min_level, target, occupation, childcare, women, part_time,
     licence, state) = row
    values = (oid, kind, title, mid, lk, starts, ends, seats, max(seats - seated, 0), min_level, target,
              occupation or "", childcare, women, part_time, licence, state)
    # A frozen dataclass's __init__ sets each field through object.__setattr__ (about 5 µs for 17 fields); a list
    # ranks thousands of offers, so the instance is filled in one step. Same object, same equality and hash.
    facts = object.__new__(OfferFacts)
    facts.__dict__.update(zip(_OFFER_FIELDS, values, strict=True))
    return facts


def load_offer_facts(offers_or_ids: Iterable[Offer | int]) -> dict[int, OfferFacts]:
    """Facts of the given offers (instances or ids), keyed by offer id; unknown ids are left out."""
    ids = {o.pk if isinstance(o, Offer) else int(o) for o in offers_or_ids}
    return {f.offer_id: f for f in offer_rows(Offer.objects.filter(pk__in=ids).order_by("id"))}
