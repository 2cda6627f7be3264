"""Per-person reporting facts derived from the shared file's dated history (docs/reporting-facts.md).

`build` reads the history of a chunk of persons in bulk (one query per table, no per-person queries) and
derives, with the journey's own pure functions (`status.step`, `services.phase_of`, `services.regime_on`),
the rows `PersonFact` (fixed facts and milestones), `FactSpan` (periods as a client with unchanged attributes)
and `FactEvent` (dated events with the attributes of their span). `store` replaces the rows of some persons in
one transaction and says from which date on the new facts differ from the old (the months whose cells the
cube must rebuild). Nothing here writes domain data; the fact tables are read-only derivations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import Model, Subquery
from django.db.models.base import ModelState
from django.utils import timezone

from stella import rules
from stella.agencies.models import Agency, AgencyKind, Municipality
from stella.cases.models import CaseFile, EntryKind, Participation, ParticipationRole, TimelineEntry
from stella.journey.models import (
    POSITIVE_OUTCOMES,
    Appointment,
    HandOver,
    HandOverState,
    StatusEvent,
)
from stella.journey.models import EventKind as StatusKind
from stella.journey.services import Phase, Step, phase_of, regime_on
from stella.journey.status import EventFact, Situation, State, TransitionError, step
from stella.offers.models import (
    LANGUAGE_KINDS,
    Enrolment,
    EnrolmentState,
    OfferKind,
    Outcome,
    Placement,
    PlacementKind,
)
from stella.people.models import Address, HouseholdMember, Nationality, Person, Relationship
from stella.reporting.indicators import origin_group
from stella.reporting.models import EventKind, FactEvent, FactSpan, PersonFact
from stella.rules.dates import add_months, end_of_month

M = TypeVar("M", bound=Model)

#: Persons per bulk read (one query per table and chunk).
CHUNK = 2000

#: Placement kinds that count as an integration (K2, § 5 Kennzahlen-VO): SV job, full training, self-employment.
K2_KINDS = frozenset({PlacementKind.EMPLOYMENT, PlacementKind.TRAINING, PlacementKind.SELF_EMPLOYED})
SEATED = frozenset({EnrolmentState.ENROLLED, EnrolmentState.COMPLETED, EnrolmentState.DROPPED})
#: Offers whose seat makes a person "activated" (K3E2-style): language courses and measures.
ACTIVATING_KINDS = frozenset(LANGUAGE_KINDS | {OfferKind.MEASURE})
ARRIVAL_KINDS = (StatusKind.ASYLGESUCH, StatusKind.ANKUNFTSNACHWEIS, StatusKind.ASYLANTRAG)
AE_25 = frozenset({StatusKind.AE_25_1, StatusKind.AE_25_2, StatusKind.AE_25_3})
STILL_EMPLOYED = frozenset({Outcome.EMPLOYED, Outcome.OTHER_JOB})
ARRIVAL_YEARS = range(1, 11)
#: The rules package's AsylbLG tables start on this day (its benefit coverage says 2015, the amounts 01.03.2015).
REGIME_TABLES_FROM = date(2015, 3, 1)
#: The regime of persons with a § 24 residence permit moved from the AsylbLG to the SGB II on this day.
UKRAINE_SWITCH = date(2022, 6, 1)

_KIND_ORDER = {kind: i for i, kind in enumerate(StatusKind.values)}


@dataclass
class FactRows:
    """Unsaved fact rows of some persons."""

    persons: list[PersonFact] = field(default_factory=list)
    spans: list[FactSpan] = field(default_factory=list)
    events: list[FactEvent] = field(default_factory=list)

    def extend(self, other: FactRows) -> None:
        self.persons += other.persons
        self.spans += other.spans
        self.events += other.events


# --- small date helpers -------------------------------------------------------------------------------------

def add_years(d: date, years: int) -> date:
    return add_months(d, 12 * years)


def _order(model: type[Model]) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields)


SPAN_ORDER = _order(FactSpan)
EVENT_ORDER = _order(FactEvent)
_ATTNAMES = {_order(m): tuple(f.attname for f in m._meta.concrete_fields) for m in (FactSpan, FactEvent)}


def _new(model: type[M], order: tuple[str, ...], values: dict[str, Any]) -> M:
    """An unsaved instance without running Model.__init__ (as Django's own `from_db` does for loaded rows):
    every concrete field's attribute is set, missing ones to None. Several times quicker, which matters at a
    million persons; the rows are only inserted, never saved one by one."""
    obj = model.__new__(model)
    obj._state = ModelState()
    obj.__dict__.update(zip(_ATTNAMES[order], map(values.get, order), strict=True))
    return obj


def _local_date(dt: datetime | None) -> date | None:
    return None if dt is None else timezone.localtime(dt).date()


def _running(start: date, end: date | None, on: date) -> bool:
    return start <= on and (end is None or on <= end)


# --- reference maps (small tables, read once per build) ------------------------------------------------------

@dataclass(frozen=True)
class AgencyInfo:
    code: str
    kind: str
    landkreis: str


@dataclass
class Maps:
    agencies: dict[int, AgencyInfo]
    #: municipality name → Region codes of the Landkreise that have a municipality of that name
    municipalities: dict[str, tuple[str, ...]]

    @classmethod
    def load(cls) -> Maps:
        agencies = {pk: AgencyInfo(code, kind, lk or "") for pk, code, kind, lk in
                    Agency.objects.values_list("pk", "code", "kind", "landkreis__code")}
        munis: dict[str, list[str]] = defaultdict(list)
        for name, code in Municipality.objects.values_list("name", "landkreis__code").order_by("name", "landkreis__code"):
            munis[name].append(code)
        return cls(agencies, {k: tuple(v) for k, v in munis.items()})

    def district(self, municipality: str | None, lead: AgencyInfo | None) -> str:
        """The Landkreis of the address's municipality; the lead agency's Landkreis where the name is unknown
        (or decides between equally named municipalities)."""
        fallback = lead.landkreis if lead else ""
        codes = self.municipalities.get(municipality or "", ())
        if len(codes) == 1:
            return codes[0]
        if codes:
            return fallback if fallback in codes else codes[0]
        return fallback


# --- the history of a chunk ---------------------------------------------------------------------------------

@dataclass
class Lead:
    agency_id: int
    since: date
    until: date | None
    team: str


@dataclass
class Membership:
    household_id: int
    person_id: int
    relationship: str
    since: date
    until: date | None


@dataclass
class Seat:
    """An enrolment with the dates of its offer; the seat runs from max(enrolled_on, offer start) to ended_on
    or the offer's end (as `journey.services.integration_steps`)."""

    state: str
    kind: str
    requested_on: date | None
    enrolled_on: date | None
    ended_on: date | None
    result_level: str
    offer_starts_on: date
    offer_ends_on: date | None
    start: date = field(init=False)
    end: date | None = field(init=False)

    def __post_init__(self) -> None:
        self.start = max(self.enrolled_on, self.offer_starts_on) if self.enrolled_on else self.offer_starts_on
        self.end = self.ended_on or self.offer_ends_on


@dataclass
class Job:
    id: int
    kind: str
    starts_on: date
    ends_on: date | None
    ends_benefit_receipt: bool | None
    outcome_12m: str


@dataclass
class History:
    """Everything the derivations need of one person (filled by `_load`)."""

    sex: str = ""
    birth_year: int | None = None
    registered_on: date | None = None
    merged: bool = False
    leads: list[Lead] = field(default_factory=list)
    events: list[EventFact] = field(default_factory=list)
    addresses: list[tuple[date, date | None, int, str, str]] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    seats: list[Seat] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    appointments: list[tuple[date, int]] = field(default_factory=list)
    first_contact: date | None = None
    handovers: list[tuple[date, date]] = field(default_factory=list)
    nationality: str | None = None


def _load(ids: Sequence[int]) -> tuple[dict[int, History], dict[int, list[Membership]]]:
    """One query per table for the chunk."""
    h: dict[int, History] = {}
    for pk, sex, birth, created, merged in Person.objects.filter(pk__in=ids).values_list(
            "pk", "sex", "birth_date", "created_at", "merged_into_id"):
        h[pk] = History(sex=sex or "", birth_year=birth.year if birth else None, registered_on=_local_date(created),
                        merged=merged is not None)
    for pid, opened in CaseFile.objects.filter(person_id__in=ids).values_list("person_id", "opened_at"):
        if pid in h:
            h[pid].registered_on = _local_date(opened)
    for pid, agency, since, until, team in (
            Participation.objects.filter(case_file__person_id__in=ids, role=ParticipationRole.LEAD)
            .values_list("case_file__person_id", "agency_id", "since", "until", "team").order_by("since", "id")):
        h[pid].leads.append(Lead(agency, since, until, team or ""))
    raw = list(StatusEvent.objects.filter(person_id__in=ids).values_list(
        "pk", "person_id", "kind", "effective_date", "outcome", "corrects_id", "voids"))
    corrected = {c for *_, c, _v in raw if c is not None}
    for pk, pid, kind, eff, outcome, _c, voids in raw:
        if pk not in corrected and not voids:  # the events in force (journey.services.effective_events)
            h[pid].events.append(EventFact(kind, eff, outcome or "", key=pk))
    for pid in h:
        h[pid].events.sort(key=lambda e: (e.effective_date, _KIND_ORDER.get(e.kind, 99), e.key))
    for pid, start, end, pk, muni, acc in Address.objects.filter(person_id__in=ids).values_list(
            "person_id", "valid_from", "valid_until", "pk", "municipality", "accommodation"):
        h[pid].addresses.append((start, end, pk, muni, acc or ""))
    households: dict[int, list[Membership]] = defaultdict(list)
    own = HouseholdMember.objects.filter(person_id__in=ids).values("household_id")
    for hh, pid, rel, since, until in HouseholdMember.objects.filter(household_id__in=Subquery(own)).values_list(
            "household_id", "person_id", "relationship", "since", "until").order_by("household_id", "id"):
        m = Membership(hh, pid, rel, since, until)
        households[hh].append(m)
        if pid in h:
            h[pid].memberships.append(m)
    for pid, state, requested, enrolled, ended, level, kind, o_start, o_end in (
            Enrolment.objects.filter(person_id__in=ids).values_list(
                "person_id", "state", "requested_at", "enrolled_on", "ended_on", "result_level", "offer__kind",
                "offer__starts_on", "offer__ends_on").order_by("requested_at", "id")):
        h[pid].seats.append(Seat(state, kind, _local_date(requested), enrolled, ended, level or "", o_start, o_end))
    for pk, pid, kind, start, end, ends_benefit, out12 in Placement.objects.filter(person_id__in=ids).values_list(
            "pk", "person_id", "kind", "starts_on", "ends_on", "ends_benefit_receipt", "outcome_12m").order_by(
            "starts_on", "id"):
        h[pid].jobs.append(Job(pk, kind, start, end, ends_benefit, out12 or ""))
    for pid, starts, agency in Appointment.objects.filter(person_id__in=ids, cancelled_at__isnull=True).values_list(
            "person_id", "starts_at", "agency_id").order_by("starts_at", "id"):
        day = _local_date(starts)
        assert day is not None
        h[pid].appointments.append((day, agency))
    for pid, occurred in TimelineEntry.objects.filter(case_file__person_id__in=ids, kind=EntryKind.CONTACT).values_list(
            "case_file__person_id", "occurred_at"):
        day = _local_date(occurred)
        if day is not None and (h[pid].first_contact is None or day < h[pid].first_contact):  # type: ignore[operator]
            h[pid].first_contact = day
    for pid, completed, eff in HandOver.objects.filter(person_id__in=ids, state=HandOverState.COMPLETED).values_list(
            "person_id", "completed_at", "effective_date").order_by("completed_at", "id"):
        done = _local_date(completed)
        if done is not None:
            h[pid].handovers.append((done, eff))
    for pid, country in Nationality.objects.filter(person_id__in=ids, valid_until__isnull=True).values_list(
            "person_id", "country").order_by("id"):
        if h[pid].nationality is None:
            h[pid].nationality = country
    return h, households


# --- derivations ----------------------------------------------------------------------------------------------

def status_group(situation: Situation, last_title: str) -> str:
    """gestattung (asylum requested, in procedure, decided not final), schutz (protection final, § 25 permit,
    Fiktion after protection), ukraine (§ 24), duldung (tolerated or rejected final), sonstige otherwise."""
    s = situation.state
    if s in (State.ASYLUM_REQUESTED, State.IN_PROCEDURE, State.DECIDED):
        return "gestattung"
    if s in (State.TOLERATED, State.REJECTED_FINAL):
        return "duldung"
    if s == State.PROTECTED:
        return "schutz"
    if s in (State.RESIDENCE_PERMIT, State.FIKTION):
        if last_title == StatusKind.AE_24:
            return "ukraine"
        if last_title in AE_25 or (situation.decision_final_date is not None
                                   and situation.outcome in POSITIVE_OUTCOMES):
            return "schutz"
    return "sonstige"


_REGIME_MEMO: dict[tuple[Any, ...], str | None] = {}


def regime_group(situation: Situation, on: date, lead: AgencyInfo | None) -> str:
    """asylblg / sgb2 through the rules package (`journey.services.regime_on`); without benefits: sgb3 when the
    lead is an Agentur für Arbeit, else keiner. A final rejection keeps the person in the AsylbLG (§ 1 Abs. 1
    Nr. 5 AsylbLG: vollziehbar ausreisepflichtig) like a Duldung; the date of a final *rejection* is not passed
    on (the rules take a final-decision date only for recognised persons)."""
    if situation.state == State.REJECTED_FINAL:
        situation = replace(situation, state=State.TOLERATED)
    if situation.decision_final_date is not None and situation.outcome not in POSITIVE_OUTCOMES:
        situation = replace(situation, decision_final_date=None)
    first, last = rules.COVERAGE["benefit"]  # outside the rule tables' years the nearest covered day decides
    day = min(max(on, first, REGIME_TABLES_FROM), last)
    status = situation.rules_status
    outcome: str | None = None
    if status is not None:
        # The coarse regime (AsylbLG or SGB II; § 3 vs § 2 AsylbLG does not matter here) depends on the status,
        # on whether the month of a final recognition is over, on the § 24 switch (01.06.2022) and on the year of
        # the rule tables – not on the person's entry date. The rules are asked once per such key with the
        # person-independent part of the situation, so the answer never depends on which person came first.
        final = situation.decision_final_date
        key = (status, final is not None and day <= end_of_month(final), day >= UKRAINE_SWITCH, day.year)
        if key not in _REGIME_MEMO:
            known_final = final if final is not None and final <= day else None
            canonical = Situation(state=situation.state, last_event=situation.last_event, outcome=situation.outcome,
                                  decision_final_date=known_final, entry_date=known_final or day,
                                  duldung_kind=situation.duldung_kind)
            result = regime_on(canonical, day)
            _REGIME_MEMO[key] = result.outcome if result is not None else None
        outcome = _REGIME_MEMO[key]
    if outcome in ("asylblg_3", "asylblg_2"):
        return "asylblg"
    if outcome == "sgb2":
        return "sgb2"
    return "sgb3" if lead is not None and lead.kind == AgencyKind.AA else "keiner"


def _steps(hist: History) -> list[Step]:
    """The journey's integration steps (as `journey.services.integration_steps`, from the loaded rows)."""
    steps: list[Step] = []
    for s in hist.seats:
        if s.state not in SEATED:
            continue
        phase = Phase.SPRACHE if s.kind in LANGUAGE_KINDS else (
            Phase.AUSBILDUNG_ARBEIT if s.kind in (OfferKind.TRAINING, OfferKind.VACANCY) else Phase.QUALIFIZIERUNG)
        steps.append(Step(phase, s.start, s.end, s.state == EnrolmentState.COMPLETED, s.kind))
    for j in hist.jobs:
        steps.append(Step(Phase.AUSBILDUNG_ARBEIT, j.starts_on, j.ends_on, False, j.kind))
    return sorted(steps, key=lambda s: (s.starts_on, s.label))


def _active_lead(leads: list[Lead], on: date) -> Lead | None:
    best = None
    for lead in leads:  # sorted by since: the newest running lead wins during an overlap
        if _running(lead.since, lead.until, on):
            best = lead
    return best


def _household_on(hist: History, on: date) -> Membership | None:
    best = None
    for m in hist.memberships:
        if _running(m.since, m.until, on) and (best is None or m.since >= best.since):
            best = m
    return best


def _single_parent(hist: History, households: dict[int, list[Membership]], on: date, pid: int) -> bool:
    """Head or parent of a household with at least one child and no partner on that day."""
    for m in hist.memberships:
        if m.person_id != pid or m.relationship not in (Relationship.HEAD, Relationship.PARENT):
            continue
        if not _running(m.since, m.until, on):
            continue
        others = [o for o in households.get(m.household_id, ()) if o.person_id != pid and _running(o.since, o.until, on)]
        if any(o.relationship == Relationship.CHILD for o in others) and \
                not any(o.relationship == Relationship.PARTNER for o in others):
            return True
    return False


@dataclass
class _Span:
    start: date
    end: date | None
    attrs: tuple[Any, ...]  # district, agency, team, status_group, regime, phase, accommodation, activated,
    #                         single_parent, household


def _change_dates(hist: History, households: dict[int, list[Membership]], final: Situation) -> list[date]:
    dates: set[date] = set()

    def span(start: date | None, end: date | None) -> None:
        if start is not None:
            dates.add(start)
        if end is not None:
            dates.add(end + timedelta(days=1))

    for lead in hist.leads:
        span(lead.since, lead.until)
    for e in hist.events:
        dates.add(e.effective_date)
    for start, end, *_ in hist.addresses:
        span(start, end)
    for m in hist.memberships:
        span(m.since, m.until)
        for o in households.get(m.household_id, ()):
            span(o.since, o.until)
    for s in hist.seats:
        if s.state in SEATED:
            span(s.start, s.end)
    for j in hist.jobs:
        span(j.starts_on, j.ends_on)
    if final.decision_final_date is not None:  # AsylbLG to the end of that month, SGB II from the 1st after
        dates.add(end_of_month(final.decision_final_date) + timedelta(days=1))
    if any(e.kind in (StatusKind.AE_24, StatusKind.FIKTION) for e in hist.events):
        dates.add(UKRAINE_SWITCH)
    return sorted(dates)


def _replay(events: list[EventFact]) -> list[tuple[date, Situation, str]]:
    """The situation (and last residence title) after each event in force, in the order of `status.fold`."""
    out: list[tuple[date, Situation, str]] = []
    situation, title = Situation(), ""
    for e in events:
        try:
            situation = step(situation, e)
        except TransitionError:  # stored history is checked on write; skip what cannot be replayed
            continue
        if e.kind in AE_25 or e.kind == StatusKind.AE_24:
            title = e.kind
        out.append((e.effective_date, situation, title))
    return out


def _spans(pid: int, hist: History, households: dict[int, list[Membership]], maps: Maps,
           final: Situation, replayed: list[tuple[date, Situation, str]]) -> list[_Span]:
    if not hist.leads:
        return []
    first_lead = min(lead.since for lead in hist.leads)
    steps = _steps(hist)
    situation, last_title, i = Situation(), "", 0
    activating = [(s.start, s.end) for s in hist.seats if s.state in SEATED and s.kind in ACTIVATING_KINDS]
    pieces: list[_Span] = []
    dates = [d for d in _change_dates(hist, households, final) if d >= first_lead]
    if not dates or dates[0] != first_lead:
        dates.insert(0, first_lead)
    # Replay the status events incrementally (same order and steps as `status.fold`).
    for n, on in enumerate(dates):
        while i < len(replayed) and replayed[i][0] <= on:
            _day, situation, last_title = replayed[i]
            i += 1
        nxt = dates[n + 1] if n + 1 < len(dates) else None
        end = nxt - timedelta(days=1) if nxt is not None else None
        lead = _active_lead(hist.leads, on)
        if lead is None or situation.state == State.DEPARTED:
            continue
        info = maps.agencies.get(lead.agency_id)
        address = None
        for a in hist.addresses:  # newest valid address (Address ordering: -valid_from, -id)
            if _running(a[0], a[1], on) and (address is None or (a[0], a[2]) > (address[0], address[2])):
                address = a
        member = _household_on(hist, on)
        activated = any(_running(seat_start, seat_end, on) for seat_start, seat_end in activating)
        attrs = (maps.district(address[3] if address else None, info), info.code if info else "", lead.team,
                 status_group(situation, last_title), regime_group(situation, on, info),
                 phase_of(situation, steps, on), address[4] if address else "", activated,
                 _single_parent(hist, households, on, pid), member.household_id if member else None)
        prev = pieces[-1] if pieces else None
        if prev is not None and prev.end is not None and prev.end + timedelta(days=1) == on and prev.attrs == attrs:
            prev.end = end
        else:
            pieces.append(_Span(on, end, attrs))
    return pieces


#: Working age as the SGB II key figures count the caseload (erwerbsfähige Leistungsberechtigte: 15 to the
#: pension age, here 64) and as the IAB counts employment by years since arrival (adults 18–64). Ages are whole
#: years from the birth year, as the age bands of the reports.
WORKING_AGE = (15, 64)
CURVE_AGE = (18, 64)


def _working_age(spans: list[_Span], birth_year: int | None, today: date) -> list[_Span]:
    """The spans clipped to the years in which the person is of working age (unknown birth year: unclipped).
    Children and pensioners are in the file but not in the caseload of the reports. An open span stays open
    while the end of working age is after today (a refresh in a later month recomputes every person)."""
    if birth_year is None:
        return spans
    first, last = date(birth_year + WORKING_AGE[0], 1, 1), date(birth_year + WORKING_AGE[1], 12, 31)
    out = []
    for s in spans:
        start, end = max(s.start, first), min(s.end or last, last)
        if start <= end and start <= today:
            out.append(_Span(start, None if s.end is None and last > today else end, s.attrs))
    return out


def _span_on(spans: list[_Span], on: date) -> _Span | None:
    """The span running on the day; else the latest earlier one; else the first (an event before the file's
    first lead, e.g. a contact on the day before the participation started)."""
    earlier = None
    for s in spans:
        if _running(s.start, s.end, on):
            return s
        if s.start <= on:
            earlier = s
    return earlier or (spans[0] if spans else None)


def _k2_running(jobs: list[Job], on: date, exclude: int | None = None) -> bool:
    return any(j.kind in K2_KINDS and j.id != exclude and _running(j.starts_on, j.ends_on, on) for j in jobs)


def _one_per_month(jobs: Iterable[Job]) -> list[Job]:
    seen: set[tuple[int, int]] = set()
    out = []
    for j in jobs:
        key = (j.starts_on.year, j.starts_on.month)
        if key not in seen:
            seen.add(key)
            out.append(j)
    return out


def _still_employed(job: Job, jobs: list[Job], today: date) -> bool | None:
    """K2E3: employed (SV job, training, self-employed) 12 months after the integration; None while open."""
    later = add_months(job.starts_on, 12)
    if later > today:
        return None
    if job.outcome_12m in STILL_EMPLOYED:
        return True
    if job.outcome_12m == Outcome.ENDED:
        return _k2_running(jobs, later, exclude=job.id)
    return _k2_running(jobs, later)


def _days(a: date, b: date | None) -> int | None:
    return None if b is None else max((a - b).days, 0)


def _person_rows(pid: int, hist: History, households: dict[int, list[Membership]], maps: Maps, today: date,
                 now: datetime) -> FactRows:
    out = FactRows()
    replayed = _replay(hist.events)
    final = replayed[-1][1] if replayed else Situation()
    registered = hist.registered_on
    arrival = next((e.effective_date for e in hist.events if e.kind == StatusKind.EINREISE), None) or next(
        (e.effective_date for e in hist.events if e.kind in ARRIVAL_KINDS), None) or registered
    origin = origin_group(hist.nationality or "")
    today_member = _household_on(hist, today)
    fact = PersonFact(person_id=pid, sex=hist.sex, birth_year=hist.birth_year, origin=origin,
                      household=today_member.household_id if today_member else None, arrival_on=arrival,
                      registered_on=registered, computed_at=now)
    out.persons.append(fact)

    spans = _working_age(_spans(pid, hist, households, maps, final, replayed), hist.birth_year, today)
    for s in spans:
        district, agency, team, group, regime, phase, acc, activated, single, hh = s.attrs
        out.spans.append(_new(FactSpan, SPAN_ORDER, {
            "person": pid, "starts_on": s.start, "ends_on": s.end, "district": district, "agency": agency,
            "team": team, "sex": hist.sex, "birth_year": hist.birth_year, "origin": origin, "status_group": group,
            "regime": regime, "phase": phase, "accommodation": acc, "activated": activated, "single_parent": single,
            "household": hh}))

    def event(kind: str, on: date, **extra: Any) -> FactEvent | None:
        if on > today:
            return None
        span = _span_on(spans, on)
        if span is None:  # never a client: no events
            return None
        district, agency, team, group, regime, _phase, _acc, _act, single, hh = span.attrs
        row = _new(FactEvent, EVENT_ORDER, {
            "person": pid, "kind": kind, "on": on, "district": district, "agency": agency, "team": team,
            "sex": hist.sex, "birth_year": hist.birth_year, "origin": origin, "status_group": group,
            "regime": regime, "single_parent": single, "household": hh, "days": None, "bucket": None, "flag": None,
            "flag2": None, "detail": "", **extra})
        out.events.append(row)
        return row

    reg = registered or today
    jobs = hist.jobs

    def in_caseload(j: Job) -> bool:
        """Integrations and minijobs count only while the person is a client of working age that day (the
        K2 numerator comes from the caseload of the denominator): no fallback to an earlier span, as other
        events have – a job after departure, after the file closed or after 64 is no integration."""
        return j.starts_on <= today and any(_running(s.start, s.end, j.starts_on) for s in spans)

    integrations = _one_per_month(j for j in jobs if j.kind in K2_KINDS and in_caseload(j))
    for j in integrations:
        flag2 = None if add_months(j.starts_on, 3) > today else j.ends_benefit_receipt
        event(EventKind.INTEGRATION, j.starts_on, detail=j.kind, flag=_still_employed(j, jobs, today), flag2=flag2)
    for j in _one_per_month(j for j in jobs if j.kind == PlacementKind.MINIJOB and in_caseload(j)):
        event(EventKind.MINIJOB, j.starts_on, detail=j.kind)
    if integrations:
        first = integrations[0]
        if event(EventKind.FIRST_INTEGRATION, first.starts_on, days=_days(first.starts_on, registered),
                 detail=first.kind) is not None:
            fact.first_integration_on = first.starts_on

    appointment = next((d for d, _a in hist.appointments if d <= today), None)
    counselling = min((d for d in (appointment, hist.first_contact) if d is not None and d <= today), default=None)
    if counselling is not None and event(EventKind.COUNSELLING, counselling,
                                         days=_days(counselling, reg)) is not None:
        fact.first_counselling_on = counselling

    language = [s for s in hist.seats if s.state in SEATED and s.kind in LANGUAGE_KINDS]
    start = min((s.start for s in language if s.start <= today), default=None)
    if start is not None and event(EventKind.COURSE_START, start, days=_days(start, reg)) is not None:
        fact.first_course_start_on = start
    done = sorted((s for s in language if s.state == EnrolmentState.COMPLETED and s.ended_on is not None
                   and s.ended_on <= today), key=lambda s: s.ended_on or today)
    if done:
        end = done[0].ended_on
        assert end is not None
        level = done[0].result_level or "ohne"
        if event(EventKind.COURSE_END, end, days=_days(end, reg), detail=level) is not None:
            fact.first_course_end_on, fact.first_course_level = end, done[0].result_level

    recognition = final.decision_final_date if (final.decision_final_date is not None
                                                 and final.outcome in POSITIVE_OUTCOMES) else None
    if recognition is None:
        recognition = next((e.effective_date for e in hist.events if e.kind in AE_25), None)
    if recognition is not None and recognition <= today:
        fact.recognition_on = recognition
        jc = next((d for d, a in hist.appointments if recognition <= d <= today
                   and (info := maps.agencies.get(a)) is not None and info.kind == AgencyKind.JC), None)
        if jc is not None and event(EventKind.RECOGNITION, jc, days=(jc - recognition).days) is not None:
            fact.first_jc_appointment_on = jc

    for completed, effective in hist.handovers:
        days = max((completed - effective).days, 0)
        event(EventKind.HANDOVER, completed, days=days, flag=days <= 30)

    for seat in hist.seats:
        if seat.enrolled_on is not None and seat.requested_on is not None:
            event(EventKind.COURSE_WAIT, seat.enrolled_on, days=max((seat.enrolled_on - seat.requested_on).days, 0),
                  detail=seat.kind)

    if arrival is not None:
        for k in ARRIVAL_YEARS:
            day = add_years(arrival, k)
            if day > today:
                break
            if hist.birth_year is None or CURVE_AGE[0] <= day.year - hist.birth_year <= CURVE_AGE[1]:
                event(EventKind.ARRIVAL_YEAR, day, bucket=k, flag=_k2_running(jobs, day))
    return out


def build(person_ids: Sequence[int], *, today: date | None = None) -> FactRows:
    """The fact rows (unsaved) of these persons as of `today` (default: today in Europe/Berlin). Persons merged
    into another one and unknown ids get none."""
    today = today or timezone.localdate()
    now = timezone.now()
    maps = Maps.load()
    out = FactRows()
    ids = sorted(set(person_ids))
    for n in range(0, len(ids), CHUNK):
        chunk = ids[n:n + CHUNK]
        histories, households = _load(chunk)
        for pid in chunk:
            hist = histories.get(pid)
            if hist is None or hist.merged:
                continue
            out.extend(_person_rows(pid, hist, households, maps, today, now))
    return out


# --- storing and the earliest difference ----------------------------------------------------------------------

SPAN_FIELDS = ("starts_on", "ends_on", "district", "agency", "team", "sex", "birth_year", "origin", "status_group",
               "regime", "phase", "accommodation", "activated", "single_parent", "household")
EVENT_FIELDS = ("kind", "on", "district", "agency", "team", "sex", "birth_year", "origin", "status_group", "regime",
                "single_parent", "household", "days", "bucket", "flag", "flag2", "detail")


def _span_diff(old: list[tuple[Any, ...]], new: list[tuple[Any, ...]]) -> date | None:
    """The first day on which the two span lists (tuples as SPAN_FIELDS) say something different."""
    if sorted(old, key=repr) == sorted(new, key=repr):
        return None

    def at(spans: list[tuple[Any, ...]], d: date) -> tuple[Any, ...] | None:
        for s in spans:
            if _running(s[0], s[1], d):
                return s[2:]
        return None

    bounds = sorted({s[0] for s in old + new} | {s[1] + timedelta(days=1) for s in old + new if s[1] is not None})
    for d in bounds:
        if at(old, d) != at(new, d):
            return d
    return min(s[0] for s in old + new)  # pragma: no cover - same coverage, different split only


def _event_diff(old: list[tuple[Any, ...]], new: list[tuple[Any, ...]]) -> date | None:
    remaining: dict[tuple[Any, ...], int] = defaultdict(int)
    for e in old:
        remaining[e] += 1
    for e in new:
        remaining[e] -= 1
    changed = [e[1] for e, n in remaining.items() if n != 0]
    return min(changed) if changed else None


def earliest_difference(person_ids: Sequence[int], rows: FactRows) -> date | None:
    """Compare the stored fact rows of these persons with `rows`: the earliest date at which they differ."""
    ids = list(person_ids)
    old_spans: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    old_events: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for n in range(0, len(ids), CHUNK):
        chunk = ids[n:n + CHUNK]
        for pid, *values in FactSpan.objects.filter(person_id__in=chunk).values_list("person_id", *SPAN_FIELDS):
            old_spans[pid].append(tuple(values))
        for pid, *values in FactEvent.objects.filter(person_id__in=chunk).values_list("person_id", *EVENT_FIELDS):
            old_events[pid].append(tuple(values))
    new_spans: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    new_events: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for s in rows.spans:
        new_spans[s.person_id].append(tuple(getattr(s, f) for f in SPAN_FIELDS))
    for e in rows.events:
        new_events[e.person_id].append(tuple(getattr(e, f) for f in EVENT_FIELDS))
    found: list[date] = []
    for pid in set(old_spans) | set(new_spans):
        d = _span_diff(old_spans.get(pid, []), new_spans.get(pid, []))
        if d is not None:
            found.append(d)
    for pid in set(old_events) | set(new_events):
        d = _event_diff(old_events.get(pid, []), new_events.get(pid, []))
        if d is not None:
            found.append(d)
    return min(found) if found else None


def store(person_ids: Sequence[int], today: date | None = None, *, compare: bool = True) -> date | None:
    """Replace the fact rows of these persons (delete + bulk insert, one transaction) and return the earliest
    date at which the new facts differ from the old ones (None: nothing changed). `compare=False` (a full
    rebuild, after which every cell is rebuilt anyway) skips reading the old rows and returns None."""
    ids = sorted(set(person_ids))
    rows = build(ids, today=today)
    with transaction.atomic():
        dirty = earliest_difference(ids, rows) if compare else None
        for n in range(0, len(ids), CHUNK):
            chunk = ids[n:n + CHUNK]
            FactEvent.objects.filter(person_id__in=chunk).delete()
            FactSpan.objects.filter(person_id__in=chunk).delete()
            PersonFact.objects.filter(person_id__in=chunk).delete()
        insert(PersonFact, rows.persons)
        insert(FactSpan, rows.spans)
        insert(FactEvent, rows.events)
    return dirty


def insert(model: type[M], objs: list[M]) -> None:
    """Insert unsaved rows: COPY on PostgreSQL (the bulk path of a full rebuild), bulk_create elsewhere."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=CHUNK)  # type: ignore[attr-defined]
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.name == "id")]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([getattr(obj, f.attname) for f in fields])


__all__ = ["CHUNK", "FactRows", "add_months", "build", "earliest_difference", "status_group", "store"]
