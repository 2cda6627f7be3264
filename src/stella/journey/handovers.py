"""Hand-overs (Übergaben): moving the lead for one function of a file from one agency to another.

A status change that moves responsibility proposes them (hook on `record_status_event`): a final positive
BAMF decision hands benefits (AsylbLG → SGB II) and labour-market integration (SGB III → SGB II) to the
Jobcenter from the first SGB II day the rules package computes; an Aufenthaltserlaubnis §24 does the same
from the first of the next month, not before 01.06.2022. People propose by hand too. The receiving agency
accepts (it becomes lead from the effective date), rejects with a reason (nothing changes, the proposer
gets a task) or re-routes to another agency; on or after the effective date the hand-over is completed:
the old lead ends the day before and the old agency's access narrows (see `AFTERCARE`,
docs/access-control.md). Every step is audited and guarded by `version` (stale → Conflict).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Greatest
from django.utils import timezone

from stella import rules
from stella.accounts.models import User
from stella.agencies.models import Agency, AgencyKind, Function, Municipality, Role
from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.authz.policy import CASE_ROLES, LEGAL_BASIS, Action, Category, decide
from stella.cases.access import access_person, file_context, today
from stella.cases.models import CaseFile, Participation, ParticipationRole
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.journey import services as journey
from stella.journey.models import (
    POSITIVE_OUTCOMES,
    EventKind,
    HandOver,
    HandOverState,
    StatusEvent,
    TaskSource,
)
from stella.journey.notify import mark_link_read, notify
from stella.journey.sets import AnyOf, insert
from stella.journey.status import Situation
from stella.journey.summary import build_summary, visible_part
from stella.journey.tasks import ensure_task
from stella.people.models import AccommodationType, Person
from stella.rules.dates import de, first_of_next_month
from stella.rules.tables.benefits import UKRAINE_SGB2_FROM

#: How far in the past a typed effective date may lie (a correction of a late entry); older is refused.
CORRECTION_WINDOW_DAYS = 90
#: How far in the future a typed effective date may lie.
MAX_FUTURE_DAYS = 366
#: A proposal unanswered this long is overdue in the team lead's view; so is an accepted hand-over
#: not completed this long after its effective date.
RESPONSE_DAYS = 5
COMPLETION_GRACE_DAYS = 7

#: Roles that decide on hand-overs for their agency (accept, reject, re-route, complete, propose).
DECIDING_ROLES = frozenset({Role.CASEWORKER, Role.BENEFITS, Role.TEAM_LEAD})
OPEN_STATES = (HandOverState.PROPOSED, HandOverState.ACCEPTED)

F_ = Function
#: The function the lead moves away from when a hand-over gives `function` to another agency
#: (the Rechtskreiswechsel); other functions move within themselves (e.g. from one Jobcenter to another).
SOURCE_FUNCTION: dict[str, str] = {
    F_.BENEFITS_SGB2: F_.BENEFITS_ASYLBLG,
    F_.LABOUR_SGB2: F_.LABOUR_SGB3,
    F_.ACCOMMODATION_AU: F_.ACCOMMODATION_VU,
}
#: Which kind of agency leads each function (used to find the current lead among the participations).
FUNCTION_KIND: dict[str, str] = {
    F_.BENEFITS_ASYLBLG: AgencyKind.LRA, F_.BENEFITS_SGB2: AgencyKind.JC, F_.LABOUR_SGB3: AgencyKind.AA,
    F_.LABOUR_SGB2: AgencyKind.JC, F_.ACCOMMODATION_VU: AgencyKind.LRA, F_.ACCOMMODATION_AU: AgencyKind.STADT,
    F_.RESIDENCE: AgencyKind.ABH,
}
#: The data category whose legal basis (policy table) founds the receiving agency's lead participation.
FUNCTION_CATEGORY: dict[str, Category] = {
    F_.BENEFITS_ASYLBLG: Category.BENEFITS, F_.BENEFITS_SGB2: Category.BENEFITS,
    F_.LABOUR_SGB3: Category.PLACEMENT, F_.LABOUR_SGB2: Category.PLACEMENT,
    F_.ACCOMMODATION_VU: Category.RESIDENCE, F_.ACCOMMODATION_AU: Category.RESIDENCE,
    F_.RESIDENCE: Category.RESIDENCE,
}
#: What the handing-over agency keeps after completion, per function it hands over: a contributing
#: participation for this many days from the effective date (at the earliest from completion) with this
#: legal basis. Functions not listed end the old agency's participation with its lead. docs/access-control.md.
AFTERCARE: dict[str, tuple[int, str]] = {
    F_.BENEFITS_ASYLBLG: (90, "Übergabezeitraum: Abrechnung des letzten AsylbLG-Monats und Erstattung "
                              "(§§102 ff. SGB X)"),
    F_.LABOUR_SGB3: (30, "Übergabezeitraum: Übergabe laufender Maßnahmen (§§35, 39a SGB III)"),
}
#: An old agency still running the person's provisional accommodation keeps a contributing participation
#: without end (the participation is per agency, not per function).
ACCOMMODATION_BASIS = "vorläufige Unterbringung (§§8, 9 FlüAG BW)"
#: The web page of a hand-over; notifications link to it (kept here so services need no URL conf).
LINK = "/uebergaben/{id}/"


def link(handover_id: int) -> str:
    return LINK.format(id=handover_id)


# --- what a status change moves ----------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    """A hand-over a status event calls for: function, effective date, reason and legal basis."""

    function: str
    effective_date: date
    reason: str
    legal_basis: str


def planned_handovers(event: StatusEvent, situation: Situation) -> list[Plan]:
    """The hand-overs a new status event calls for, with dates from the rules package (empty if none)."""
    if event.kind == EventKind.RECHTSKRAFT and situation.outcome in POSITIVE_OUTCOMES:
        try:
            switch = rules.regime_switch_date(event.effective_date)
        except rules.RuleInputError:
            return []
        first = switch.first_sgb2_day
        basis = ", ".join(switch.result.basis)
        reason = (f"Anerkennung rechtskräftig seit {de(event.effective_date)}: AsylbLG bis {de(switch.last_asylblg_day)}, "
                  f"SGB II ab {de(first)} (Rechtskreiswechsel)")
        return [Plan(F_.BENEFITS_SGB2, first, reason, basis), Plan(F_.LABOUR_SGB2, first, reason, basis)]
    if event.kind == EventKind.AE_24:
        # SGB II from the month after the permit, never before the statutory switch of 01.06.2022 (§74 SGB II);
        # the rules package confirms that SGB II applies on that day (it does not after the 2026 reversal
        # for late arrivals, and it is not defined beyond its covered years).
        first = max(first_of_next_month(event.effective_date), UKRAINE_SGB2_FROM)
        regime = journey.regime_on(situation, first)
        if regime is None or regime.outcome != "sgb2":
            return []
        reason = (f"Aufenthaltserlaubnis §24 AufenthG seit {de(event.effective_date)}: "
                  f"Leistungen nach dem SGB II ab {de(first)}")
        basis = ", ".join(regime.basis)
        return [Plan(F_.BENEFITS_SGB2, first, reason, basis), Plan(F_.LABOUR_SGB2, first, reason, basis)]
    return []


def propose_on_status_change(actor: Actor, event: StatusEvent, situation: Situation) -> None:
    """STATUS_EVENT_HOOKS entry: propose the hand-overs a status event calls for, in its transaction.

    Where the responsible agency cannot be determined (no address, no responsibility row), the recording
    agency gets a task to check responsibility instead; a status event is never refused because of it.
    """
    for plan in planned_handovers(event, situation):
        _propose_planned(actor, event, plan)


def withdraw_on_status_correction(actor: Actor, original: StatusEvent, correction: StatusEvent,
                                  situation: Situation) -> None:
    """STATUS_CORRECTION_HOOKS entry: proposals that the corrected event triggered are withdrawn (kept as
    cancelled history, audited); a correction that is not a void proposes anew with the corrected date.
    Accepted or completed hand-overs are left to the agencies: undoing a lead change needs a decision."""
    for ho in HandOver.objects.filter(trigger=original, state=HandOverState.PROPOSED):
        HandOver.objects.filter(pk=ho.pk).update(
            state=HandOverState.CANCELLED, decision_note="Auslösendes Statusereignis wurde berichtigt.",
            decided_at=timezone.now(), decided_by_id=actor.user_id, version=F("version") + 1)
        audit.record(actor, AuditAction.UPDATE, person_id=ho.person_id, object_type="handover", object_id=ho.pk,
                     detail={"state": HandOverState.CANCELLED, "reason": "status_event_corrected",
                             "correction": correction.pk})
    if not correction.voids:
        propose_on_status_change(actor, correction, situation)


def _propose_planned(actor: Actor, event: StatusEvent, plan: Plan) -> HandOver | None:
    person = event.person
    municipality, _ = journey.municipality_on(person, plan.effective_date)
    to_agency = journey.responsible_agency(municipality, plan.function, plan.effective_date)
    if to_agency is None:
        _review_task(actor, person, plan, municipality)
        return None
    if HandOver.objects.filter(person=person, function=plan.function, state__in=OPEN_STATES).exists():
        return None
    from_agency = resolve_from_agency(person, plan.function, plan.effective_date, municipality)
    if _already_moved(person.pk, from_agency, to_agency, plan.effective_date):
        return None
    return _create(actor, person, plan.function, from_agency, to_agency, plan.reason, plan.legal_basis,
                   plan.effective_date, trigger=event)


def _review_task(actor: Actor, person: Person, plan: Plan, municipality: Municipality | None) -> None:
    if actor.agency_id is None:
        return
    where = f"in der Gemeinde {municipality.name}" if municipality else "(keine Anschrift erfasst)"
    ensure_task(actor=actor, agency=Agency.objects.get(pk=actor.agency_id), person=person,
                title="Zuständigkeit für Übergabe prüfen", source=TaskSource.HANDOVER,
                source_key=f"uebergabe-pruefen:{person.pk}:{plan.function}",
                reason=f"{Function(plan.function).label} ab {de(plan.effective_date)}: keine zuständige Behörde "
                       f"{where} gefunden. {plan.reason}",
                due_date=today() + timedelta(days=RESPONSE_DAYS))


# --- agencies ----------------------------------------------------------------------------------------

def source_function(function: str) -> str:
    return SOURCE_FUNCTION.get(function, function)


def resolve_from_agency(person: Person, function: str, effective_date: date,
                        municipality: Municipality | None = None) -> Agency | None:
    """The agency that leads the function now: a lead participation of the kind that carries the source
    function (not ended before the switch), else the agency the responsibility table names for it."""
    kind = FUNCTION_KIND.get(source_function(function))
    lead = (Participation.objects.filter(case_file__person=person, role=ParticipationRole.LEAD, agency__kind=kind)
            .filter(Q(until__isnull=True) | Q(until__gte=effective_date)).select_related("agency")
            .order_by("-since", "-id").first()) if kind else None
    if lead is not None:
        return lead.agency
    day_before = effective_date - timedelta(days=1)
    if municipality is None:
        municipality, _ = journey.municipality_on(person, day_before)
    return journey.responsible_agency(municipality, source_function(function), day_before)


def _leads_from(case_file_id: int, agency_id: int, effective_date: date) -> bool:
    return Participation.objects.filter(case_file_id=case_file_id, agency_id=agency_id, role=ParticipationRole.LEAD,
                                        ).filter(Q(until__isnull=True) | Q(until__gte=effective_date)).exists()


def _already_moved(person_id: int, from_agency: Agency | None, to_agency: Agency, effective_date: date) -> bool:
    """Nothing to hand over: the receiver already leads and no other agency's lead would have to end."""
    case_file = CaseFile.objects.filter(person_id=person_id).first()
    if case_file is None or not _leads_from(case_file.pk, to_agency.pk, effective_date):
        return False
    return from_agency is None or from_agency == to_agency or not _leads_from(case_file.pk, from_agency.pk,
                                                                              effective_date)


