"""Allocation runs: fill the seats of many offers of a district at once, as a proven optimum, then review,
override with a reason, confirm (the assignments become enrolments) or discard.

* **Planner**: a caseworker or team lead of an Agentur für Arbeit, Jobcenter, Landratsamt or Stadt (the same
  agencies and roles that manage offers); a run covers offers that the planner's agency manages, and only
  planners of that agency see it. Confirming writes enrolments, i.e. placement data of every assigned person:
  the policy must allow the actor to write the category "Vermittlung" in each file (a team lead may propose
  and review, a caseworker confirms).
* **Candidates** are the persons on the waiting list of a selected offer – and, with `same_kind` (default),
  of any open offer of the same kind in the district – whose placement data the planner's agency may read
  (participation or consent). Waiting persons it may not read are left out and only counted (`left_out`).
* **Pairs** are the eligible ones only (`eligibility.failures`, all hard rules, facts on the reference date);
  their value is the matching score (0–1000, `score.score`) plus a waiting-time bonus for the person's longest
  wait in the run's scope (`Params.bonus`). `flow.allocate` maximises the total (min-cost flow, OR-Tools),
  with each offer's free seats as capacity, optional quotas and an optional cost for leaving someone out.
* **Review**: `override` moves one person to another offer of the run or to none, with a reason code (counted
  per code); the new offer must be eligible and have a seat left counting the run's other assignments.
* **Confirm** (once): under row locks on the offers, the seats and waiting lists must be what the proposal saw
  (else Conflict, nothing written); the hard rules are checked again; then each assigned person is enrolled
  (`offers.services.enrol`, admitting the waiting-list entry where there is one) in one transaction, and the
  agencies that put the persons on the waiting lists are notified.
* **Fairness**: `fairness.report` after the proposal, each override and the confirmation.

Every step is audited: the run (object "allocation_run") and one event per person whose line is written or read.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from stella.agencies.models import Region, RegionKind
from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.authz.policy import Action, Category, Decision
from stella.cases.access import file_context, today
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.journey.handovers import recipients
from stella.journey.notify import notify
from stella.journey.tasks import readable_person_ids
from stella.matching import eligibility, fairness, flow
from stella.matching.facts import OfferFacts, PersonFacts, load_offer_facts, load_person_facts
from stella.matching.models import AllocationRun, Assignment, OverrideReason, RunState
from stella.matching.score import SCORE_VERSION, score
from stella.offers.access import OFFER_AGENCY_KINDS, OFFER_ROLES
from stella.offers.models import Enrolment, EnrolmentState, Offer, OfferState
from stella.rules.dates import de

PLACEMENT = Category.PLACEMENT
NOTIFY_KIND = "allocation"
OBJECT = "allocation_run"
MAX_OFFERS = 200
MAX_CANDIDATES = 20_000
MAX_DAYS_FROM_TODAY = 366
QUOTA_GROUPS = {"local": "Wohnort am Ort des Angebots", "long_waiting": "lange Wartende"}
NOT_PLANNER = ("Zuteilungsläufe planen Fallbearbeitung und Teamleitung von Agentur für Arbeit, Jobcenter, "
               "Landratsamt und Stadt.")


def run_link(run_id: int) -> str:
    """Where a run is shown in the web UI (used in notifications)."""
    return f"/zuteilung/{run_id}/"


# ---------------------------------------------------------------------------------------------------------------
# Parameters


@dataclass(frozen=True)
class QuotaIn:
    """A quota of one offer for a group: at most `max_seats` seats for it, or `reserved_seats` kept for it.

    Groups (none is a protected characteristic): "local" – persons living in the offer's municipality;
    "long_waiting" – persons who have waited at least `min_waiting_days` in the run's scope."""

    offer_id: int
    group: str
    max_seats: int | None = None
    reserved_seats: int | None = None
    min_waiting_days: int = 180


