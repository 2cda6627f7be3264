"""Matching lists: ranked suitable offers for a person, ranked suitable persons for an offer, and why a person
did not get an offer. Audited reads of the category "Vermittlung"; the hard rules (`eligibility.py`) are never
broken, the score (`score.py`) ranks what remains, ties by id so that the order is deterministic.

Performance (one person among 20,000 open offers, docs/benchmarks.md): the database pre-filters what the
hard rules would refuse anyway (open, start, reachable places, German level, reached course targets,
childcare/women-only/part-time/licence); the rules package is asked once per (question, start date) — not
per offer — through the person's cached `LegalAccess`; the Python rules still run on every candidate, so the
SQL filter can only save time, never let a pair through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db.models import Min, QuerySet

from stella.agencies.models import Municipality
from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.authz.policy import Action, Category
from stella.cases.access import access_person, check, today
from stella.cases.models import Consent, Participation
from stella.competences.models import Mobility
from stella.core.actor import Actor
from stella.core.errors import InvalidInput
from stella.journey.tasks import readable_person_ids
from stella.matching import eligibility
from stella.matching.eligibility import effective_mobility
from stella.matching.facts import (
    LEVEL_ORDER,
    Failure,
    OfferFacts,
    PersonFacts,
    level_rank,
    load_offer_facts,
    load_person_facts,
    offer_rows,
)
from stella.matching.models import AllocationRun, Assignment, RunState
from stella.matching.score import SCORE_VERSION, Ranker, Score, score
from stella.offers.models import (
    LANGUAGE_KINDS,
    Enrolment,
    EnrolmentState,
    Offer,
    OfferKind,
    OfferState,
)
from stella.people.models import Person, Sex
from stella.rules.dates import de
from stella.rules.tables import RULE_VERSION

PLACEMENT = Category.PLACEMENT
#: Enrolment states in which a person is not a candidate for the offer any more.
HELD_STATES = (EnrolmentState.ENROLLED, EnrolmentState.COMPLETED)
MAX_LIMIT = 500


@dataclass(frozen=True)
class OfferMatch:
    """One offer in a person's list: eligible with its score, or (on request) with the rules it fails."""

    offer: Offer
    facts: OfferFacts
    score: Score | None
    failures: tuple[Failure, ...] = ()
    waiting_since: date | None = None

    @property
    def eligible(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class OfferList:
    person_id: int
    on: date
    kind: str
    matches: list[OfferMatch]
    ineligible: list[OfferMatch]
    candidates: int  # offers the database pre-filter let through (all open offers from `on` with ineligible)
    more: bool  # further eligible offers exist beyond `limit`
    score_version: str = SCORE_VERSION
    rule_version: str = RULE_VERSION


@dataclass(frozen=True)
class PersonMatch:
    """One person in an offer's list (shown only where the actor may read the person's placement data)."""

    person: Person
    facts: PersonFacts
    score: Score | None
    failures: tuple[Failure, ...] = ()
    waiting_since: date | None = None  # on this offer's waiting list since

    @property
    def eligible(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class PersonList:
    offer: Offer
    facts: OfferFacts
    on: date
    matches: list[PersonMatch]
    ineligible: list[PersonMatch]
    candidates: int  # readable persons considered (without those holding a seat in the offer)
    more: bool  # further eligible persons exist beyond `limit`
    score_version: str = SCORE_VERSION
    rule_version: str = RULE_VERSION


@dataclass(frozen=True)
class WhyNot:
    """Why a person has (or has not) got an offer: `status` is one of STATUSES, `message` the German answer."""

    person_id: int
    offer: Offer
    on: date
    status: str
    message: str
    failures: tuple[Failure, ...] = ()
    score: Score | None = None
    cutoff: int | None = None
    cutoff_source: str = ""  # "allocation_run" (a confirmed run) or "enrolled" (scores of the seated, now)
    score_version: str = SCORE_VERSION
    free_seats: int = 0


#: WhyNot.status values.
STATUSES = ("enrolled", "rule_failed", "seats_taken", "eligible")


# --- inputs --------------------------------------------------------------------------------------------

def _check_inputs(kind: str | None, limit: int) -> None:
    errors: dict[str, str] = {}
    if kind and kind not in OfferKind.values:
        errors["kind"] = f"Unbekannte Angebotsart „{kind}“ (erlaubt: {', '.join(OfferKind.values)})."
    if not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = f"Die Anzahl muss zwischen 1 und {MAX_LIMIT} liegen."
    if errors:
        raise InvalidInput(errors)


def _placement_access(actor: Actor, person_id: int) -> Person:
    person, ctx = access_person(actor, person_id)
    check(actor, person_id, ctx, Action.READ, PLACEMENT)
    return person


# --- offers for a person -------------------------------------------------------------------------------

def candidate_offers(person: PersonFacts, *, kind: str | None = None, prefilter: bool = True) -> QuerySet[Offer]:
    """Open offers from the person's reference date; with `prefilter`, without those the cheap hard rules
    would refuse anyway (the rules still run on every row: this only saves time)."""
    qs = Offer.objects.filter(state=OfferState.OPEN, starts_on__gte=person.on)
    # An offer the person already has a seat in (or has completed) is not a suggestion.
    qs = qs.exclude(pk__in=Enrolment.objects.filter(person_id=person.person_id, state__in=HELD_STATES)
                    .values("offer_id"))
    if kind:
        qs = qs.filter(kind=kind)
    if not prefilter:
        return qs
    mobility = effective_mobility(person)
    if person.municipality_id is None:
        return qs.none()
    if mobility == Mobility.MUNICIPALITY:
        qs = qs.filter(municipality_id=person.municipality_id)
    elif mobility == Mobility.DISTRICT:
        # The Landkreis's municipalities as a list: the planner then uses the offers' municipality index.
        qs = qs.filter(municipality_id__in=list(Municipality.objects.filter(landkreis_id=person.district_id)
                                                .values_list("id", flat=True)))
    rank = level_rank(person.german_level)
    reached = [level for level in LEVEL_ORDER if level and level_rank(level) <= rank]
    qs = qs.filter(min_german_level__in=["", *reached])
    if reached:
        qs = qs.exclude(kind__in=list(LANGUAGE_KINDS), target_level__in=reached)
    if person.sex != Sex.FEMALE:
        qs = qs.filter(women_only=False)
    if person.women_only:
        qs = qs.filter(women_only=True)
    if person.needs_childcare:
        qs = qs.filter(childcare=True)
    if person.part_time_only:
        qs = qs.filter(part_time=True)
    if not person.driving_licence:
        qs = qs.filter(requires_driving_licence=False)
    return qs


def offers_for_person(*, actor: Actor, person_id: int, on: date | None = None, kind: str | None = None,
                      limit: int = 50, include_ineligible: bool = False) -> OfferList:
    """Eligible offers for the person ranked by score (ties: offer id), at most `limit`; with
    `include_ineligible` also the open offers the person may not take, with the rules they fail (soonest first,
    at most `limit`). Audited read of the person's placement data."""
    _check_inputs(kind, limit)
    _placement_access(actor, person_id)
    day = on or today()
    person = load_person_facts([person_id], day)[person_id]
    rows = offer_rows(candidate_offers(person, kind=kind, prefilter=not include_ineligible).order_by())
    got = _rank([(o.offer_id, person, o) for o in rows], limit, include_ineligible,
                refused_order=lambda r: (r[2].starts_on, r[0]))
    offers = _offers([key for key, *_ in got.chosen] + [key for key, *_ in got.refused])
    result = OfferList(
        person_id=person_id, on=day, kind=kind or "",
        matches=[OfferMatch(offers[key], o, s, (), person.waiting_since.get(key)) for key, _, o, s in got.chosen],
        ineligible=[OfferMatch(offers[key], o, None, tuple(f), person.waiting_since.get(key))
                    for key, _, o, f in got.refused],
        candidates=len(rows), more=got.more)
    audit.record_read(actor, person_id=person_id, categories=[PLACEMENT], object_type="matching",
                      object_id=person_id, detail={"view": "offers_for_person", "on": day.isoformat(),
                                                   "kind": kind or "", "shown": len(result.matches),
                                                   "score_version": SCORE_VERSION})
    return result


Pair = tuple[int, PersonFacts, OfferFacts]


@dataclass(frozen=True)
class _Ranking:
    chosen: list[tuple[int, PersonFacts, OfferFacts, Score]]
    refused: list[tuple[int, PersonFacts, OfferFacts, list[Failure]]]
    more: bool


def _rank(pairs: Iterable[Pair], limit: int, include_ineligible: bool,
          refused_order: Callable[[Pair], Any]) -> _Ranking:
    """The best `limit` eligible pairs by score (ties by key) and, on request, the first `limit` ineligible ones.

    The cheap rules and the score (points only) come first; the rules package is then asked best first until
    `limit` eligible pairs are found (all pairs with `include_ineligible`, so that their failures are complete).
    The score does not depend on legal access, so the order of the eligible pairs is exact.
    """
    passing: list[tuple[int, int, PersonFacts, OfferFacts]] = []
    cheap: list[Pair] = []
    rankers: dict[int, Ranker] = {}
    for key, p, o in pairs:
        if eligibility.failures(p, o, legal=False):
            cheap.append((key, p, o))
            continue
        ranker = rankers.get(p.person_id)
        if ranker is None:
            ranker = rankers[p.person_id] = Ranker(p)
        passing.append((-ranker.total(o), key, p, o))
    passing.sort(key=lambda r: (r[0], r[1]))
    chosen: list[tuple[int, PersonFacts, OfferFacts, Score]] = []
    refused: list[tuple[int, PersonFacts, OfferFacts, list[Failure]]] = []
    more = False
    for _, key, p, o in passing:
        failure = eligibility.legal_failure(p, o)
        if failure is not None:
            refused.append((key, p, o, [failure]))
        elif len(chosen) < limit:
            chosen.append((key, p, o, score(p, o)))
        else:
            more = True
            if not include_ineligible:
                break
    if not include_ineligible:
        return _Ranking(chosen, [], more)
    cheap.sort(key=refused_order)
    refused += [(key, p, o, eligibility.failures(p, o)) for key, p, o in cheap[:limit]]
    refused.sort(key=lambda r: refused_order((r[0], r[1], r[2])))
    return _Ranking(chosen, refused[:limit], more)


def _offers(ids: Sequence[int]) -> dict[int, Offer]:
    if not ids:
        return {}
    return Offer.objects.select_related("municipality").in_bulk(list(ids))


# --- persons for an offer ------------------------------------------------------------------------------

def _visible_offer(actor: Actor, offer_id: int) -> Offer:
    from stella.offers import services as offers

    return offers.get_offer(actor=actor, offer_id=offer_id)


def readable_persons(actor: Actor, person_ids: Iterable[int] | None = None) -> set[int]:
    """Persons whose placement data the actor may read now (`journey.tasks.readable_person_ids`: the policy per
    file, contexts loaded in bulk); `person_ids` None: every person the agency takes part in or has a consent of."""
    if actor.agency_id is None:
        return set()
    if person_ids is None:
        day = today()
        person_ids = set(Participation.objects.active_on(day).filter(agency_id=actor.agency_id)
                         .values_list("case_file__person_id", flat=True))
        person_ids |= set(Consent.objects.valid_on(day).filter(agencies=actor.agency_id)
                          .values_list("case_file__person_id", flat=True))
    return readable_person_ids(actor, person_ids, Action.READ, PLACEMENT)


def persons_for_offer(*, actor: Actor, offer_id: int, on: date | None = None, limit: int = 50,
                      include_ineligible: bool = False) -> PersonList:
    """Eligible persons for the offer ranked by score (ties: person id), among the persons whose placement
    data the actor's agency may read; the offer's waiting list counts in full (waiting time is a criterion).
    Persons who already hold a seat in the offer are not candidates. One audited read per person shown."""
    _check_inputs(None, limit)
    offer = _visible_offer(actor, offer_id)
    day = on or today()
    facts = load_offer_facts([offer.pk])[offer.pk]
    seated = set(Enrolment.objects.filter(offer=offer, state__in=HELD_STATES).values_list("person_id", flat=True))
    candidates = readable_persons(actor)
    people = load_person_facts(candidates - seated, day)
    got = _rank([(pid, p, facts) for pid, p in sorted(people.items())], limit, include_ineligible,
                refused_order=lambda r: r[0])
    persons = Person.objects.prefetch_related("names").in_bulk([key for key, *_ in got.chosen] +
                                                               [key for key, *_ in got.refused])

    def match(p: PersonFacts, got: Score | None, failed: Sequence[Failure] = ()) -> PersonMatch:
        return PersonMatch(persons[p.person_id], p, got, tuple(failed), p.waiting_since.get(offer.pk))

    result = PersonList(offer=offer, facts=facts, on=day, matches=[match(p, s) for _, p, _, s in got.chosen],
                        ineligible=[match(p, None, f) for _, p, _, f in got.refused], candidates=len(people),
                        more=got.more)
    shown = [m.facts.person_id for m in [*result.matches, *result.ineligible]]
    if shown:
        audit.record_many(actor, AuditAction.READ, [
            audit.Entry(person_id=pid, categories=(PLACEMENT,), object_type="matching", object_id=offer.pk,
                        detail={"view": "persons_for_offer", "offer": offer.pk, "on": day.isoformat(),
                                "score_version": SCORE_VERSION}) for pid in shown])
    return result


# --- why (not) -----------------------------------------------------------------------------------------

def why_not(*, actor: Actor, person_id: int, offer_id: int, on: date | None = None) -> WhyNot:
    """The explanation for one pair: the rules it fails, or — eligible but without a seat — that the seats went
    to better fits, with the cut-off (the lowest admitted score: from the newest confirmed allocation run over
    the offer, else from the persons enrolled now, scored now). Audited read."""
    _placement_access(actor, person_id)
    offer = _visible_offer(actor, offer_id)
    day = on or today()
    person = load_person_facts([person_id], day)[person_id]
    facts = load_offer_facts([offer.pk])[offer.pk]
    state = (Enrolment.objects.filter(offer=offer, person_id=person_id)
             .exclude(state__in=[EnrolmentState.WITHDRAWN, EnrolmentState.DROPPED])
             .order_by("-requested_at", "-id").values_list("state", flat=True).first())
    failed = tuple(eligibility.failures(person, facts))
    got = None if failed else score(person, facts)
    detail = {"view": "why_not", "offer": offer.pk, "on": day.isoformat()}
    if state in (EnrolmentState.ENROLLED, EnrolmentState.COMPLETED):
        result = WhyNot(person_id, offer, day, "enrolled", "Die Person hat einen Platz in diesem Angebot.",
                        failed, got)
    elif failed:
        rules = "; ".join(f"{eligibility.RULE_LABELS[f.rule]}: {f.message}" for f in failed)
        result = WhyNot(person_id, offer, day, "rule_failed", f"Regel nicht erfüllt – {rules}", failed)
    else:
        assert got is not None
        result = _seats(person_id, offer, facts, day, got)
    audit.record_read(actor, person_id=person_id, categories=[PLACEMENT], object_type="matching",
                      object_id=offer.pk, detail={**detail, "status": result.status})
    return replace(result, free_seats=facts.free_seats)


def _seats(person_id: int, offer: Offer, facts: OfferFacts, day: date, got: Score) -> WhyNot:
    if facts.free_seats > 0:
        return WhyNot(person_id, offer, day, "eligible", f"Geeignet: {got.total} von 1000 Punkten; "
                                                         f"{facts.free_seats} Platz/Plätze frei.", (), got)
    run = (AllocationRun.objects.filter(state=RunState.CONFIRMED, offers=offer)
           .order_by("-decided_at", "-id").first())
    cutoff: int | None = None
    source = ""
    if run is not None:
        cutoff = Assignment.objects.filter(run=run, offer=offer, score__isnull=False).aggregate(m=Min("score"))["m"]
        source = "allocation_run" if cutoff is not None else ""
    if cutoff is None:
        seated = list(Enrolment.objects.filter(offer=offer, state=EnrolmentState.ENROLLED)
                      .values_list("person_id", flat=True))
        scores = [score(p, facts).total for p in load_person_facts(seated, day).values()]
        cutoff = min(scores) if scores else None
        source = "enrolled" if scores else ""
    if cutoff is None:
        return WhyNot(person_id, offer, day, "seats_taken", "Alle Plätze sind vergeben.", (), got)
    when = f"im Zuteilungslauf vom {de(run.reference_date)}" if source == "allocation_run" and run else \
        "unter den angemeldeten Personen (zum Stichtag berechnet)"
    if got.total >= cutoff:
        message = (f"Die Plätze waren vergeben, bevor die Person berücksichtigt wurde: niedrigste zugelassene "
                   f"Punktzahl {cutoff} {when}, hier {got.total}.")
    else:
        message = (f"Die Plätze gingen an besser passende Personen: niedrigste zugelassene Punktzahl {cutoff} "
                   f"{when}, hier {got.total}.")
    return WhyNot(person_id, offer, day, "seats_taken", message, (), got, cutoff, source)