def serving(municipality: Municipality, function: str, on: date) -> Agency | None:
    return journey.responsible_agency(municipality, function, on)


def check_serves(agency: Agency, person: Person, function: str, on: date, field_name: str = "to_agency") -> None:
    """Refuse (InvalidInput) an agency that does not serve the person's municipality for the function."""
    municipality, address = journey.municipality_on(person, on)
    if address is None:
        raise InvalidInput({field_name: f"Für die Person ist am {de(on)} keine Anschrift erfasst; die zuständige "
                                        "Behörde lässt sich nicht bestimmen."})
    if municipality is None:
        raise InvalidInput({field_name: f"Die Gemeinde „{address.municipality}“ steht nicht in der "
                                        "Zuständigkeitstabelle."})
    responsible = serving(municipality, function, on)
    if responsible is None or responsible.pk != agency.pk:
        who = f" (zuständig: {responsible.name})" if responsible else ""
        raise InvalidInput({field_name: f"„{agency.name}“ ist am {de(on)} nicht für „{Function(function).label}“ in "
                                        f"der Gemeinde {municipality.name} zuständig{who}."})


def agency_by_code(code: str, field_name: str = "to_agency") -> Agency:
    agency = Agency.objects.filter(code=code.strip().upper(), active=True).first() if code else None
    if agency is None:
        raise InvalidInput({field_name: f"Unbekannte Behörde „{code}“."})
    return agency