@dataclass(frozen=True)
class Params:
    """What shapes a run besides the data. `bonus` = min(max, per month × full months waited)."""

    waiting_bonus_per_month: int = 10
    waiting_bonus_max: int = 200
    unassigned_cost: int = 0
    same_kind: bool = True
    quotas: tuple[QuotaIn, ...] = ()

    def bonus(self, waiting_days: int) -> int:
        return min(self.waiting_bonus_max, self.waiting_bonus_per_month * (max(waiting_days, 0) // 30))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["quotas"] = [asdict(q) for q in self.quotas]
        return data

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> Params:
        """Validate parameters given as a mapping (API, web form, stored runs); InvalidInput in German."""
        raw = dict(raw or {})
        errors: dict[str, list[str]] = defaultdict(list)
        unknown = set(raw) - set(cls.__dataclass_fields__)
        if unknown:
            errors["params"].append(f"Unbekannte Parameter: {', '.join(sorted(unknown))}.")
        values: dict[str, Any] = {}
        for name, low, high in (("waiting_bonus_per_month", 0, 100), ("waiting_bonus_max", 0, 1000),
                                ("unassigned_cost", 0, 10_000)):
            value = raw.get(name, getattr(cls, name))
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                errors[name].append(f"Ganze Zahl zwischen {low} und {high} erwartet.")
            else:
                values[name] = value
        same_kind = raw.get("same_kind", True)
        if not isinstance(same_kind, bool):
            errors["same_kind"].append("Wahrheitswert (true oder false) erwartet.")
        values["same_kind"] = bool(same_kind)
        quotas = []
        for i, q in enumerate(raw.get("quotas") or ()):
            quota = _quota(q, errors, f"quotas.{i}")
            if quota is not None:
                quotas.append(quota)
        if errors:
            raise InvalidInput(errors)
        return cls(quotas=tuple(quotas), **values)


def _quota(raw: Any, errors: dict[str, list[str]], key: str) -> QuotaIn | None:
    if isinstance(raw, QuotaIn):
        raw = asdict(raw)
    if not isinstance(raw, Mapping) or set(raw) - set(QuotaIn.__dataclass_fields__):
        errors[key].append("Quote: erwartet offer_id, group und max_seats oder reserved_seats.")
        return None
    offer_id, group = raw.get("offer_id"), raw.get("group")
    max_seats, reserved = raw.get("max_seats"), raw.get("reserved_seats")
    days = raw.get("min_waiting_days", 180)
    if not isinstance(offer_id, int) or isinstance(offer_id, bool):
        errors[key].append("Quote: offer_id fehlt.")
    if group not in QUOTA_GROUPS:
        errors[key].append(f"Quote: Gruppe „{group}“ unbekannt (möglich: {', '.join(QUOTA_GROUPS)}).")
    if (max_seats is None) == (reserved is None):
        errors[key].append("Quote: genau eines von max_seats (höchstens) und reserved_seats (reserviert) angeben.")
    for value in (max_seats, reserved):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            errors[key].append("Quote: Plätze als ganze Zahl ab 0 angeben.")
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        errors[key].append("Quote: min_waiting_days als ganze Zahl ab 0 angeben.")
    if errors.get(key) or not isinstance(offer_id, int) or not isinstance(group, str):
        return None
    return QuotaIn(offer_id=offer_id, group=group, max_seats=max_seats, reserved_seats=reserved,
                   min_waiting_days=days)


# ---------------------------------------------------------------------------------------------------------------
# Access


def may_plan(actor: Actor) -> Decision:
    if actor.agency_id is None or actor.agency_kind not in OFFER_AGENCY_KINDS or \
            not actor.roles.intersection(OFFER_ROLES):
        return Decision(False, NOT_PLANNER)
    return Decision(True, "Planung der Angebote der eigenen Behörde")


def _require_planner(actor: Actor, action: str = AuditAction.READ) -> int:
    decision = may_plan(actor)
    if not decision or actor.agency_id is None:
        audit.record_denied(actor, action, reason=decision.reason, object_type=OBJECT)
        raise AccessDenied(decision.reason)
    return actor.agency_id


def _user_id(actor: Actor) -> int:
    assert actor.user_id is not None  # planners are users (may_plan needs an agency and a role)
    return actor.user_id


def _run(actor: Actor, run_id: int, action: str = AuditAction.READ, *, lock: bool = False) -> AllocationRun:
    """A run of the actor's agency, or NotFound (a run of another agency is answered like a missing one)."""
    agency_id = _require_planner(actor, action)
    qs = AllocationRun.objects.select_related("district", "created_by", "decided_by")
    run = (qs.select_for_update(of=("self",)) if lock else qs).filter(pk=run_id).first()
    if run is None:
        raise NotFound("Der Zuteilungslauf wurde nicht gefunden.")
    if run.agency_id != agency_id:
        audit.record_denied(actor, action, reason="Zuteilungslauf einer anderen Behörde.", object_type=OBJECT,
                            object_id=run.pk)
        raise NotFound("Der Zuteilungslauf wurde nicht gefunden.")
    return run


def list_runs(*, actor: Actor) -> QuerySet[AllocationRun]:
    """The runs of the actor's agency, newest first (no personal data: counts only)."""
    agency_id = _require_planner(actor)
    return AllocationRun.objects.filter(agency_id=agency_id).select_related("district", "created_by")


def get_run(*, actor: Actor, run_id: int) -> AllocationRun:
    return _run(actor, run_id)


# ---------------------------------------------------------------------------------------------------------------
# Proposal


@dataclass
class _Scope:
    waiting: dict[int, dict[int, int]]  # person → offer → waiting enrolment id
    since: dict[int, date]  # person → earliest waiting date in the scope


def _scope(district_id: int, offers: Sequence[Offer], same_kind: bool) -> _Scope:
    q = Q(offer_id__in=[o.pk for o in offers])
    if same_kind:
        q |= Q(offer__kind__in={o.kind for o in offers}, offer__state=OfferState.OPEN,
               offer__municipality__landkreis_id=district_id)
    waiting: dict[int, dict[int, int]] = defaultdict(dict)
    since: dict[int, date] = {}
    for pid, oid, eid, requested in (Enrolment.objects.filter(q, state=EnrolmentState.WAITING).order_by("id")
                                     .values_list("person_id", "offer_id", "id", "requested_at")):
        waiting[pid][oid] = eid
        day = timezone.localdate(requested)
        since[pid] = min(since.get(pid, day), day)
    return _Scope(dict(waiting), since)


def _check_proposal(actor: Actor, agency_id: int, district_id: int, offer_ids: Iterable[int], day: date,
                    params: Params) -> tuple[Region, list[Offer]]:
    errors: dict[str, list[str]] = defaultdict(list)
    district = Region.objects.filter(pk=district_id, kind=RegionKind.LANDKREIS).first()
    if district is None:
        errors["district_id"].append("Bitte einen Landkreis wählen.")
    ids = sorted(set(offer_ids))
    if not ids:
        errors["offer_ids"].append("Bitte mindestens ein Angebot wählen.")
    elif len(ids) > MAX_OFFERS:
        errors["offer_ids"].append(f"Höchstens {MAX_OFFERS} Angebote je Lauf.")
    found = Offer.objects.select_related("municipality").in_bulk(ids)
    missing = [str(i) for i in ids if i not in found]
    if missing:
        errors["offer_ids"].append(f"Angebot(e) nicht gefunden: {', '.join(missing)}.")
    offers = [found[i] for i in ids if i in found]
    foreign = [o for o in offers if o.owner_id != agency_id]
    if foreign:
        reason = ("Zuteilen darf nur die Behörde, die ein Angebot verwaltet: "
                  + ", ".join(f"„{o.title}“" for o in foreign[:5]) + ".")
        audit.record_denied(actor, AuditAction.CREATE, reason=reason, object_type=OBJECT,
                            detail={"offers": [o.pk for o in foreign]})
        raise AccessDenied(reason)
    for o in offers:
        if district is not None and o.municipality.landkreis_id != district.pk:
            errors["offer_ids"].append(f"„{o.title}“ liegt nicht im Landkreis {district.name}.")
        if o.state != OfferState.OPEN:
            errors["offer_ids"].append(f"„{o.title}“ ist {o.get_state_display()}.")
        elif o.starts_on < day:
            errors["offer_ids"].append(f"„{o.title}“ hat am {de(o.starts_on)} vor dem Stichtag begonnen.")
    if abs((day - today()).days) > MAX_DAYS_FROM_TODAY:
        errors["reference_date"].append("Der Stichtag darf höchstens ein Jahr von heute entfernt sein.")
    for q in params.quotas:
        if q.offer_id not in ids:
            errors["params"].append(f"Quote für Angebot {q.offer_id}, das nicht zum Lauf gehört.")
    if errors:
        raise InvalidInput(errors)
    assert district is not None
    return district, offers


def _eligible(person: PersonFacts, offer: OfferFacts) -> bool:
    # Cheap rules first; the rules package (legal access) only for pairs that pass them.
    return not eligibility.failures(person, offer, legal=False) and eligibility.legal_failure(person, offer) is None


def _flow_quotas(params: Params, persons: Mapping[int, PersonFacts], facts: Mapping[int, OfferFacts],
                 capacity: Mapping[int, int], waiting_days: Mapping[int, int]) -> list[flow.Quota]:
    out = []
    for q in params.quotas:
        offer = facts[q.offer_id]
        if q.group == "local":
            group = {pid for pid, p in persons.items() if p.municipality_id == offer.municipality_id}
        else:
            group = {pid for pid in persons if waiting_days.get(pid, 0) >= q.min_waiting_days}
        label = QUOTA_GROUPS[q.group]
        if q.max_seats is not None:
            out.append(flow.Quota(q.offer_id, frozenset(group), q.max_seats, f"höchstens {q.max_seats}: {label}"))
        else:
            out.append(flow.reservation(q.offer_id, group, q.reserved_seats or 0, capacity[q.offer_id], persons,
                                        f"reserviert {q.reserved_seats}: {label}"))
    return out


def fingerprint(data: Mapping[str, Any]) -> str:
    """SHA-256 of the optimisation's inputs in canonical JSON: same fingerprint → same result."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def propose_run(*, actor: Actor, district_id: int, offer_ids: Iterable[int], reference_date: date | None = None,
                params: Params | Mapping[str, Any] | None = None) -> AllocationRun:
    """Compute the optimal proposal for the offers and store it as a run (state "proposed") with one line per
    candidate, the inputs' fingerprint and the fairness report."""
    agency_id = _require_planner(actor, AuditAction.CREATE)
    p = params if isinstance(params, Params) else Params.from_mapping(params)
    day = reference_date or today()
    district, offers = _check_proposal(actor, agency_id, district_id, offer_ids, day, p)
    scope = _scope(district.pk, offers, p.same_kind)
    visible = readable_person_ids(actor, scope.waiting, Action.READ, PLACEMENT)
    if len(visible) > MAX_CANDIDATES:
        raise InvalidInput({"offer_ids": f"Zu viele Wartende für einen Lauf ({len(visible)}; höchstens "
                                         f"{MAX_CANDIDATES}). Bitte weniger Angebote wählen."})
    persons = load_person_facts(visible, day)
    facts = load_offer_facts(offers)
    capacity = {o.pk: facts[o.pk].free_seats for o in offers}
    waiting_days = {pid: (day - scope.since[pid]).days for pid in persons}
    bonus = {pid: p.bonus(d) for pid, d in waiting_days.items()}
    pairs: list[tuple[int, int, int]] = []
    fit: dict[tuple[int, int], int] = {}
    for pid in sorted(persons):
        for o in offers:
            if _eligible(persons[pid], facts[o.pk]):
                fit[(pid, o.pk)] = score(persons[pid], facts[o.pk]).total
                pairs.append((pid, o.pk, fit[(pid, o.pk)] + bonus[pid]))
    quotas = _flow_quotas(p, persons, facts, capacity, waiting_days)
    penalty = dict.fromkeys(persons, p.unassigned_cost) if p.unassigned_cost else None
    try:
        result = flow.allocate(pairs, capacity, persons=sorted(persons), unassigned_cost=penalty, quotas=quotas)
    except flow.AllocationError as exc:  # e.g. two quotas of one offer whose groups overlap
        raise InvalidInput({"params": str(exc)}) from exc
    sha = fingerprint({"reference_date": day, "district": district.pk, "capacity": sorted(capacity.items()),
                       "pairs": sorted(pairs), "persons": sorted(persons), "params": p.to_dict(),
                       "score_version": SCORE_VERSION})
    snapshot = {str(o.pk): {"title": o.title, "seats": o.seats, "enrolled": o.seats - facts[o.pk].free_seats,
                            "free": capacity[o.pk], "version": o.version,
                            "eligible": sum(1 for (_, oid) in fit if oid == o.pk)} for o in offers}
    with transaction.atomic():
        run = AllocationRun.objects.create(
            agency_id=agency_id, district=district, reference_date=day, score_version=SCORE_VERSION,
            parameters=p.to_dict(), input_sha256=sha, total_score=result.objective, persons=len(persons),
            assigned=result.assigned, capacities=snapshot, left_out=len(scope.waiting) - len(persons),
            created_by_id=_user_id(actor))
        run.offers.set(offers)
        lines = []
        for pid in sorted(persons):
            oid = result.assignment.get(pid)
            got = fit[(pid, oid)] if oid is not None else None
            lines.append(Assignment(run=run, person_id=pid, proposed_offer_id=oid, offer_id=oid, score=got,
                                    proposed_score=got, bonus=bonus[pid], waiting_days=max(waiting_days[pid], 0),
                                    waiting={str(k): v for k, v in sorted(scope.waiting[pid].items())}))
        Assignment.objects.bulk_create(lines)
        run.fairness = _fairness(run, persons)
        run.save(update_fields=["fairness"])
        audit.record(actor, AuditAction.CREATE, categories=[PLACEMENT], object_type=OBJECT, object_id=run.pk,
                     detail={"district": district.pk, "offers": [o.pk for o in offers], "reference_date": day.isoformat(),
                             "persons": len(persons), "assigned": result.assigned, "pairs": len(pairs),
                             "objective": result.objective, "left_out": run.left_out, "sha256": sha,
                             "score_version": SCORE_VERSION})
        audit.record_many(actor, AuditAction.CREATE, [
            audit.Entry(person_id=line.person_id, categories=(PLACEMENT,), object_type=OBJECT, object_id=run.pk,
                        detail={"proposed_offer": line.proposed_offer_id, "score": line.score, "bonus": line.bonus})
            for line in lines])
    return run


def _fairness(run: AllocationRun, persons: Mapping[int, PersonFacts] | None = None) -> dict[str, Any]:
    lines = list(Assignment.objects.filter(run=run).values_list("person_id", "offer_id", "score"))
    if persons is None:
        persons = load_person_facts([pid for pid, _, _ in lines], run.reference_date)
    groups = fairness.characteristics([pid for pid, _, _ in lines], run.reference_date,
                                      {pid: p.district_id for pid, p in persons.items()})
    return fairness.report([fairness.Line(pid, oid is not None, s) for pid, oid, s in lines], groups)


# ---------------------------------------------------------------------------------------------------------------
# Reading


@dataclass
class RunView:
    """A run with the lines the actor may see (others only counted), totals and override counts."""

    run: AllocationRun
    offers: list[Offer]
    lines: list[Assignment]
    hidden: int
    visible: int = 0
    seats_taken: dict[int, int] = field(default_factory=dict)  # offer → lines assigned to it now
    overrides: dict[str, int] = field(default_factory=dict)  # reason code → count
    total_score: int = 0  # Σ score of the current assignment (without bonus)

    @property
    def assigned(self) -> int:
        return sum(self.seats_taken.values())


def override_counts(run: AllocationRun) -> dict[str, int]:
    counts = dict(Assignment.objects.filter(run=run).exclude(override_reason="").values("override_reason")
                  .annotate(n=Count("id")).values_list("override_reason", "n"))
    return {code: counts[code] for code in OverrideReason.values if code in counts}


def run_view(*, actor: Actor, run_id: int, offset: int = 0, limit: int | None = None) -> RunView:
    """The run and its lines the actor may see (ordered by person; `offset`/`limit` pick a page of them);
    one audited read per person shown. `visible` counts all visible lines, `hidden` the others."""
    run = _run(actor, run_id)
    current = list(Assignment.objects.filter(run=run).values_list("person_id", "offer_id", "score"))
    visible = readable_person_ids(actor, [pid for pid, _, _ in current], Action.READ, PLACEMENT)
    ids = sorted(visible)
    page = ids[offset:None if limit is None else offset + limit]
    lines = list(Assignment.objects.filter(run=run, person_id__in=page)
                 .select_related("person", "proposed_offer", "offer", "overridden_by", "enrolment")
                 .prefetch_related("person__names").order_by("person_id"))
    taken = Counter(oid for _, oid, _ in current if oid is not None)
    view = RunView(run=run, offers=list(run.offers.select_related("municipality").order_by("starts_on", "id")),
                   lines=lines, hidden=len(current) - len(ids), visible=len(ids), seats_taken=dict(taken),
                   overrides=override_counts(run), total_score=sum(s or 0 for _, oid, s in current if oid))
    if lines:
        audit.record_many(actor, AuditAction.READ, [
            audit.Entry(person_id=x.person_id, categories=(PLACEMENT,), object_type=OBJECT, object_id=run.pk,
                        detail={"view": "allocation_run"}) for x in lines])
    return view


def fairness_report(*, actor: Actor, run_id: int) -> dict[str, Any]:
    """The stored report (aggregates only; audited as a read of the run)."""
    run = _run(actor, run_id)
    audit.record(actor, AuditAction.READ, object_type=OBJECT, object_id=run.pk, detail={"view": "fairness"})
    return run.fairness


# ---------------------------------------------------------------------------------------------------------------
# Review


def override(*, actor: Actor, assignment_id: int, offer_id: int | None, reason_code: str,
             note: str = "") -> Assignment:
    """Give one candidate another offer of the run (or none), with a reason code; recorded and counted."""
    agency_id = _require_planner(actor, AuditAction.UPDATE)
    line = Assignment.objects.select_related("run").filter(pk=assignment_id).first()
    if line is None or line.run.agency_id != agency_id or \
            line.person_id not in readable_person_ids(actor, [line.person_id], Action.READ, PLACEMENT):
        if line is not None:
            audit.record_denied(actor, AuditAction.UPDATE, reason="Zeile nicht sichtbar.", person_id=line.person_id,
                                categories=[PLACEMENT], object_type="allocation_assignment", object_id=line.pk)
        raise NotFound("Die Zuteilung wurde nicht gefunden.")
    note = (note or "").strip()
    errors: dict[str, list[str]] = defaultdict(list)
    if reason_code not in OverrideReason.values:
        errors["reason_code"].append("Bitte einen Grund für die Änderung wählen.")
    if reason_code == OverrideReason.OTHER and not note:
        errors["note"].append("Bei „anderer Grund“ bitte einen Vermerk angeben.")
    if len(note) > 300:
        errors["note"].append("Der Vermerk darf höchstens 300 Zeichen lang sein.")
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().get(pk=line.run_id)
        line = Assignment.objects.select_for_update().get(pk=assignment_id)
        if run.state != RunState.PROPOSED:
            errors["state"].append(f"Der Lauf ist {run.get_state_display()}; Änderungen sind nicht mehr möglich.")
        new_score = None
        if offer_id is not None and not errors:
            new_score = _check_move(run, line, offer_id, errors)
        if offer_id == line.offer_id and not errors.get("offer_id"):
            errors["offer_id"].append("Das ist bereits die Zuteilung dieser Zeile.")
        if errors:
            raise InvalidInput(errors)
        before = line.offer_id
        Assignment.objects.filter(pk=line.pk).update(
            offer_id=offer_id, score=new_score, override_reason=reason_code, override_note=note,
            overridden_by_id=actor.user_id, overridden_at=timezone.now())
        taken = Assignment.objects.filter(run=run, offer__isnull=False)
        run.assigned = taken.count()
        run.version += 1
        run.save(update_fields=["assigned", "version"])
        run.fairness = _fairness(run)
        run.save(update_fields=["fairness"])
        audit.record(actor, AuditAction.UPDATE, person_id=line.person_id, categories=[PLACEMENT],
                     object_type="allocation_assignment", object_id=line.pk,
                     detail={"run": run.pk, "from": before, "to": offer_id, "reason": reason_code,
                             "score": new_score})
    line.refresh_from_db()
    return line


def _check_move(run: AllocationRun, line: Assignment, offer_id: int, errors: dict[str, list[str]]) -> int | None:
    """The score of the new offer, or None with the reasons in `errors` (not in the run, rules, full)."""
    if not run.offers.filter(pk=offer_id).exists():
        errors["offer_id"].append("Das Angebot gehört nicht zu diesem Lauf.")
        return None
    person = load_person_facts([line.person_id], run.reference_date).get(line.person_id)
    offer = load_offer_facts([offer_id])[offer_id]
    if person is None:
        errors["offer_id"].append("Die Person wurde nicht gefunden.")
        return None
    failed = eligibility.failures(person, offer)
    if failed:
        from stella.offers.services import rule_messages

        errors["offer_id"].extend(rule_messages(failed, offer.starts_on))
        return None
    free = int(run.capacities.get(str(offer_id), {}).get("free", 0))
    others = Assignment.objects.filter(run=run, offer_id=offer_id).exclude(pk=line.pk).count()
    if others >= free:
        errors["offer_id"].append(f"Im Angebot „{offer.title}“ sind alle {free} freien Plätze dieses Laufs "
                                  "vergeben. Bitte zuerst eine andere Zeile ändern.")
        return None
    return score(person, offer).total


# ---------------------------------------------------------------------------------------------------------------
# Decision


def confirm(*, actor: Actor, run_id: int) -> AllocationRun:
    """Turn the run's assignments into enrolments, all or nothing; a run is confirmed once."""
    from stella.offers import services as offers

    run = _run(actor, run_id, AuditAction.UPDATE)
    lines = list(Assignment.objects.filter(run=run, offer__isnull=False).order_by("person_id"))
    _require_write(actor, run, [x.person_id for x in lines])
    with transaction.atomic():
        run = _run(actor, run_id, AuditAction.UPDATE, lock=True)
        _require_state(run, "bestätigen")
        # Lock order: offers by id, then (inside `enrol`) each enrolment – as `offers.services` does.
        locked = list(Offer.objects.select_for_update().filter(pk__in=[int(k) for k in run.capacities])
                      .order_by("pk"))
        lines = list(Assignment.objects.select_for_update().filter(run=run, offer__isnull=False)
                     .order_by("person_id"))
        changes = _changes_since_proposal(run, locked, lines)
        if changes:
            raise Conflict("Seit dem Vorschlag haben sich Plätze oder Wartelisten geändert – es wurde nichts "
                           "gespeichert. Bitte einen neuen Lauf vorschlagen: "
                           + "; ".join(c["label"] for c in changes[:5]) + ("; …" if len(changes) > 5 else "") + ".",
                           current_version=run.version, changes=changes)
        _recheck_rules(run, lines)
        # Who put the assigned persons on the waiting lists hears of it (persons counted once per agency).
        entries = {eid: pid for x in lines for eid, pid in ((e, x.person_id) for e in x.waiting.values())}
        listed = {(agency, entries[eid]) for eid, agency in
                  Enrolment.objects.filter(pk__in=entries).values_list("pk", "agency_id")}
        announce = Counter(agency for agency, _ in listed if agency != actor.agency_id)
        for line in lines:
            assert line.offer_id is not None
            enrolment = offers.enrol(actor=actor, person_id=line.person_id, offer_id=line.offer_id, check_rules=False,
                                     announce=False)
            Assignment.objects.filter(pk=line.pk).update(enrolment=enrolment)
        run.state = RunState.CONFIRMED
        run.decided_at, run.decided_by_id = timezone.now(), actor.user_id
        run.version += 1
        run.fairness = _fairness(run)
        run.save(update_fields=["state", "decided_at", "decided_by", "version", "fairness"])
        audit.record(actor, AuditAction.UPDATE, categories=[PLACEMENT], object_type=OBJECT, object_id=run.pk,
                     detail={"state": RunState.CONFIRMED, "enrolled": len(lines),
                             "overrides": override_counts(run)})
        _notify_confirmed(actor, run, len(lines), announce)
    return run


def _require_write(actor: Actor, run: AllocationRun, person_ids: list[int]) -> None:
    """Confirming enrols every assigned person: the actor must be allowed to write each file's placement data."""
    allowed = readable_person_ids(actor, person_ids, Action.WRITE, PLACEMENT)
    refused = [pid for pid in person_ids if pid not in allowed]
    if not refused:
        return
    from stella.authz.policy import decide

    why = decide(actor, Action.WRITE, PLACEMENT, file_context(actor, refused[0])).reason
    reason = (f"Bestätigen legt Teilnahmen an; für {len(refused)} der {len(person_ids)} zugeteilten Personen "
              f"dürfen Sie den Bereich „Vermittlung“ nicht bearbeiten ({why})")
    audit.record_denied(actor, AuditAction.UPDATE, reason=reason, object_type=OBJECT, object_id=run.pk,
                        categories=[PLACEMENT], detail={"refused": len(refused)})
    raise AccessDenied(reason)


def _require_state(run: AllocationRun, verb: str) -> None:
    if run.state != RunState.PROPOSED:
        raise InvalidInput({"state": f"Der Lauf ist bereits {run.get_state_display()}; {verb} geht nur einmal, "
                                     "solange er ein Vorschlag ist."})


def _changes_since_proposal(run: AllocationRun, offers: Sequence[Offer],
                            lines: Sequence[Assignment]) -> list[dict[str, Any]]:
    """What differs from the proposal's snapshot: an offer's seats, version, state or enrolled count, or a
    waiting-list entry the proposal relied on."""
    changes: list[dict[str, Any]] = []
    seated = dict(Enrolment.objects.filter(offer__in=offers, state=EnrolmentState.ENROLLED).values("offer_id")
                  .annotate(n=Count("id")).values_list("offer_id", "n"))
    for o in offers:
        then = run.capacities.get(str(o.pk), {})
        now = {"seats": o.seats, "enrolled": seated.get(o.pk, 0), "version": o.version}
        if o.state != OfferState.OPEN:
            changes.append({"field": f"offer:{o.pk}", "value": o.state,
                            "label": f"„{o.title}“ ist jetzt {o.get_state_display()}"})
        elif any(then.get(k) != v for k, v in now.items()):
            changes.append({"field": f"offer:{o.pk}", "value": now,
                            "label": f"„{o.title}“: {now['enrolled']} von {now['seats']} Plätzen belegt (beim "
                                     f"Vorschlag {then.get('enrolled')} von {then.get('seats')})"
                                     + ("" if now["version"] == then.get("version") else ", Angebot geändert")})
    entries = {eid for x in lines for eid in x.waiting.values()}
    still = set(Enrolment.objects.filter(pk__in=entries, state=EnrolmentState.WAITING).values_list("pk", flat=True))
    active = set(Enrolment.objects.filter(person_id__in=[x.person_id for x in lines],
                                          offer_id__in=[o.pk for o in offers],
                                          state__in=[EnrolmentState.WAITING, EnrolmentState.ENROLLED])
                 .values_list("person_id", "offer_id"))
    for x in lines:
        mine = x.waiting.get(str(x.offer_id))
        gone = (mine is not None and mine not in still) or (mine is None and (x.person_id, x.offer_id) in active) \
            or not any(eid in still for eid in x.waiting.values())
        if gone:
            changes.append({"field": f"assignment:{x.pk}", "value": x.person_id,
                            "label": f"Warteliste von Person {x.person_id} geändert"})
    return changes


def _recheck_rules(run: AllocationRun, lines: Sequence[Assignment]) -> None:
    """The hard rules again, on today's data: a pair that has become ineligible stops the confirmation."""
    from stella.offers.services import rule_messages

    persons = load_person_facts([x.person_id for x in lines], run.reference_date)
    facts = load_offer_facts({x.offer_id for x in lines if x.offer_id is not None})
    problems = []
    for x in lines:
        assert x.offer_id is not None
        person, offer = persons.get(x.person_id), facts[x.offer_id]
        failed = eligibility.failures(person, offer) if person else []
        if failed:
            problems.append(f"Person {x.person_id}, „{offer.title}“: " + " ".join(rule_messages(failed, offer.starts_on)))
    if problems:
        raise InvalidInput({"assignments": problems}, message="Für einzelne Zuteilungen gelten die Regeln nicht mehr – "
                                                              "bitte diese Zeilen ändern; es wurde nichts gespeichert.")


def _notify_confirmed(actor: Actor, run: AllocationRun, enrolled: int, announce: Mapping[int, int]) -> None:
    """The agencies that put assigned persons on waiting lists, and the run's author (no personal data)."""
    link = run_link(run.pk)
    for agency_id, count in sorted(announce.items()):
        users = [u for u in recipients(agency_id) if u.pk != actor.user_id]
        notify(users, NOTIFY_KIND, f"Zuteilungslauf vom {de(run.reference_date)} bestätigt: {count} von Ihrer "
                                   f"Behörde angemeldete Person(en) haben einen Platz erhalten.", link)
    if run.created_by_id != actor.user_id:
        notify([run.created_by_id], NOTIFY_KIND, f"Ihr Zuteilungslauf vom {de(run.reference_date)} wurde bestätigt "
                                                 f"({enrolled} Teilnahmen angelegt).", link)


def discard(*, actor: Actor, run_id: int, reason: str = "") -> AllocationRun:
    """Drop a proposal (nothing is enrolled); the run stays on record as discarded."""
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise InvalidInput({"reason": "Die Begründung darf höchstens 300 Zeichen lang sein."})
    _run(actor, run_id, AuditAction.UPDATE)
    with transaction.atomic():
        run = _run(actor, run_id, AuditAction.UPDATE, lock=True)
        _require_state(run, "verwerfen")
        run.state = RunState.DISCARDED
        run.decided_at, run.decided_by_id = timezone.now(), actor.user_id
        run.version += 1
        run.save(update_fields=["state", "decided_at", "decided_by", "version"])
        audit.record(actor, AuditAction.UPDATE, object_type=OBJECT, object_id=run.pk,
                     detail={"state": RunState.DISCARDED, "reason": reason})
    return run


def candidate_offers(*, actor: Actor, district_id: int | None = None) -> QuerySet[Offer]:
    """Open offers the actor's agency manages (what a new run may cover), optionally in one district."""
    agency_id = _require_planner(actor)
    qs = Offer.objects.filter(owner_id=agency_id, state=OfferState.OPEN, starts_on__gte=today())
    if district_id is not None:
        qs = qs.filter(municipality__landkreis_id=district_id)
    return qs.select_related("municipality").order_by("starts_on", "title", "id")


__all__ = ["NOTIFY_KIND", "Params", "QuotaIn", "RunView", "candidate_offers", "confirm", "discard", "fairness_report",
           "fingerprint", "get_run", "list_runs", "may_plan", "override", "override_counts", "propose_run",
           "run_link", "run_view"]
