"""Use cases of the journey: legal-status history (record, correct, ask for any date), the derived
phase, benefit regime and lead agencies, and the journey timeline of a file.

Status events are history: a correction is a new event; an event that would make the history
impossible is refused with the reason (see `status.py`). Derived values use the rules package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from stella import rules
from stella.agencies.models import Agency, Function, Municipality, Responsibility
from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.authz.policy import Action, Category
from stella.cases.access import access_person, check, today
from stella.core.actor import Actor
from stella.core.errors import InvalidInput, NotFound
from stella.journey.models import DecisionOutcome, EventKind, StatusEvent
from stella.journey.status import EventFact, Situation, State, TransitionError, fold
from stella.offers.models import LANGUAGE_KINDS, Enrolment, EnrolmentState, OfferKind, Placement
from stella.people.models import AccommodationType, Address, Person

#: Hooks run inside the transaction that records a status event (hand-over proposals register here),
#: so a proposal and its trigger are written together or not at all.
STATUS_EVENT_HOOKS: list[Callable[[Actor, StatusEvent, Situation], None]] = []
#: Hooks run when an event is corrected or voided: (actor, corrected event, correction, situation after).
#: Hand-overs withdraw the proposals the corrected event triggered and propose anew from the correction.
STATUS_CORRECTION_HOOKS: list[Callable[[Actor, StatusEvent, StatusEvent, Situation], None]] = []


class Phase:
    """Phases of the journey (derived, never typed in)."""

    ANKOMMEN = "Ankommen"
    ASYLVERFAHREN = "Asylverfahren"
    ENTSCHEIDUNG = "Entscheidung"
    LEISTUNGSBEZUG = "Leistungsbezug"
    SPRACHE = "Sprache"
    QUALIFIZIERUNG = "Qualifizierung"
    AUSBILDUNG_ARBEIT = "Ausbildung/Arbeit"
    AUSGEREIST = "ausgereist"


_PHASE_BY_STATE = {
    State.NONE: Phase.ANKOMMEN, State.ENTERED: Phase.ANKOMMEN, State.ASYLUM_REQUESTED: Phase.ANKOMMEN,
    State.IN_PROCEDURE: Phase.ASYLVERFAHREN, State.DECIDED: Phase.ENTSCHEIDUNG,
    State.REJECTED_FINAL: Phase.ENTSCHEIDUNG, State.TOLERATED: Phase.ENTSCHEIDUNG,
    State.PROTECTED: Phase.LEISTUNGSBEZUG, State.RESIDENCE_PERMIT: Phase.LEISTUNGSBEZUG,
    State.FIKTION: Phase.LEISTUNGSBEZUG, State.DEPARTED: Phase.AUSGEREIST,
}


#: Integration phases by how far they lead (the highest active one wins).
_STEP_RANK = {Phase.SPRACHE: 1, Phase.QUALIFIZIERUNG: 2, Phase.AUSBILDUNG_ARBEIT: 3}


@dataclass(frozen=True)
class Step:
    """An integration step from an enrolment or placement: the phase it puts the person in while it runs."""

    phase: str
    starts_on: date
    ends_on: date | None
    completed: bool
    label: str

    def active_on(self, on: date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or on <= self.ends_on)


def integration_steps(person_id: int) -> list[Step]:
    """Language courses (Sprache), measures (Qualifizierung) and placements into training or work
    (Ausbildung/Arbeit) of the person, from enrolments that got a seat and from placements."""
    steps: list[Step] = []
    seated = (EnrolmentState.ENROLLED, EnrolmentState.COMPLETED, EnrolmentState.DROPPED)
    for e in Enrolment.objects.filter(person_id=person_id, state__in=seated).select_related("offer"):
        offer = e.offer
        phase = Phase.SPRACHE if offer.kind in LANGUAGE_KINDS else (
            Phase.AUSBILDUNG_ARBEIT if offer.kind in (OfferKind.TRAINING, OfferKind.VACANCY) else Phase.QUALIFIZIERUNG)
        start = max(filter(None, (e.enrolled_on, offer.starts_on)))
        end = e.ended_on or offer.ends_on
        steps.append(Step(phase, start, end, e.state == EnrolmentState.COMPLETED, offer.title))
    for p in Placement.objects.filter(person_id=person_id):
        steps.append(Step(Phase.AUSBILDUNG_ARBEIT, p.starts_on, p.ends_on, False, p.get_kind_display()))
    return sorted(steps, key=lambda s: (s.starts_on, s.label))


def phase_of(situation: Situation, steps: list[Step] | None = None, on: date | None = None) -> str:
    """The journey phase: from the legal situation, advanced by integration steps. A running step decides
    (the furthest one if several run); with none running, a completed course or measure keeps the person in
    its phase; an ended placement does not (the person is looking for work again). Departure ends the journey."""
    legal = _PHASE_BY_STATE[situation.state]
    if legal == Phase.AUSGEREIST or not steps:
        return legal
    on = on or today()
    running = [s.phase for s in steps if s.active_on(on)]
    if running:
        return max(running, key=_STEP_RANK.__getitem__)
    done = [s.phase for s in steps if s.completed and s.starts_on <= on]
    return max(done, key=_STEP_RANK.__getitem__) if done else legal


def effective_events(person_id: int) -> list[StatusEvent]:
    """Events in force: not corrected by a later event, and not themselves voiding corrections."""
    return list(StatusEvent.objects.filter(person_id=person_id, correction__isnull=True, voids=False)
                .order_by("effective_date", "id"))


def _facts(events: list[StatusEvent]) -> list[EventFact]:
    return [EventFact(e.kind, e.effective_date, e.outcome, key=e.pk) for e in events]


def situation_on(person_id: int, on: date | None = None) -> Situation:
    """The legal situation of a person on a date (today by default), from the effective events."""
    return fold(_facts(effective_events(person_id)), until=on or today())


def regime_on(situation: Situation, on: date) -> rules.RuleResult | None:
    """The benefit regime (AsylbLG §3/§2, SGB II) on a date through the rules package, or None."""
    status = situation.rules_status
    if status is None:
        return None
    inputs = rules.RegimeInputs(status=status, entry_date=situation.entry_date or situation.asylum_request_date,
                                decision_final_date=situation.decision_final_date)
    try:  # the regime does not depend on age or household; stage and amount are not used here
        return rules.benefit(rules.BenefitInput(reference_date=on, regime_inputs=inputs, age=30, household="single"))
    except rules.RuleInputError:
        return None


def municipality_on(person: Person, on: date) -> tuple[Municipality | None, Address | None]:
    address = (Address.objects.filter(person=person, valid_from__lte=on)
               .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on)).order_by("-valid_from").first())
    if address is None:
        return None, None
    return Municipality.objects.filter(name=address.municipality).first(), address


def responsible_agency(municipality: Municipality | None, function: str, on: date) -> Agency | None:
    """The agency serving the municipality for the function on the date (the responsibility table)."""
    if municipality is None:
        return None
    row = (Responsibility.objects.filter(municipality=municipality, function=function, valid_from__lte=on)
           .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on)).select_related("agency").first())
    return row.agency if row else None


@dataclass(frozen=True)
class Leads:
    """Which agency should lead for benefits, labour-market integration and accommodation."""

    benefits: Agency | None
    labour: Agency | None
    accommodation: Agency | None
    benefits_function: str = ""
    labour_function: str = ""
    accommodation_function: str = ""


def leads_on(person: Person, situation: Situation, on: date) -> Leads:
    municipality, address = municipality_on(person, on)
    regime = regime_on(situation, on)
    sgb2 = regime is not None and regime.outcome == "sgb2"
    benefits_fn = Function.BENEFITS_SGB2 if sgb2 else Function.BENEFITS_ASYLBLG
    labour_fn = Function.LABOUR_SGB2 if sgb2 else Function.LABOUR_SGB3
    accommodation_functions: dict[str, str] = {AccommodationType.VORLAEUFIG: Function.ACCOMMODATION_VU,
                                               AccommodationType.ANSCHLUSS: Function.ACCOMMODATION_AU}
    accommodation_fn = accommodation_functions.get(address.accommodation if address else "", "")
    active = situation.state not in {State.NONE, State.DEPARTED}
    return Leads(
        benefits=responsible_agency(municipality, benefits_fn, on) if active and regime else None,
        labour=responsible_agency(municipality, labour_fn, on) if active else None,
        accommodation=responsible_agency(municipality, accommodation_fn, on) if accommodation_fn else None,
        benefits_function=benefits_fn, labour_function=labour_fn, accommodation_function=accommodation_fn,
    )


def _validate_event(kind: str, effective_date: date | None, outcome: str) -> None:
    errors: dict[str, str] = {}
    if kind not in EventKind.values:
        errors["kind"] = f"Unbekanntes Statusereignis „{kind}“."
    if effective_date is None:
        errors["effective_date"] = "Das Datum fehlt."
    elif effective_date > today():
        errors["effective_date"] = "Ein Statusereignis kann nicht in der Zukunft liegen."
    elif effective_date < date(2000, 1, 1):
        errors["effective_date"] = "Das Datum liegt vor 2000."
    if outcome and outcome not in DecisionOutcome.values:
        errors["outcome"] = f"Unbekanntes Ergebnis „{outcome}“."
    if errors:
        raise InvalidInput(errors)


def _check_history(person_id: int, candidate: EventFact, exclude: int | None = None) -> Situation:
    facts = [f for f in _facts(effective_events(person_id)) if f.key != exclude]
    try:
        return fold([*facts, candidate])
    except TransitionError as exc:
        raise InvalidInput({"kind": exc.message}) from exc


def record_status_event(*, actor: Actor, person_id: int, kind: str, effective_date: date, outcome: str = "",
                        note: str = "", document_id: int | None = None) -> StatusEvent:
    """Record a status event if the history stays possible; hooks (hand-over proposals) run in the
    same transaction."""
    _validate_event(kind, effective_date, outcome)
    person, ctx = access_person(actor, person_id)
    check(actor, person_id, ctx, Action.WRITE, Category.RESIDENCE)
    if document_id is not None and not person.documents.filter(pk=document_id).exists():
        raise InvalidInput({"document_id": "Das Dokument gehört nicht zu dieser Person."})
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person_id).first()  # serialise writers of one history
        situation = _check_history(person_id, EventFact(kind, effective_date, outcome))
        event = StatusEvent.objects.create(person=person, kind=kind, effective_date=effective_date, outcome=outcome,
                                           note=note.strip()[:300], document_id=document_id,
                                           agency_id=actor.agency_id, recorded_by_id=actor.user_id)
        audit.record(actor, AuditAction.CREATE, person_id=person_id, categories=[Category.RESIDENCE],
                     object_type="status_event", object_id=event.pk,
                     detail={"kind": kind, "effective_date": effective_date.isoformat(), "outcome": outcome})
        for hook in STATUS_EVENT_HOOKS:
            hook(actor, event, situation)
    return event


def correct_status_event(*, actor: Actor, person_id: int, event_id: int, reason: str, kind: str | None = None,
                         effective_date: date | None = None, outcome: str | None = None,
                         void: bool = False) -> StatusEvent:
    """A correction is a new event that replaces (or, with `void`, removes) the corrected one."""
    person, ctx = access_person(actor, person_id)
    check(actor, person_id, ctx, Action.WRITE, Category.RESIDENCE)
    original = StatusEvent.objects.filter(pk=event_id, person_id=person_id).first()
    if original is None:
        raise NotFound("Das Statusereignis wurde nicht gefunden.")
    if not reason.strip():
        raise InvalidInput({"reason": "Bitte den Grund der Berichtigung angeben."})
    new_kind = kind or original.kind
    new_date = effective_date or original.effective_date
    new_outcome = original.outcome if outcome is None else outcome
    _validate_event(new_kind, new_date, new_outcome)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person_id).first()
        if StatusEvent.objects.filter(corrects=original).exists() or original.voids:
            raise InvalidInput({"event_id": "Dieses Ereignis wurde bereits berichtigt."})
        facts = [f for f in _facts(effective_events(person_id)) if f.key != original.pk]
        try:
            situation = fold(facts if void else [*facts, EventFact(new_kind, new_date, new_outcome)])
        except TransitionError as exc:
            raise InvalidInput({"kind": exc.message}) from exc
        event = StatusEvent.objects.create(
            person=person, kind=new_kind, effective_date=new_date, outcome=new_outcome, corrects=original,
            voids=void, note=f"Berichtigung: {reason.strip()}"[:300], agency_id=actor.agency_id,
            recorded_by_id=actor.user_id)
        audit.record(actor, AuditAction.CORRECT, person_id=person_id, categories=[Category.RESIDENCE],
                     object_type="status_event", object_id=event.pk,
                     detail={"corrects": original.pk, "void": void, "reason": reason.strip()[:200]})
        for hook in STATUS_CORRECTION_HOOKS:
            hook(actor, original, event, situation)
    return event


@dataclass(frozen=True)
class JourneyPoint:
    """The derived journey on one change date."""

    on: date
    cause: str
    state: str
    state_label: str
    phase: str
    regime: str | None
    regime_label: str
    accommodation: str
    leads: Leads


REGIME_LABELS = {"asylblg_3": "AsylbLG §3 (Grundleistungen)", "asylblg_2": "AsylbLG §2 (Analogleistungen)",
                 "sgb2": "SGB II (Bürgergeld)"}


def _regime_label(situation: Situation, regime: rules.RuleResult | None, on: date) -> str:
    """The regime's label; "nicht bestimmbar" (not "keiner") where the rules do not cover the date."""
    if regime is not None:
        return REGIME_LABELS.get(regime.outcome, "")
    first, last = rules.COVERAGE["benefit"]
    if situation.rules_status is not None and not first <= on <= last:
        return f"nicht bestimmbar (Regelsatz {first.year}–{last.year})"
    return "keiner"