def recipients(agency_id: int, function: str = "") -> QuerySet[User]:
    """Who at an agency hears of a new hand-over: caseworkers and team leads (and benefits officers for
    benefits)."""
    roles = {Role.CASEWORKER, Role.TEAM_LEAD}
    if FUNCTION_CATEGORY.get(function) == Category.BENEFITS:
        roles.add(Role.BENEFITS)
    return User.objects.filter(agency_id=agency_id, is_active=True, role_assignments__role__in=roles).distinct()


def lead_basis(agency: Agency, function: str) -> str:
    """The legal basis of the receiving agency's lead participation, from the policy's table."""
    table = LEGAL_BASIS.get(agency.kind, {})
    return table.get(FUNCTION_CATEGORY.get(function, Category.RESIDENCE)) or table.get(Category.RESIDENCE) or \
        f"Übergabe: {Function(function).label}"


# --- checks --------------------------------------------------------------------------------------------

def check_effective_date(effective_date: date | None, field_name: str = "effective_date") -> date:
    """A typed effective date: given, not older than the correction window, not too far ahead."""
    if effective_date is None:
        raise InvalidInput({field_name: "Das Datum fehlt."})
    now = today()
    if effective_date < now - timedelta(days=CORRECTION_WINDOW_DAYS):
        raise InvalidInput({field_name: f"Das Datum liegt mehr als {CORRECTION_WINDOW_DAYS} Tage zurück "
                                        f"(frühestens {de(now - timedelta(days=CORRECTION_WINDOW_DAYS))}); ältere "
                                        "Übergaben werden nicht nachträglich erfasst."})
    if effective_date > now + timedelta(days=MAX_FUTURE_DAYS):
        raise InvalidInput({field_name: f"Das Datum liegt mehr als {MAX_FUTURE_DAYS} Tage in der Zukunft."})
    return effective_date


def _check_function(function: str) -> None:
    if function not in Function.values:
        raise InvalidInput({"function": f"Unbekannte Aufgabe „{function}“."})


def _text(value: str, field_name: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput({field_name: f"Bitte {what} angeben."})
    if len(text) > 300:
        raise InvalidInput({field_name: "Zu lang (höchstens 300 Zeichen)."})
    return text


def _deny(actor: Actor, handover: HandOver, reason: str) -> AccessDenied:
    audit.record_denied(actor, AuditAction.UPDATE, reason=reason, person_id=handover.person_id,
                        object_type="handover", object_id=handover.pk)
    return AccessDenied(reason)


def _require_side(actor: Actor, handover: HandOver, sides: Sequence[str], what: str) -> None:
    """The actor must hold a deciding role at one of the named sides ("to", "from") of the hand-over."""
    agencies = {"to": handover.to_agency_id, "from": handover.from_agency_id}
    if not actor.roles.intersection(DECIDING_ROLES) or actor.agency_id not in {agencies[s] for s in sides}:
        who = ("die übernehmende Behörde (Fallbearbeitung, Leistung, Teamleitung) kann" if sides == ("to",)
               else "die beteiligten Behörden (Fallbearbeitung, Leistung, Teamleitung) können")
        raise _deny(actor, handover, f"Nur {who} die Übergabe {what}.")


def _lock(handover_id: int, version: int) -> HandOver:
    """The hand-over, locked for this transaction; a stale version is a Conflict (nothing written)."""
    ho = HandOver.objects.select_for_update().filter(pk=handover_id).first()
    if ho is None:
        raise NotFound("Die Übergabe wurde nicht gefunden.")
    if ho.version != version:
        raise Conflict("Die Übergabe wurde inzwischen von jemand anderem bearbeitet. Ihre Änderung wurde nicht "
                       "gespeichert.", current_version=ho.version,
                       changes=[{"field": "state", "value": ho.state, "label": HandOverState(ho.state).label}])
    return ho


def _require_state(ho: HandOver, *states: str) -> None:
    if ho.state not in states:
        raise InvalidInput({"state": f"Die Übergabe ist „{HandOverState(ho.state).label}“; das geht nur bei "
                                     f"„{' / '.join(HandOverState(s).label for s in states)}“."})


# --- reading -----------------------------------------------------------------------------------------

def _visible(actor: Actor) -> Q:
    return Q(to_agency_id=actor.agency_id) | Q(from_agency_id=actor.agency_id) | Q(created_by_id=actor.user_id)


def access_handover(actor: Actor, handover_id: int) -> HandOver:
    """A hand-over the actor's agency gives, receives or proposed; anything else looks missing (audited)."""
    ho = (HandOver.objects.select_related("person", "from_agency", "to_agency", "created_by", "decided_by",
                                          "rerouted_from", "bulk_job").filter(pk=handover_id).first())
    if ho is None:
        raise NotFound("Die Übergabe wurde nicht gefunden.")
    visible = actor.roles.intersection(CASE_ROLES) and actor.agency_id is not None and (
        actor.agency_id in (ho.to_agency_id, ho.from_agency_id) or (actor.user_id and actor.user_id == ho.created_by_id))
    if not visible:
        audit.record_denied(actor, AuditAction.READ, reason="Die Behörde ist an dieser Übergabe nicht beteiligt.",
                            person_id=ho.person_id, object_type="handover", object_id=ho.pk)
        raise NotFound("Die Übergabe wurde nicht gefunden.")
    return ho


@dataclass
class HandOverView:
    """A hand-over as one actor may see it: the summary part they may read and what they may do."""

    handover: HandOver
    summary: dict[str, Any]
    summary_complete: bool
    may_accept: bool = False
    may_reject: bool = False
    may_reroute: bool = False
    may_complete: bool = False
    complete_from: date | None = None
    reroutes: list[HandOver] = field(default_factory=list)


def _may(actor: Actor, ho: HandOver, sides: Iterable[str]) -> bool:
    agencies = {"to": ho.to_agency_id, "from": ho.from_agency_id}
    return bool(actor.roles.intersection(DECIDING_ROLES)) and actor.agency_id in {agencies[s] for s in sides}


def handover_detail(*, actor: Actor, handover_id: int) -> HandOverView:
    """One hand-over with its summary. The receiving agency sees the whole summary (it was made for it);
    others see the parts their own access to the file allows. Audited as a read of those categories;
    opening it marks the actor's notifications about it as read."""
    ho = access_handover(actor, handover_id)
    if actor.agency_id == ho.to_agency_id:
        summary, complete = ho.summary, True
    else:
        ctx = file_context(actor, ho.person_id)
        readable = {c.value for c in Category if decide(actor, Action.READ, c, ctx).allowed}
        summary, complete = visible_part(ho.summary, readable), False
    categories = [c for c in summary.get("categories", []) if c not in summary.get("withheld", [])]
    if not complete:
        categories = [c for c in categories if c in summary.get("entries", {})]
    audit.record_read(actor, person_id=ho.person_id, categories=categories, object_type="handover", object_id=ho.pk)
    if actor.user_id:
        mark_link_read(actor.user_id, link(ho.pk))
    proposed, accepted = ho.state == HandOverState.PROPOSED, ho.state == HandOverState.ACCEPTED
    return HandOverView(
        handover=ho, summary=summary, summary_complete=complete,
        may_accept=proposed and _may(actor, ho, ["to"]), may_reject=proposed and _may(actor, ho, ["to"]),
        may_reroute=proposed and _may(actor, ho, ["to", "from"]),
        may_complete=accepted and _may(actor, ho, ["to", "from"]),
        complete_from=ho.effective_date if accepted else None,
        reroutes=list(ho.reroutes.select_related("to_agency")),
    )


DIRECTIONS = ("in", "out", "all")


def handovers_for(*, actor: Actor, direction: str = "in", state: str = "", person_id: int | None = None
                  ) -> QuerySet[HandOver]:
    """The hand-overs of the actor's agency: incoming, outgoing (given or proposed) or both; `state` is a
    state or "open" (proposed or accepted). Listing names persons: audited as a read of base identity."""
    if direction not in DIRECTIONS:
        raise InvalidInput({"direction": "Erlaubt: in, out, all."})
    if state and state != "open" and state not in HandOverState.values:
        raise InvalidInput({"state": f"Unbekannter Stand „{state}“."})
    if not actor.roles.intersection(CASE_ROLES) or actor.agency_id is None:
        return HandOver.objects.none()
    qs = HandOver.objects.all()
    if direction == "in":
        qs = qs.filter(to_agency_id=actor.agency_id)
    elif direction == "out":
        qs = qs.filter(Q(from_agency_id=actor.agency_id) | Q(created_by_id=actor.user_id))
    else:
        qs = qs.filter(_visible(actor))
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    audit.record_read(actor, person_id=person_id, categories=[Category.IDENTITY], object_type="handover_list",
                      detail={"direction": direction, "state": state})
    return (qs.select_related("person", "from_agency", "to_agency").defer("summary")
            .order_by("-created_at", "-id"))


def person_handovers(*, actor: Actor, person_id: int) -> QuerySet[HandOver]:
    """All hand-overs of one file (who handed what to whom, when): visible to anyone who may find the
    person, like the participations (audited read)."""
    access_person(actor, person_id)
    audit.record_read(actor, person_id=person_id, categories=[], object_type="handovers")
    return (HandOver.objects.filter(person_id=person_id).select_related("from_agency", "to_agency")
            .defer("summary").order_by("-created_at", "-id"))


def is_overdue(ho: HandOver, on: date | None = None) -> bool:
    """Proposed and unanswered for RESPONSE_DAYS, or accepted and not completed COMPLETION_GRACE_DAYS
    after the effective date."""
    on = on or today()
    if ho.state == HandOverState.PROPOSED:
        return timezone.localdate(ho.created_at) <= on - timedelta(days=RESPONSE_DAYS)
    if ho.state == HandOverState.ACCEPTED:
        return ho.effective_date <= on - timedelta(days=COMPLETION_GRACE_DAYS)
    return False


def team_open_handovers(*, actor: Actor) -> list[tuple[HandOver, bool]]:
    """The team lead's view: every open hand-over the agency gives or receives, oldest first, with
    whether it is overdue."""
    if not actor.has_role(Role.TEAM_LEAD) or actor.agency_id is None:
        audit.record_denied(actor, AuditAction.READ, reason="Nur die Teamleitung sieht alle offenen Übergaben.",
                            object_type="handover_team")
        raise AccessDenied("Nur die Teamleitung sieht alle offenen Übergaben.")
    qs = (HandOver.objects.filter(Q(to_agency_id=actor.agency_id) | Q(from_agency_id=actor.agency_id),
                                  state__in=OPEN_STATES)
          .select_related("person", "from_agency", "to_agency").defer("summary").order_by("created_at", "id"))
    audit.record_read(actor, person_id=None, categories=[Category.IDENTITY], object_type="handover_team")
    on = today()
    return [(ho, is_overdue(ho, on)) for ho in qs]


# --- writing -----------------------------------------------------------------------------------------

def _create(actor: Actor, person: Person, function: str, from_agency: Agency | None, to_agency: Agency, reason: str,
            legal_basis: str, effective_date: date, *, trigger: StatusEvent | None = None,
            rerouted_from: HandOver | None = None) -> HandOver:
    """Write a proposal with its summary, audit it and notify the receiving agency (caller's transaction)."""
    summary = build_summary(person.pk, to_agency)
    ho = HandOver.objects.create(
        person=person, function=function, from_agency=from_agency, to_agency=to_agency, reason=reason[:300],
        legal_basis=legal_basis[:200], effective_date=effective_date, summary=summary, trigger=trigger,
        rerouted_from=rerouted_from, created_by_id=actor.user_id)
    audit.record(actor, AuditAction.CREATE, person_id=person.pk, categories=summary["categories"],
                 object_type="handover", object_id=ho.pk,
                 detail={"function": function, "from": from_agency.code if from_agency else None, "to": to_agency.code,
                         "effective_date": effective_date.isoformat(), "trigger": trigger.pk if trigger else None,
                         "rerouted_from": rerouted_from.pk if rerouted_from else None})
    notify(recipients(to_agency.pk, function), "handover",
           f"Neue Übergabe Nr. {ho.pk}: {Function(function).label} ab {de(effective_date)}", link(ho.pk))
    return ho


def propose_handover(*, actor: Actor, person_id: int, function: str, to_agency_id: int, reason: str,
                     effective_date: date | None) -> HandOver:
    """Propose by hand that `to_agency` take over `function` for the person from `effective_date`."""
    _check_function(function)
    reason = _text(reason, "reason", "den Anlass")
    effective = check_effective_date(effective_date)
    person, ctx = access_person(actor, person_id)
    if not actor.roles.intersection(DECIDING_ROLES) or ctx.participation is None:
        reason_denied = "Übergaben schlägt nur eine beteiligte Behörde vor (Fallbearbeitung, Leistung, Teamleitung)."
        audit.record_denied(actor, AuditAction.CREATE, reason=reason_denied, person_id=person_id,
                            object_type="handover")
        raise AccessDenied(reason_denied)
    to_agency = Agency.objects.filter(pk=to_agency_id, active=True).first()
    if to_agency is None:
        raise InvalidInput({"to_agency": "Unbekannte Behörde."})
    check_serves(to_agency, person, function, effective)
    municipality, _ = journey.municipality_on(person, effective)
    from_agency = resolve_from_agency(person, function, effective, municipality)
    if _already_moved(person.pk, from_agency, to_agency, effective):
        raise InvalidInput({"to_agency": f"„{to_agency.name}“ ist für diese Person bereits federführend."})
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person_id).first()
        open_one = HandOver.objects.filter(person_id=person_id, function=function, state__in=OPEN_STATES).first()
        if open_one is not None:
            raise InvalidInput({"function": f"Für „{Function(function).label}“ gibt es bereits eine offene Übergabe "
                                            f"(Nr. {open_one.pk})."})
        return _create(actor, person, function, from_agency, to_agency, reason, "", effective)