def _point(person: Person, facts: list[EventFact], steps: list[Step], on: date, cause: str) -> JourneyPoint:
    situation = fold(facts, until=on)
    regime = regime_on(situation, on)
    _, address = municipality_on(person, on)
    return JourneyPoint(
        on=on, cause=cause, state=situation.state.value, state_label=situation.state.label,
        phase=phase_of(situation, steps, on), regime=regime.outcome if regime else None,
        regime_label=_regime_label(situation, regime, on),
        accommodation=address.get_accommodation_display() if address else "unbekannt",
        leads=leads_on(person, situation, on),
    )


def journey(*, actor: Actor, person_id: int) -> dict[str, Any]:
    """The file's journey timeline: status events and the derived state, phase, regime, accommodation and
    lead agencies at every date something changed (audited read of residence data)."""
    person, ctx = access_person(actor, person_id)
    check(actor, person_id, ctx, Action.READ, Category.RESIDENCE)
    events = list(StatusEvent.objects.filter(person=person).select_related("corrects", "agency")
                  .order_by("effective_date", "id"))
    in_force = effective_events(person_id)
    facts = _facts(in_force)
    changes: dict[date, list[str]] = {}
    for e in in_force:
        changes.setdefault(e.effective_date, []).append(EventKind(e.kind).label)
    for a in person.addresses.all():
        changes.setdefault(a.valid_from, []).append(f"Unterbringung: {a.get_accommodation_display()}")
    steps = integration_steps(person_id)
    for step in steps:
        changes.setdefault(step.starts_on, []).append(f"Beginn: {step.label}")
        if step.ends_on is not None:
            changes.setdefault(step.ends_on + timedelta(days=1), []).append(f"Ende: {step.label}")
    situation = fold(facts)
    if situation.decision_final_date is not None:  # the regime switches on the first of the next month
        switch = rules.regime_switch_date(situation.decision_final_date)
        changes.setdefault(switch.first_sgb2_day, []).append("Rechtskreiswechsel")
    points = [_point(person, facts, steps, on, ", ".join(causes)) for on, causes in sorted(changes.items())
              if on <= today() + timedelta(days=62)]
    audit.record_read(actor, person_id=person_id, categories=[Category.RESIDENCE], object_type="journey")
    return {"events": events, "in_force": {e.pk for e in in_force}, "points": points,
            "current": situation, "phase": phase_of(situation, steps)}


def status_events_for(person_id: int) -> QuerySet[StatusEvent]:
    return StatusEvent.objects.filter(person_id=person_id).order_by("effective_date", "id")


__all__ = ["STATUS_CORRECTION_HOOKS", "STATUS_EVENT_HOOKS", "JourneyPoint", "Leads", "Phase", "Step",
           "integration_steps", "correct_status_event", "journey", "leads_on",
           "phase_of", "record_status_event", "regime_on", "responsible_agency", "situation_on",
           "status_events_for"]