def accept_handover(*, actor: Actor, handover_id: int, version: int) -> HandOver:
    """The receiving agency accepts: it leads the file from the effective date (legal basis per policy)."""
    ho = access_handover(actor, handover_id)
    _require_side(actor, ho, ("to",), "annehmen")
    with transaction.atomic():
        ho = _lock(handover_id, version)
        _require_state(ho, HandOverState.PROPOSED)
        move = _move(ho)
        granted = grant_leads([move], actor)
        now = timezone.now()
        HandOver.objects.filter(pk=ho.pk).update(state=HandOverState.ACCEPTED, decided_at=now,
                                                 decided_by_id=actor.user_id, version=F("version") + 1)
        audit.record(actor, AuditAction.UPDATE, person_id=ho.person_id, object_type="handover", object_id=ho.pk,
                     detail={"state": HandOverState.ACCEPTED, "lead_participation": granted[0] if granted else None})
        if ho.created_by_id and ho.created_by_id != actor.user_id:
            notify([ho.created_by_id], "handover", f"Übergabe Nr. {ho.pk} wurde angenommen.", link(ho.pk))
    return HandOver.objects.get(pk=ho.pk)


def reject_handover(*, actor: Actor, handover_id: int, version: int, reason: str) -> HandOver:
    """The receiving agency refuses, with a reason. Nothing else changes: the proposal stays as history,
    the old agency keeps the lead and gets a task; the proposer is notified."""
    reason = _text(reason, "reason", "den Grund der Ablehnung")
    ho = access_handover(actor, handover_id)
    _require_side(actor, ho, ("to",), "ablehnen")
    with transaction.atomic():
        ho = _lock(handover_id, version)
        _require_state(ho, HandOverState.PROPOSED)
        HandOver.objects.filter(pk=ho.pk).update(state=HandOverState.REJECTED, decision_note=reason,
                                                 decided_at=timezone.now(), decided_by_id=actor.user_id,
                                                 version=F("version") + 1)
        audit.record(actor, AuditAction.UPDATE, person_id=ho.person_id, object_type="handover", object_id=ho.pk,
                     detail={"state": HandOverState.REJECTED, "reason": reason[:200]})
        text = f"Übergabe Nr. {ho.pk} wurde abgelehnt: {reason}"
        proposer_agency = _agency_of(ho.created_by_id)
        owner = ho.from_agency_id or proposer_agency
        if owner is not None:  # the agency that keeps the lead follows it up
            assignee = ho.created_by_id if proposer_agency == owner else None
            ensure_task(actor=actor, agency=Agency.objects.get(pk=owner), person=ho.person,
                        assignee=User.objects.filter(pk=assignee).first() if assignee else None,
                        title=f"Abgelehnte Übergabe Nr. {ho.pk} klären", reason=text, source=TaskSource.HANDOVER,
                        source_key=f"uebergabe-abgelehnt:{ho.pk}", due_date=today() + timedelta(days=RESPONSE_DAYS))
        told: list[User | int] = [ho.created_by_id] if ho.created_by_id else []
        if not told and owner is not None:
            told = list(recipients(owner, ho.function))
        notify(told, "handover", text[:300], link(ho.pk))
    return HandOver.objects.get(pk=ho.pk)


def _agency_of(user_id: int | None) -> int | None:
    if user_id is None:
        return None
    return User.objects.filter(pk=user_id).values_list("agency_id", flat=True).first()


def reroute_handover(*, actor: Actor, handover_id: int, version: int, to_agency_id: int, reason: str) -> HandOver:
    """Send an open proposal to another agency: the old one is closed as cancelled (kept, linked from the
    new one), the new one is a fresh proposal with a summary for its receiver."""
    reason = _text(reason, "reason", "den Grund der Umleitung")
    ho = access_handover(actor, handover_id)
    _require_side(actor, ho, ("to", "from"), "umleiten")
    target = Agency.objects.filter(pk=to_agency_id, active=True).first()
    if target is None:
        raise InvalidInput({"to_agency": "Unbekannte Behörde."})
    if target.pk == ho.to_agency_id:
        raise InvalidInput({"to_agency": "Die Übergabe geht bereits an diese Behörde."})
    check_serves(target, ho.person, ho.function, ho.effective_date)
    with transaction.atomic():
        old = _lock(handover_id, version)
        _require_state(old, HandOverState.PROPOSED)
        HandOver.objects.filter(pk=old.pk).update(state=HandOverState.CANCELLED, decision_note=f"Umgeleitet: {reason}"[:300],
                                                  decided_at=timezone.now(), decided_by_id=actor.user_id,
                                                  version=F("version") + 1)
        audit.record(actor, AuditAction.UPDATE, person_id=old.person_id, object_type="handover", object_id=old.pk,
                     detail={"state": HandOverState.CANCELLED, "rerouted_to": target.code, "reason": reason[:200]})
        new = _create(actor, old.person, old.function, old.from_agency, target, old.reason, old.legal_basis,
                      old.effective_date, trigger=old.trigger, rerouted_from=old)
    return new


def complete_handover(*, actor: Actor, handover_id: int, version: int) -> HandOver:
    """On or after the effective date: the old agency's lead ends the day before, its access narrows
    (AFTERCARE), the hand-over is completed."""
    ho = access_handover(actor, handover_id)
    _require_side(actor, ho, ("to", "from"), "abschließen")
    with transaction.atomic():
        ho = _lock(handover_id, version)
        _require_state(ho, HandOverState.ACCEPTED)
        if today() < ho.effective_date:
            raise InvalidInput({"effective_date": f"Die Übergabe kann erst ab dem {de(ho.effective_date)} "
                                                  "abgeschlossen werden."})
        changes = end_leads([_move(ho)], actor)
        HandOver.objects.filter(pk=ho.pk).update(state=HandOverState.COMPLETED, completed_at=timezone.now(),
                                                 version=F("version") + 1)
        audit.record(actor, AuditAction.UPDATE, person_id=ho.person_id, object_type="handover", object_id=ho.pk,
                     detail={"state": HandOverState.COMPLETED, "participations": changes.get(ho.person_id, [])})
    return HandOver.objects.get(pk=ho.pk)


# --- participations (set-based: one hand-over or a bulk chunk) ------------------------------------------

@dataclass(frozen=True)
class Move:
    """What a hand-over does to the participations of one file."""

    person_id: int
    case_file_id: int
    function: str
    from_agency_id: int | None
    to_agency_id: int
    effective_date: date
    #: the old agency still runs the person's provisional accommodation (keeps a participation)
    still_accommodating: bool = False


def _move(ho: HandOver) -> Move:
    case_file, _ = CaseFile.objects.get_or_create(person_id=ho.person_id)
    return Move(ho.person_id, case_file.pk, ho.function, ho.from_agency_id, ho.to_agency_id, ho.effective_date,
                still_accommodating=_still_accommodating(ho))


def _still_accommodating(ho: HandOver) -> bool:
    if ho.from_agency_id is None or source_function(ho.function) == F_.ACCOMMODATION_VU:
        return False
    municipality, address = journey.municipality_on(ho.person, ho.effective_date)
    if address is None or address.accommodation != AccommodationType.VORLAEUFIG:
        return False
    agency = journey.responsible_agency(municipality, F_.ACCOMMODATION_VU, ho.effective_date)
    return agency is not None and agency.pk == ho.from_agency_id


def _participation(case_file_id: int, agency_id: int, role: str, since: date, until: date | None, basis: str,
                   actor: Actor) -> dict[str, Any]:
    return {"case_file_id": case_file_id, "agency_id": agency_id, "role": role, "since": since, "until": until,
            "legal_basis": basis, "created_at": timezone.now(), "created_by_id": actor.user_id}


def grant_leads(moves: Sequence[Move], actor: Actor) -> list[int]:
    """A lead participation for each receiving agency from the effective date, unless it already leads
    then (or later without end). Returns the new participations' ids."""
    if not moves:
        return []
    first = min(m.effective_date for m in moves)
    existing: dict[tuple[int, int], list[date | None]] = {}
    for cf, agency, until in (Participation.objects.filter(AnyOf("case_file_id", {m.case_file_id for m in moves}),
                                                           agency_id__in={m.to_agency_id for m in moves},
                                                           role=ParticipationRole.LEAD)
                              .filter(Q(until__isnull=True) | Q(until__gte=first))
                              .values_list("case_file_id", "agency_id", "until")):
        existing.setdefault((cf, agency), []).append(until)
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in={m.to_agency_id for m in moves})}
    new: list[dict[str, Any]] = []
    for m in moves:
        if any(u is None or u >= m.effective_date for u in existing.get((m.case_file_id, m.to_agency_id), [])):
            continue
        existing.setdefault((m.case_file_id, m.to_agency_id), []).append(None)
        new.append(_participation(m.case_file_id, m.to_agency_id, ParticipationRole.LEAD, m.effective_date, None,
                                  lead_basis(agencies[m.to_agency_id], m.function), actor))
    return insert(Participation, new)


def end_leads(moves: Sequence[Move], actor: Actor) -> dict[int, list[dict[str, Any]]]:
    """End the old agencies' lead participations the day before the effective date (never before they
    began) and give the old agency its aftercare participation (AFTERCARE). Returns, per person, what
    changed (for the audit)."""
    moves = [m for m in moves if m.from_agency_id is not None and m.from_agency_id != m.to_agency_id]
    if not moves:
        return {}
    now = today()
    first = min(m.effective_date for m in moves)
    rows: dict[tuple[int, int], list[tuple[int, date]]] = {}
    for pk, cf, agency, since in (Participation.objects.filter(
            AnyOf("case_file_id", {m.case_file_id for m in moves}), agency_id__in={m.from_agency_id for m in moves},
            role=ParticipationRole.LEAD).filter(Q(until__isnull=True) | Q(until__gte=first))
            .values_list("pk", "case_file_id", "agency_id", "since")):
        rows.setdefault((cf, agency), []).append((pk, since))
    contributing: set[tuple[int, int]] = set(Participation.objects.filter(
        AnyOf("case_file_id", {m.case_file_id for m in moves}), agency_id__in={m.from_agency_id for m in moves},
        role=ParticipationRole.CONTRIBUTING).filter(Q(until__isnull=True) | Q(until__gte=first))
        .values_list("case_file_id", "agency_id"))
    changes: dict[int, list[dict[str, Any]]] = {}
    ended: dict[date, list[int]] = {}
    aftercare: list[dict[str, Any]] = []
    for m in moves:
        assert m.from_agency_id is not None
        day_before = m.effective_date - timedelta(days=1)
        last_day = day_before
        for pk, since in rows.get((m.case_file_id, m.from_agency_id), []):
            ended.setdefault(m.effective_date, []).append(pk)
            until = max(day_before, since)
            last_day = max(last_day, until)
            changes.setdefault(m.person_id, []).append({"participation": pk, "until": until.isoformat()})
        days, basis = AFTERCARE.get(source_function(m.function), (0, ""))
        end: date | None = max(m.effective_date, now) + timedelta(days=days - 1)
        if m.still_accommodating:
            end, basis = None, ACCOMMODATION_BASIS
        start = last_day + timedelta(days=1)
        if (m.case_file_id, m.from_agency_id) in contributing or not basis or (end is not None and end < start):
            continue
        contributing.add((m.case_file_id, m.from_agency_id))
        aftercare.append(_participation(m.case_file_id, m.from_agency_id, ParticipationRole.CONTRIBUTING, start, end,
                                        basis, actor))
        changes.setdefault(m.person_id, []).append(
            {"aftercare": True, "since": start.isoformat(), "until": end.isoformat() if end else None})
    for effective, ids in ended.items():
        # Lead participations that began after the switch end on their first day (never before it).
        Participation.objects.filter(AnyOf("id", ids)).update(until=Greatest(F("since"), effective - timedelta(days=1)))
    insert(Participation, aftercare)
    return changes


__all__ = [
    "AFTERCARE", "CORRECTION_WINDOW_DAYS", "DECIDING_ROLES", "MAX_FUTURE_DAYS", "HandOverView", "Move", "Plan",
    "accept_handover", "access_handover", "agency_by_code", "check_effective_date", "check_serves",
    "complete_handover", "end_leads", "grant_leads", "handover_detail", "handovers_for", "is_overdue",
    "person_handovers", "planned_handovers", "propose_handover", "propose_on_status_change", "reject_handover",
    "reroute_handover", "resolve_from_agency", "team_open_handovers",
]
